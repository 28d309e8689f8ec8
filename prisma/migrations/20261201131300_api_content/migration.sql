-- The integration API's documents, FAQ, announcements and product-information resources: an
-- ETag (version plus last change) and "changed since" cursor lists read by (updated_at, id).
-- Existing rows take their creation time as their last change.

ALTER TABLE "documents" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "documents" ADD COLUMN "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
UPDATE "documents" SET "updated_at" = "created_at";
CREATE INDEX "documents_updated_at_id_idx" ON "documents"("updated_at", "id");

ALTER TABLE "announcements" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "announcements" ADD COLUMN "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
UPDATE "announcements" SET "updated_at" = "created_at";
CREATE INDEX "announcements_updated_at_id_idx" ON "announcements"("updated_at", "id");

ALTER TABLE "faq_entries" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1;
CREATE INDEX "faq_entries_updated_at_id_idx" ON "faq_entries"("updated_at", "id");

ALTER TABLE "page_contents" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1;
