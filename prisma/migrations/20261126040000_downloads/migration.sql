-- CreateTable
CREATE TABLE "page_contents" (
    "key" TEXT NOT NULL,
    "body_nl" TEXT NOT NULL,
    "body_en" TEXT,
    "updated_by" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "page_contents_pkey" PRIMARY KEY ("key")
);

-- The invoice list sorts on every column inside one organisation; each sort reads its page from an index.
CREATE INDEX "invoices_organization_id_title_number_idx" ON "invoices"("organization_id", "title", "number");
CREATE INDEX "invoices_organization_id_amount_excl_vat_number_idx" ON "invoices"("organization_id", "amount_excl_vat", "number");
CREATE INDEX "invoices_organization_id_organization_name_number_idx" ON "invoices"("organization_id", "organization_name", "number");
