-- "Status: actueel" counts its tickets per status with a filter on status, resolved_at and
-- updated_at. Prisma sends each status as CAST($n::text AS ticket_status), and enum input is not
-- immutable, so PostgreSQL neither folds it into a constant nor proves the two partial indexes'
-- predicates (status = 'RESOLVED' ...) from it: they were never used, and the count read every
-- ticket of the organisations from the heap (8,000 pages for the demo organisation at 10x data,
-- 29 ms). With all four columns in one index the count is an index-only scan (9 ms, no heap).
DROP INDEX "tickets_resolved_organization_id_resolved_at_idx";
DROP INDEX "tickets_resolved_undated_organization_id_updated_at_idx";
CREATE INDEX "tickets_organization_id_status_resolved_at_updated_at_idx" ON "tickets"("organization_id", "status", "resolved_at", "updated_at");
