-- The (organization_id, status, resolved_at) index of 20261129101000 was narrower than
-- (organization_id, status, reported_at, id), so the planner took it for the status counts and
-- for deep pages of a status group (a bitmap scan and a sort instead of the ordered index).
-- "Status: actueel" needs only the recently resolved tickets: by resolved_at, or by updated_at for
-- a resolved ticket without one (as noteState reads it). Two partial indexes whose predicates only
-- those ranges imply; the counts become a BitmapOr of three ranges.
DROP INDEX "tickets_organization_id_status_resolved_at_idx";
CREATE INDEX "tickets_resolved_organization_id_resolved_at_idx" ON "tickets"("organization_id", "resolved_at") WHERE "status" = 'RESOLVED' AND "resolved_at" IS NOT NULL;
CREATE INDEX "tickets_resolved_undated_organization_id_updated_at_idx" ON "tickets"("organization_id", "updated_at") WHERE "status" = 'RESOLVED' AND "resolved_at" IS NULL;
