-- Beveiliging: sessions with their person and device, two-step login (TOTP, recovery codes,
-- passkeys), browsers a person has used, and organisations that require two-step login.

-- Each logged-in session row says whose it is and from where, so the person can list and end
-- their sessions and a manager can count them (index on contact_id). Written by the session
-- store from the session itself; NULL for anonymous sessions.
ALTER TABLE "session"
    ADD COLUMN "contact_id" INTEGER,
    ADD COLUMN "ip" TEXT,
    ADD COLUMN "user_agent" TEXT,
    ADD COLUMN "login_method" TEXT,
    ADD COLUMN "created_at" TIMESTAMPTZ(3),
    ADD COLUMN "last_active_at" TIMESTAMPTZ(3);
CREATE INDEX "session_contact_id_idx" ON "session"("contact_id");

ALTER TABLE "organizations" ADD COLUMN "two_factor_required" BOOLEAN NOT NULL DEFAULT false;

-- The authenticator-app secret, AES-256-GCM encrypted; confirmed_at NULL while being set up.
-- last_step is the last 30-second step a code was accepted for (a code is used once).
CREATE TABLE "totp_secrets" (
    "contact_id" INTEGER NOT NULL,
    "secret_encrypted" TEXT NOT NULL,
    "confirmed_at" TIMESTAMPTZ(3),
    "last_step" BIGINT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "totp_secrets_pkey" PRIMARY KEY ("contact_id")
);

-- One-time recovery codes: only a SHA-256 hash of each is stored.
CREATE TABLE "recovery_codes" (
    "id" SERIAL NOT NULL,
    "contact_id" INTEGER NOT NULL,
    "code_hash" TEXT NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "recovery_codes_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "recovery_codes_contact_id_code_hash_key" ON "recovery_codes"("contact_id", "code_hash");

-- WebAuthn credentials (passkeys).
CREATE TABLE "passkeys" (
    "id" SERIAL NOT NULL,
    "contact_id" INTEGER NOT NULL,
    "credential_id" TEXT NOT NULL,
    "user_handle" TEXT NOT NULL,
    "public_key" BYTEA NOT NULL,
    "counter" BIGINT NOT NULL DEFAULT 0,
    "transports" TEXT NOT NULL DEFAULT '',
    "name" TEXT NOT NULL,
    "backed_up" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    CONSTRAINT "passkeys_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "passkeys_credential_id_key" ON "passkeys"("credential_id");
CREATE INDEX "passkeys_contact_id_created_at_idx" ON "passkeys"("contact_id", "created_at");

-- Browsers (by the hash of their signed browser cookie) a person has logged in from.
CREATE TABLE "known_browsers" (
    "contact_id" INTEGER NOT NULL,
    "browser_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "known_browsers_pkey" PRIMARY KEY ("contact_id", "browser_hash")
);

ALTER TABLE "totp_secrets" ADD CONSTRAINT "totp_secrets_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "recovery_codes" ADD CONSTRAINT "recovery_codes_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "passkeys" ADD CONSTRAINT "passkeys_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "known_browsers" ADD CONSTRAINT "known_browsers_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
