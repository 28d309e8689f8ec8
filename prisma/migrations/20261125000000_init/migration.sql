-- PIM initial schema. Written by hand in the shape `prisma migrate dev` produces, so that
-- `prisma migrate deploy` and the app's own migrator (src/db/migrator.ts) agree.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- CreateEnum
CREATE TYPE "role" AS ENUM ('PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA', 'VIEW_ORGANIZATION', 'SUBSIDIARY_ACCESS', 'MANAGE_CONTACTS', 'ASSIGN_ROLES', 'VIEW_INVOICES', 'VIEW_REPORTS', 'VIEW_MANUALS', 'MANAGE_OWN_TICKETS', 'MANAGE_ORG_TICKETS');
CREATE TYPE "gender" AS ENUM ('MALE', 'FEMALE', 'OTHER');
CREATE TYPE "login_provider" AS ENUM ('MICROSOFT', 'GOOGLE');
CREATE TYPE "token_purpose" AS ENUM ('RESET', 'INVITE');
CREATE TYPE "document_kind" AS ENUM ('MANUAL', 'PRODUCT_INFO', 'REPORT');
CREATE TYPE "announcement_kind" AS ENUM ('NEWS', 'MAINTENANCE', 'OUTAGE');
CREATE TYPE "ticket_kind" AS ENUM ('INCIDENT', 'CHANGE', 'QUESTION', 'WISH', 'SERVICE_REQUEST');
CREATE TYPE "ticket_status" AS ENUM ('NEW', 'IN_PROGRESS', 'WAITING_CUSTOMER', 'WAITING_SUPPLIER', 'SUPPORT_DESK_ACTION', 'PLANNED_INTERNAL', 'PLANNED_EXTERNAL', 'RESOLVED');
CREATE TYPE "ticket_channel" AS ENUM ('PORTAL', 'PHONE', 'EMAIL', 'STAFF');

-- CreateTable
CREATE TABLE "organizations" (
    "id" SERIAL NOT NULL,
    "parent_id" INTEGER,
    "name" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "postal_street" TEXT,
    "postal_postcode" TEXT,
    "postal_city" TEXT,
    "postal_country" TEXT,
    "visit_street" TEXT,
    "visit_postcode" TEXT,
    "visit_city" TEXT,
    "visit_country" TEXT,
    "phone" TEXT,
    "fax" TEXT,
    "email" TEXT,
    "main_contact_id" INTEGER,
    "reports_in_contract" BOOLEAN NOT NULL DEFAULT false,
    "sso_required" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "organizations_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "contacts" (
    "id" SERIAL NOT NULL,
    "organization_id" INTEGER NOT NULL,
    "last_name" TEXT NOT NULL,
    "first_name" TEXT,
    "initials" TEXT,
    "infix" TEXT,
    "gender" "gender",
    "birth_date" DATE,
    "email" TEXT,
    "phone" TEXT,
    "fax" TEXT,
    "mobile" TEXT,
    "private_street" TEXT,
    "private_postcode" TEXT,
    "private_city" TEXT,
    "private_country" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "web_access" BOOLEAN NOT NULL DEFAULT false,
    "subscribe_update" BOOLEAN NOT NULL DEFAULT true,
    "subscribe_care" BOOLEAN NOT NULL DEFAULT false,
    "subscribe_business" BOOLEAN NOT NULL DEFAULT false,
    "subscribe_flash" BOOLEAN NOT NULL DEFAULT false,
    "report_mail_opt_in" BOOLEAN NOT NULL DEFAULT false,
    "password_hash" TEXT,
    "password_changed_at" TIMESTAMPTZ(3),
    "session_epoch" INTEGER NOT NULL DEFAULT 0,
    "version" INTEGER NOT NULL DEFAULT 1,
    "deleted_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "contacts_pkey" PRIMARY KEY ("id"),
    -- The address is the username: stored lower-case so the unique index is case-insensitive.
    CONSTRAINT "contacts_email_lower_check" CHECK ("email" = lower("email"))
);

CREATE TABLE "contact_roles" (
    "contact_id" INTEGER NOT NULL,
    "role" "role" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "contact_roles_pkey" PRIMARY KEY ("contact_id","role")
);

