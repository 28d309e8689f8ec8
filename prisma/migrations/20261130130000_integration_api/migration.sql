-- The integration API (/api/v1) and webhooks: tokens, per-token rate counters, idempotency
-- keys, webhook endpoints with their event outbox, and what optimistic concurrency and
-- "changed since" lists need on the records the API writes.

-- API tokens: only the SHA-256 hash of the token is kept; the prefix identifies it in lists.
CREATE TABLE "api_tokens" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "scopes" TEXT[] NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens"("token_hash");

-- Requests per token per minute, shared by every app instance.
CREATE TABLE "api_rate_counters" (
    "token_id" INTEGER NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "hits" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "api_rate_counters_pkey" PRIMARY KEY ("token_id", "window_start")
);
CREATE INDEX "api_rate_counters_window_start_idx" ON "api_rate_counters"("window_start");
ALTER TABLE "api_rate_counters" ADD CONSTRAINT "api_rate_counters_token_id_fkey" FOREIGN KEY ("token_id") REFERENCES "api_tokens"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The first answer to a POST with an Idempotency-Key, kept 24 hours.
CREATE TABLE "api_idempotency_keys" (
    "token_id" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "headers" JSONB NOT NULL,
    "body" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "api_idempotency_keys_pkey" PRIMARY KEY ("token_id", "key")
);
CREATE INDEX "api_idempotency_keys_created_at_idx" ON "api_idempotency_keys"("created_at");
ALTER TABLE "api_idempotency_keys" ADD CONSTRAINT "api_idempotency_keys_token_id_fkey" FOREIGN KEY ("token_id") REFERENCES "api_tokens"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Webhook endpoints registered by staff; the secret signs every delivery (it must be readable).
CREATE TABLE "webhook_endpoints" (
    "id" SERIAL NOT NULL,
    "url" TEXT NOT NULL,
    "events" TEXT[] NOT NULL,
    "secret" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_endpoints_pkey" PRIMARY KEY ("id")
);

-- One event, written in the transaction of the change it reports.
CREATE TABLE "webhook_events" (
    "id" BIGSERIAL NOT NULL,
    "public_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "ordering_key" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_events_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "webhook_events_public_id_key" ON "webhook_events"("public_id");

-- One event to one endpoint: the outbox the worker drains, and the delivery log.
CREATE TABLE "webhook_deliveries" (
    "id" BIGSERIAL NOT NULL,
    "endpoint_id" INTEGER NOT NULL,
    "event_id" BIGINT NOT NULL,
    "ordering_key" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_status" INTEGER,
    "last_error" TEXT,
    "delivered_at" TIMESTAMPTZ(3),
    "failed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "webhook_deliveries_endpoint_id_id_idx" ON "webhook_deliveries"("endpoint_id", "id");
CREATE INDEX "webhook_deliveries_event_id_idx" ON "webhook_deliveries"("event_id");
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "webhook_events"("id") ON DELETE CASCADE ON UPDATE CASCADE;
-- The worker's two questions, on pending deliveries only: which are due, and is an earlier one
-- for the same endpoint and ordering key (one ticket, one contact) still pending.
CREATE INDEX "webhook_deliveries_pending_due_idx" ON "webhook_deliveries"("next_attempt_at", "id") WHERE "delivered_at" IS NULL AND "failed_at" IS NULL;
CREATE INDEX "webhook_deliveries_pending_order_idx" ON "webhook_deliveries"("endpoint_id", "ordering_key", "id") WHERE "delivered_at" IS NULL AND "failed_at" IS NULL;

-- Optimistic concurrency (ETag / If-Match) and "changed since" lists on what the API writes.
ALTER TABLE "organizations" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "invoices" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "invoices" ADD COLUMN "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
ALTER TABLE "tickets" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1;
CREATE INDEX "organizations_updated_at_id_idx" ON "organizations"("updated_at", "id");
CREATE INDEX "contacts_updated_at_id_idx" ON "contacts"("updated_at", "id");
CREATE INDEX "invoices_updated_at_id_idx" ON "invoices"("updated_at", "id");
CREATE INDEX "tickets_updated_at_id_idx" ON "tickets"("updated_at", "id");
