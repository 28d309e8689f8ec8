-- Tickets the way customer teams work: attachments (stored in chunks, or in S3), colleagues on a
-- ticket (Betrokkenen), per-person mail choices, a verdict at the end, a ticket
-- linked to an invoice, and full-text search over the FAQ.

-- File storage in PostgreSQL: each file as rows of at most 256 kB, written and read one chunk
-- at a time, so neither the app nor a query ever holds a whole file. EXTERNAL: no compression
-- attempt on bytes that are mostly compressed already (images, PDF, ZIP, Office).
CREATE TABLE "stored_file_chunks" (
    "key" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "stored_file_chunks_pkey" PRIMARY KEY ("key", "seq")
);
ALTER TABLE "stored_file_chunks" ALTER COLUMN "data" SET STORAGE EXTERNAL;

-- A file on a ticket or one of its notes. ticket_id NULL: uploaded with a form that was refused
-- (422), kept for its uploader to submit again without choosing the file anew.
CREATE TABLE "ticket_attachments" (
    "id" SERIAL NOT NULL,
    "ticket_id" INTEGER,
    "note_id" INTEGER,
    "uploader_id" INTEGER,
    "staff_name" TEXT,
    "file_name" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "storage_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ticket_attachments_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "ticket_attachments_storage_key_key" ON "ticket_attachments"("storage_key");
CREATE INDEX "ticket_attachments_ticket_id_created_at_id_idx" ON "ticket_attachments"("ticket_id", "created_at", "id");
CREATE INDEX "ticket_attachments_note_id_idx" ON "ticket_attachments"("note_id");
CREATE INDEX "ticket_attachments_uploader_id_ticket_id_idx" ON "ticket_attachments"("uploader_id", "ticket_id");
ALTER TABLE "ticket_attachments" ADD CONSTRAINT "ticket_attachments_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "ticket_attachments" ADD CONSTRAINT "ticket_attachments_note_id_fkey" FOREIGN KEY ("note_id") REFERENCES "ticket_notes"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "ticket_attachments" ADD CONSTRAINT "ticket_attachments_uploader_id_fkey" FOREIGN KEY ("uploader_id") REFERENCES "contacts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Betrokkenen: colleagues on a ticket (CC).
CREATE TABLE "ticket_watchers" (
    "ticket_id" INTEGER NOT NULL,
    "contact_id" INTEGER NOT NULL,
    "added_by_id" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ticket_watchers_pkey" PRIMARY KEY ("ticket_id", "contact_id")
);
-- "Tickets waar ik bij betrokken ben" and the scope's EXISTS read this index.
CREATE INDEX "ticket_watchers_contact_id_ticket_id_idx" ON "ticket_watchers"("contact_id", "ticket_id");
ALTER TABLE "ticket_watchers" ADD CONSTRAINT "ticket_watchers_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "ticket_watchers" ADD CONSTRAINT "ticket_watchers_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "ticket_watchers" ADD CONSTRAINT "ticket_watchers_added_by_id_fkey" FOREIGN KEY ("added_by_id") REFERENCES "contacts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- The language a person's mails are written in: contacts.language, added by
-- 20261129104100_contact_language_last_login (the Meldingen page sets it).

-- Mail kinds a person turned off (a row per kind; no row: the mail is sent).
CREATE TABLE "mail_opt_outs" (
    "contact_id" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "mail_opt_outs_pkey" PRIMARY KEY ("contact_id", "kind")
);
ALTER TABLE "mail_opt_outs" ADD CONSTRAINT "mail_opt_outs_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Extra headers of a queued mail (List-Unsubscribe).
ALTER TABLE "mail_outbox" ADD COLUMN "headers" JSONB;

-- "Hoe tevreden bent u?": one answer per ticket, changeable for a while.
CREATE TABLE "ticket_verdicts" (
    "ticket_id" INTEGER NOT NULL,
    "contact_id" INTEGER,
    "score" INTEGER NOT NULL,
    "comment" TEXT,
    "answered_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ticket_verdicts_pkey" PRIMARY KEY ("ticket_id"),
    CONSTRAINT "ticket_verdicts_score_check" CHECK ("score" BETWEEN 1 AND 5)
);
ALTER TABLE "ticket_verdicts" ADD CONSTRAINT "ticket_verdicts_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "ticket_verdicts" ADD CONSTRAINT "ticket_verdicts_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- "Vraag over deze factuur": the invoice a ticket is about.
ALTER TABLE "tickets" ADD COLUMN "invoice_id" INTEGER;
CREATE INDEX "tickets_invoice_id_idx" ON "tickets"("invoice_id");
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- FAQ full-text search with the Dutch dictionary (stemming: "facturen" finds "factuur").
-- An expression index: the Prisma schema language cannot express it; the query repeats the expression.
CREATE INDEX "faq_entries_search_nl_idx" ON "faq_entries" USING gin (
    to_tsvector('dutch', "question_nl" || ' ' || "answer_nl")
);

-- /documents/:id now streams a document in slices (substring per 256 kB); uncompressed
-- out-of-line storage lets PostgreSQL read just the slice's TOAST chunks. Applies to documents
-- written from now on; older rows are still read correctly, only less cheaply.
ALTER TABLE "documents" ALTER COLUMN "content" SET STORAGE EXTERNAL;
