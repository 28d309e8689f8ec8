-- Replies to ticket mails become notes (issue 22): a note says whether it arrived by mail, and
-- every mail that reached the reply address is kept with what became of it.
ALTER TABLE "ticket_notes" ADD COLUMN "via_mail" BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE "inbound_mails" (
    "id" SERIAL NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "message_id" TEXT NOT NULL,
    "sender" TEXT,
    "subject" TEXT,
    "ticket_id" INTEGER,
    "contact_id" INTEGER,
    "note_id" INTEGER,
    "refused_files" JSONB,
    "raw_key" TEXT,
    "size" INTEGER NOT NULL,
    CONSTRAINT "inbound_mails_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "inbound_mails_status_check" CHECK ("status" IN ('processed', 'refused', 'ignored'))
);
-- The same Message-ID twice is one note, whichever instance (SMTP or IMAP) gets it first.
CREATE UNIQUE INDEX "inbound_mails_message_id_key" ON "inbound_mails"("message_id");
CREATE UNIQUE INDEX "inbound_mails_raw_key_key" ON "inbound_mails"("raw_key");
-- mail:inbound pages by time (all, or only the refused); the retention deletes by time.
CREATE INDEX "inbound_mails_received_at_idx" ON "inbound_mails"("received_at");
CREATE INDEX "inbound_mails_status_received_at_idx" ON "inbound_mails"("status", "received_at");
CREATE INDEX "inbound_mails_ticket_id_idx" ON "inbound_mails"("ticket_id");
