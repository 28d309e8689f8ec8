-- A browser keeps a second-step counter of its own for an account only after a login to that
-- account that passed the second step (issue 19): when it last did. Read by the primary key
-- (contact_id, browser_hash), so no index of its own.
ALTER TABLE "known_browsers" ADD COLUMN "second_step_at" TIMESTAMPTZ(3);
