-- A status group of a customer with subsidiaries is ordered by reported date across all its
-- organisations (organization_id IN (...)): the (organization_id, status, reported_at, id) index
-- gives that order per organisation only, so the group was sorted on every page (Afgehandeld of
-- the demo organisation at 10x data: 5,000 tickets over 26 organisations, ~20 ms). With the
-- status and the order first and the organisation last, a page reads the group backwards in
-- order and checks the organisation in the index; for a small customer the planner keeps the
-- organisation's own index.
CREATE INDEX "tickets_status_reported_at_id_organization_id_idx" ON "tickets"("status", "reported_at", "id", "organization_id");
