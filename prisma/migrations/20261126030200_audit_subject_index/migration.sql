-- The "Activiteiten" page filters by person: events by them (actor_id, at) or about them
-- (subject_type, subject_id, at); PostgreSQL combines both indexes with a BitmapOr.
-- CreateIndex
CREATE INDEX "audit_events_subject_type_subject_id_at_idx" ON "audit_events"("subject_type", "subject_id", "at");
