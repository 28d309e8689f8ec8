-- E-invoices Peppol accepts (issue 21): the buyer's identifiers and e-invoicing address as data,
-- the choice of NLCIUS per organisation, and the invoice a credit note credits.
ALTER TABLE "organizations" ADD COLUMN "kvk_number" TEXT;
ALTER TABLE "organizations" ADD COLUMN "oin" TEXT;
ALTER TABLE "organizations" ADD COLUMN "peppol_id" TEXT;
ALTER TABLE "organizations" ADD COLUMN "einvoice_nlcius" BOOLEAN NOT NULL DEFAULT false;

ALTER TABLE "invoices" ADD COLUMN "credited_invoice_id" INTEGER;
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_credited_invoice_id_fkey" FOREIGN KEY ("credited_invoice_id") REFERENCES "invoices"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
-- An invoice's credit notes, and the check that an invoice about to go has none.
CREATE INDEX "invoices_credited_invoice_id_idx" ON "invoices"("credited_invoice_id");