CREATE TABLE "external_logins" (
    "id" SERIAL NOT NULL,
    "contact_id" INTEGER NOT NULL,
    "provider" "login_provider" NOT NULL,
    "subject" TEXT NOT NULL,
    "email" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    CONSTRAINT "external_logins_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "password_tokens" (
    "id" SERIAL NOT NULL,
    "contact_id" INTEGER NOT NULL,
    "purpose" "token_purpose" NOT NULL,
    "token_hash" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "password_tokens_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "login_throttles" (
    "key" TEXT NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "locked_until" TIMESTAMPTZ(3),
    CONSTRAINT "login_throttles_pkey" PRIMARY KEY ("key")
);

CREATE TABLE "session" (
    "sid" VARCHAR NOT NULL,
    "sess" JSON NOT NULL,
    "expire" TIMESTAMP(6) NOT NULL,
    CONSTRAINT "session_pkey" PRIMARY KEY ("sid")
);

CREATE TABLE "invoices" (
    "id" SERIAL NOT NULL,
    "number" INTEGER NOT NULL,
    "organization_id" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "invoice_date" DATE NOT NULL,
    "payment_term_days" INTEGER NOT NULL DEFAULT 30,
    "amount_excl_vat" DECIMAL(12,2) NOT NULL,
    "vat_amount" DECIMAL(12,2) NOT NULL,
    "organization_name" TEXT NOT NULL,
    "pdf" BYTEA,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "invoices_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "invoice_lines" (
    "id" SERIAL NOT NULL,
    "invoice_id" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "description" TEXT NOT NULL,
    "quantity" DECIMAL(12,3) NOT NULL,
    "unit_price" DECIMAL(12,2) NOT NULL,
    "vat_rate" DECIMAL(5,2) NOT NULL,
    "amount_excl_vat" DECIMAL(12,2) NOT NULL,
    CONSTRAINT "invoice_lines_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "documents" (
    "id" SERIAL NOT NULL,
    "kind" "document_kind" NOT NULL,
    "organization_id" INTEGER,
    "file_name" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "content" BYTEA NOT NULL,
    "document_date" DATE NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "documents_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "applications" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description_nl" TEXT NOT NULL,
    "description_en" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "position" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "applications_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "application_activations" (
    "contact_id" INTEGER NOT NULL,
    "application_id" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "application_activations_pkey" PRIMARY KEY ("contact_id","application_id")
);

