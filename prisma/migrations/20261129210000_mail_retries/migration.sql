-- Mail that waits, within bounds: a mail is given up (failed_at) after MAIL_GIVE_UP_HOURS of
-- failed attempts, or when the link it carries has expired (expires_at: a reset or invitation
-- link is not sent late); `pim mail:retry` puts a failed mail back (retried_at restarts the
-- give-up time).
ALTER TABLE "mail_outbox" ADD COLUMN "failed_at" TIMESTAMPTZ(3),
  ADD COLUMN "expires_at" TIMESTAMPTZ(3),
  ADD COLUMN "retried_at" TIMESTAMPTZ(3);

CREATE INDEX "mail_outbox_failed_at_idx" ON "mail_outbox"("failed_at");
