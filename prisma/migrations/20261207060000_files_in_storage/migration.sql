-- Invoice PDFs and documents move from their own bytea columns into the file storage the ticket
-- attachments use (src/storage): here into its PostgreSQL store, stored_file_chunks, in chunks of
-- 256 kB (262144 bytes, CHUNK_BYTES in src/storage/postgres.ts) under a new random key per file;
-- an empty file is one empty chunk, as the store writes it. A deployment with S3 configured keeps
-- reading these from PostgreSQL (src/storage/index.ts falls back to it for a key the bucket lacks);
-- new files go to the bucket.

-- The register of stored files (for the sweep of files no row names); every file stored so far.
CREATE TABLE "stored_files" (
    "key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "stored_files_pkey" PRIMARY KEY ("key")
);
CREATE INDEX "stored_files_created_at_idx" ON "stored_files"("created_at");
INSERT INTO "stored_files" ("key") SELECT DISTINCT "key" FROM "stored_file_chunks";
-- With S3 the attachments' bytes are in the bucket: their keys are registered all the same.
INSERT INTO "stored_files" ("key") SELECT "storage_key" FROM "ticket_attachments" ON CONFLICT DO NOTHING;

-- Invoices: the PDF staff stored, if any.
ALTER TABLE "invoices" ADD COLUMN "pdf_key" TEXT;
UPDATE "invoices" SET "pdf_key" = gen_random_uuid()::text WHERE "pdf" IS NOT NULL;
INSERT INTO "stored_file_chunks" ("key", "seq", "data")
SELECT i."pdf_key", s.seq, substring(i."pdf" FROM s.seq * 262144 + 1 FOR 262144)
FROM "invoices" i
CROSS JOIN LATERAL generate_series(0, greatest((length(i."pdf") + 262143) / 262144 - 1, 0)) AS s(seq)
WHERE i."pdf" IS NOT NULL;
INSERT INTO "stored_files" ("key") SELECT "pdf_key" FROM "invoices" WHERE "pdf_key" IS NOT NULL;
ALTER TABLE "invoices" DROP COLUMN "pdf";
CREATE UNIQUE INDEX "invoices_pdf_key_key" ON "invoices"("pdf_key");

-- Documents: every one has its file.
ALTER TABLE "documents" ADD COLUMN "storage_key" TEXT;
UPDATE "documents" SET "storage_key" = gen_random_uuid()::text;
INSERT INTO "stored_file_chunks" ("key", "seq", "data")
SELECT d."storage_key", s.seq, substring(d."content" FROM s.seq * 262144 + 1 FOR 262144)
FROM "documents" d
CROSS JOIN LATERAL generate_series(0, greatest((length(d."content") + 262143) / 262144 - 1, 0)) AS s(seq);
INSERT INTO "stored_files" ("key") SELECT "storage_key" FROM "documents";
ALTER TABLE "documents" ALTER COLUMN "storage_key" SET NOT NULL;
ALTER TABLE "documents" DROP COLUMN "content";
CREATE UNIQUE INDEX "documents_storage_key_key" ON "documents"("storage_key");
