-- Audit kinds are '<subject>.<what_happened>' in snake_case after the dot (src/audit-kinds.ts);
-- one was written in camelCase. Its stored events take today's spelling, so the Activiteiten
-- filter finds old and new events under one kind. It never sent a webhook: nothing else holds it.
UPDATE "audit_events" SET "kind" = 'contact.report_mail_opt_in' WHERE "kind" = 'contact.reportMailOptIn';
