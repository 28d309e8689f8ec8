-- The retention job (src/jobs/retention.ts) deletes old rows in batches by these times; without an
-- index each batch would read the whole table.
CREATE INDEX "password_tokens_expires_at_idx" ON "password_tokens"("expires_at");
CREATE INDEX "audit_events_at_idx" ON "audit_events"("at");
CREATE INDEX "webhook_events_created_at_idx" ON "webhook_events"("created_at");
CREATE INDEX "webhook_deliveries_delivered_at_idx" ON "webhook_deliveries"("delivered_at");
CREATE INDEX "webhook_deliveries_failed_at_idx" ON "webhook_deliveries"("failed_at");
CREATE INDEX "known_browsers_last_seen_at_idx" ON "known_browsers"("last_seen_at");