CREATE TABLE "announcements" (
    "id" SERIAL NOT NULL,
    "kind" "announcement_kind" NOT NULL,
    "organization_id" INTEGER,
    "title_nl" TEXT NOT NULL,
    "body_nl" TEXT NOT NULL,
    "title_en" TEXT,
    "body_en" TEXT,
    "published_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "announcements_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "tickets" (
    "id" SERIAL NOT NULL,
    "organization_id" INTEGER NOT NULL,
    "reporter_id" INTEGER,
    "title" TEXT NOT NULL,
    "description" TEXT,
    "kind" "ticket_kind",
    "status" "ticket_status" NOT NULL DEFAULT 'NEW',
    "application" TEXT,
    "module" TEXT,
    "helpdesk" TEXT NOT NULL,
    "channel" "ticket_channel" NOT NULL DEFAULT 'PORTAL',
    "reported_at" TIMESTAMPTZ(3) NOT NULL,
    "deadline" DATE,
    "customer_reference" TEXT,
    "alternative_phone" TEXT,
    "resolved_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "tickets_pkey" PRIMARY KEY ("id")
);

-- Ticket numbers continue after the numbers of the imported history (the demo ends at 9969).
ALTER SEQUENCE "tickets_id_seq" START WITH 10000 RESTART;

CREATE TABLE "ticket_notes" (
    "id" SERIAL NOT NULL,
    "ticket_id" INTEGER NOT NULL,
    "author_id" INTEGER,
    "staff_name" TEXT,
    "body" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ticket_notes_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_id" INTEGER,
    "actor_label" TEXT NOT NULL,
    "organization_id" INTEGER,
    "kind" TEXT NOT NULL,
    "subject_type" TEXT NOT NULL,
    "subject_id" TEXT,
    "before" JSONB,
    "after" JSONB,
    "ip" TEXT,
    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "mail_outbox" (
    "id" BIGSERIAL NOT NULL,
    "recipient" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "html" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_error" TEXT,
    "sent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "mail_outbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "organizations_main_contact_id_key" ON "organizations"("main_contact_id");
CREATE INDEX "organizations_parent_id_name_idx" ON "organizations"("parent_id", "name");
CREATE INDEX "organizations_name_id_idx" ON "organizations"("name", "id");
CREATE UNIQUE INDEX "contacts_email_key" ON "contacts"("email");
CREATE INDEX "contacts_organization_id_last_name_first_name_id_idx" ON "contacts"("organization_id", "last_name", "first_name", "id");
CREATE INDEX "contacts_organization_id_active_idx" ON "contacts"("organization_id", "active");
CREATE INDEX "external_logins_contact_id_idx" ON "external_logins"("contact_id");
CREATE UNIQUE INDEX "external_logins_provider_subject_key" ON "external_logins"("provider", "subject");
CREATE UNIQUE INDEX "password_tokens_token_hash_key" ON "password_tokens"("token_hash");
CREATE INDEX "password_tokens_contact_id_created_at_idx" ON "password_tokens"("contact_id", "created_at");
CREATE INDEX "login_throttles_window_start_idx" ON "login_throttles"("window_start");
CREATE INDEX "IDX_session_expire" ON "session"("expire");
CREATE UNIQUE INDEX "invoices_number_key" ON "invoices"("number");
CREATE INDEX "invoices_organization_id_invoice_date_number_idx" ON "invoices"("organization_id", "invoice_date", "number");
CREATE INDEX "invoices_organization_id_number_idx" ON "invoices"("organization_id", "number");
CREATE UNIQUE INDEX "invoice_lines_invoice_id_position_key" ON "invoice_lines"("invoice_id", "position");
CREATE INDEX "documents_kind_organization_id_document_date_idx" ON "documents"("kind", "organization_id", "document_date");
CREATE UNIQUE INDEX "applications_code_key" ON "applications"("code");
CREATE INDEX "application_activations_application_id_idx" ON "application_activations"("application_id");
CREATE INDEX "announcements_published_at_idx" ON "announcements"("published_at");
CREATE INDEX "announcements_organization_id_published_at_idx" ON "announcements"("organization_id", "published_at");
CREATE INDEX "tickets_organization_id_status_reported_at_idx" ON "tickets"("organization_id", "status", "reported_at");
CREATE INDEX "tickets_reporter_id_status_reported_at_idx" ON "tickets"("reporter_id", "status", "reported_at");
CREATE INDEX "ticket_notes_ticket_id_created_at_idx" ON "ticket_notes"("ticket_id", "created_at");
CREATE INDEX "audit_events_organization_id_at_idx" ON "audit_events"("organization_id", "at");
CREATE INDEX "audit_events_organization_id_kind_at_idx" ON "audit_events"("organization_id", "kind", "at");
CREATE INDEX "audit_events_actor_id_at_idx" ON "audit_events"("actor_id", "at");
CREATE INDEX "mail_outbox_sent_at_next_attempt_at_idx" ON "mail_outbox"("sent_at", "next_attempt_at");

-- Search indexes the Prisma schema language cannot express (trigram, for ILIKE '%...%').
CREATE INDEX "organizations_name_trgm_idx" ON "organizations" USING gin ("name" gin_trgm_ops);
CREATE INDEX "contacts_search_trgm_idx" ON "contacts" USING gin ((coalesce("first_name", '') || ' ' || coalesce("infix", '') || ' ' || "last_name" || ' ' || coalesce("email", '')) gin_trgm_ops);
CREATE INDEX "tickets_title_trgm_idx" ON "tickets" USING gin ("title" gin_trgm_ops);
CREATE INDEX "invoices_title_trgm_idx" ON "invoices" USING gin ("title" gin_trgm_ops);

-- AddForeignKey
ALTER TABLE "organizations" ADD CONSTRAINT "organizations_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "organizations" ADD CONSTRAINT "organizations_main_contact_id_fkey" FOREIGN KEY ("main_contact_id") REFERENCES "contacts"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "contact_roles" ADD CONSTRAINT "contact_roles_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "external_logins" ADD CONSTRAINT "external_logins_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "password_tokens" ADD CONSTRAINT "password_tokens_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "invoice_lines" ADD CONSTRAINT "invoice_lines_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "documents" ADD CONSTRAINT "documents_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "application_activations" ADD CONSTRAINT "application_activations_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "application_activations" ADD CONSTRAINT "application_activations_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "announcements" ADD CONSTRAINT "announcements_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_reporter_id_fkey" FOREIGN KEY ("reporter_id") REFERENCES "contacts"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "ticket_notes" ADD CONSTRAINT "ticket_notes_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "ticket_notes" ADD CONSTRAINT "ticket_notes_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "contacts"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_actor_id_fkey" FOREIGN KEY ("actor_id") REFERENCES "contacts"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE SET NULL ON UPDATE CASCADE;
