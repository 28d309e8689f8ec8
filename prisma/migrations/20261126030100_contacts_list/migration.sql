-- Contacts list (Mijn gegevens > Contactpersonen): one index per sort column, so a page of an
-- organisation tree with 20,000 contacts is read in index order and stops after 25 rows.
-- Partial on live contacts (soft-deleted ones are never listed). The Prisma schema language
-- cannot express partial or trigram indexes, so these live only here (as in the init migration).

-- Sort "Naam" across several organisations (include subsidiaries).
CREATE INDEX "contacts_live_name_idx" ON "contacts" ("last_name", "first_name", "id") WHERE "deleted_at" IS NULL;
-- Sort "Sexe", "Actief", "Contact opnemen via" (e-mail).
CREATE INDEX "contacts_live_gender_name_idx" ON "contacts" ("gender", "last_name", "first_name", "id") WHERE "deleted_at" IS NULL;
CREATE INDEX "contacts_live_active_name_idx" ON "contacts" ("active", "last_name", "first_name", "id") WHERE "deleted_at" IS NULL;
CREATE INDEX "contacts_live_email_idx" ON "contacts" ("email", "id") WHERE "deleted_at" IS NULL;
-- The count of a selection: an index-only scan of this narrow index (smaller than the table).
CREATE INDEX "contacts_live_org_active_idx" ON "contacts" ("organization_id", "active") WHERE "deleted_at" IS NULL;
-- "Verzamel de e-mailadressen": an index-only scan of the selection's addresses.
CREATE INDEX "contacts_live_org_active_email_idx" ON "contacts" ("organization_id", "active", "email") WHERE "deleted_at" IS NULL AND "email" IS NOT NULL;
-- Filter by organisation(s) and "Actief", and sort "Organisatie" (per organisation, by name).
CREATE INDEX "contacts_live_org_name_idx" ON "contacts" ("organization_id", "active", "last_name", "first_name", "id") WHERE "deleted_at" IS NULL;

-- "Uitgebreid zoeken": a search in any field (ILIKE '%...%').
CREATE INDEX "contacts_any_field_trgm_idx" ON "contacts" USING gin ((
  coalesce("first_name", '') || ' ' || coalesce("initials", '') || ' ' || coalesce("infix", '') || ' ' || "last_name" || ' ' ||
  coalesce("email", '') || ' ' || coalesce("phone", '') || ' ' || coalesce("fax", '') || ' ' || coalesce("mobile", '') || ' ' ||
  coalesce("private_street", '') || ' ' || coalesce("private_postcode", '') || ' ' || coalesce("private_city", '') || ' ' ||
  coalesce("private_country", '')
) gin_trgm_ops) WHERE "deleted_at" IS NULL;
