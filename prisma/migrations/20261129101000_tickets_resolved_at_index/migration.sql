-- "Status: actueel" includes tickets resolved within the reopen period: the resolved part of
-- that list is a range on resolved_at within an organisation's resolved tickets.
CREATE INDEX "tickets_organization_id_status_resolved_at_idx" ON "tickets"("organization_id", "status", "resolved_at");
