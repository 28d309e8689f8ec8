-- "Status: actueel" includes tickets resolved within the reopen period (by resolved_at, or by
-- updated_at for a resolved ticket without one, as noteState reads it). Within an organisation
-- both are ranges on these partial indexes. Their predicates are implied only by those ranges, so
-- every other query (counts, ordered pages of a group) keeps (organization_id, status, reported_at, id).
CREATE INDEX "tickets_resolved_organization_id_resolved_at_idx" ON "tickets"("organization_id", "resolved_at") WHERE "status" = 'RESOLVED' AND "resolved_at" IS NOT NULL;
CREATE INDEX "tickets_resolved_undated_organization_id_updated_at_idx" ON "tickets"("organization_id", "updated_at") WHERE "status" = 'RESOLVED' AND "resolved_at" IS NULL;
