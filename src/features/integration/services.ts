import type { ServiceDeps } from '../../services.js';
import { inTransaction } from '../../db/client.js';
import { recordAudit, type AuditActor } from '../../audit.js';
import { newToken, type ApiScope } from '../../auth/api-tokens.js';
import { newWebhookSecret } from '../../webhooks/signature.js';
import { refuse } from '../../http/errors.js';
import { claimKey, storeAnswer, type StoredAnswer } from './idempotency.js';

/** Who made a token or an endpoint, as its `createdBy` column says it (staff by their login name, as before). */
function creatorOf(who: AuditActor): string {
  if (who === 'system') return 'system';
  if ('staff' in who) return who.staff;
  if ('api' in who) return `api:${who.api}`;
  return who.displayName;
}

/**
 * How Vcare's own systems are let in (API tokens, the idempotency keys of their writes) and told
 * about changes (webhook endpoints and their delivery log). Refusals name the staff tool's
 * argument (`<id>`), the only door that manages these.
 */
export function integrationServices(deps: ServiceDeps) {
  const { db, clock } = deps;
  return {
    /** Creates an API token; the token itself is returned once and stored only as a hash. */
    async createToken(who: AuditActor, input: { name: string; scopes: ApiScope[]; expiresAt: Date | null }) {
      const t = newToken();
      const row = await inTransaction(db, async (tx) => {
        const created = await tx.apiToken.create({
          data: {
            name: input.name,
            prefix: t.prefix,
            tokenHash: t.hash,
            scopes: input.scopes,
            createdBy: creatorOf(who),
            expiresAt: input.expiresAt,
          },
        });
        await recordAudit(tx, {
          actor: who,
          kind: 'api_token.created',
          subjectType: 'api_token',
          subjectId: created.id,
          after: { name: input.name, scopes: input.scopes, expiresAt: input.expiresAt?.toISOString() ?? null },
        });
        return created;
      });
      return { row, token: t.token };
    },

    /** Every API token, oldest first. */
    listTokens: () => db.apiToken.findMany({ orderBy: { id: 'asc' } }),

    /** Revokes a token: its next request is refused. An unknown or already revoked one is refused. */
    async revokeToken(who: AuditActor, id: number): Promise<void> {
      await inTransaction(db, async (tx) => {
        const t = await tx.apiToken.findUnique({ where: { id } });
        if (!t) throw refuse('<id>', `no API token with id ${id}`, { code: 'NOT_FOUND' });
        if (t.revokedAt) throw refuse('<id>', `token ${id} was already revoked`, { code: 'CONFLICT' });
        await tx.apiToken.update({ where: { id }, data: { revokedAt: clock.now() } });
        await recordAudit(tx, {
          actor: who,
          kind: 'api_token.revoked',
          subjectType: 'api_token',
          subjectId: id,
          before: { name: t.name },
        });
      });
    },

    /** Claims an idempotency key for a write (over the request's transaction); see claimKey. */
    claimIdempotencyKey: (tokenId: number, key: string, print: string, now: Date) =>
      claimKey(db, tokenId, key, print, now),
    /** Stores a write's answer under its key, in the write's transaction. */
    storeIdempotentAnswer: (tokenId: number, key: string, answer: StoredAnswer) =>
      storeAnswer(db, tokenId, key, answer),

    /** Registers a webhook endpoint; its signing secret is returned once. */
    async addWebhook(who: AuditActor, input: { url: string; events: string[] }) {
      const secret = newWebhookSecret();
      const row = await inTransaction(db, async (tx) => {
        const created = await tx.webhookEndpoint.create({
          data: { url: input.url, events: input.events, secret, createdBy: creatorOf(who) },
        });
        await recordAudit(tx, {
          actor: who,
          kind: 'webhook.added',
          subjectType: 'webhook',
          subjectId: created.id,
          after: { url: input.url, events: input.events },
        });
        return created;
      });
      return { row, secret };
    },

    /** The active endpoints, oldest first, each with how many deliveries are pending, failed and delivered. */
    async listWebhooks() {
      const [eps, counts] = await Promise.all([
        db.webhookEndpoint.findMany({ where: { active: true }, orderBy: { id: 'asc' } }),
        db.$queryRaw<{ endpoint_id: number; pending: bigint; failed: bigint; delivered: bigint }[]>`
          SELECT endpoint_id, count(*) FILTER (WHERE delivered_at IS NULL AND failed_at IS NULL) AS pending,
                 count(*) FILTER (WHERE failed_at IS NOT NULL) AS failed, count(*) FILTER (WHERE delivered_at IS NOT NULL) AS delivered
          FROM webhook_deliveries GROUP BY endpoint_id`,
      ]);
      return eps.map((e) => {
        const c = counts.find((x) => x.endpoint_id === e.id);
        return { ...e, pending: c?.pending ?? 0n, failed: c?.failed ?? 0n, delivered: c?.delivered ?? 0n };
      });
    },

    /** Removes an endpoint: kept inactive so its delivery log stays readable, its pending deliveries dropped. */
    async removeWebhook(who: AuditActor, id: number): Promise<void> {
      await inTransaction(db, async (tx) => {
        const ep = await tx.webhookEndpoint.findFirst({ where: { id, active: true } });
        if (!ep) throw refuse('<id>', `no webhook endpoint with id ${id}`, { code: 'NOT_FOUND' });
        await tx.webhookEndpoint.update({ where: { id }, data: { active: false } });
        await tx.webhookDelivery.updateMany({
          where: { endpointId: id, deliveredAt: null, failedAt: null },
          data: { failedAt: clock.now(), lastError: 'endpoint removed' },
        });
        await recordAudit(tx, {
          actor: who,
          kind: 'webhook.removed',
          subjectType: 'webhook',
          subjectId: id,
          before: { url: ep.url, events: ep.events },
        });
      });
    },

    /** An endpoint's delivery log, newest first, with each delivery's event. */
    async webhookDeliveries(id: number, limit: number) {
      const ep = await db.webhookEndpoint.findUnique({ where: { id } });
      if (!ep) throw refuse('<id>', `no webhook endpoint with id ${id}`, { code: 'NOT_FOUND' });
      return db.webhookDelivery.findMany({
        where: { endpointId: id },
        orderBy: { id: 'desc' },
        take: limit,
        include: { event: { select: { publicId: true, type: true } } },
      });
    },

    /** Queues a delivery again: a new delivery of the same event (same event id), unless its endpoint was removed. */
    async redeliverWebhook(deliveryId: number) {
      const d = await db.webhookDelivery.findUnique({ where: { id: BigInt(deliveryId) }, include: { endpoint: true } });
      if (!d) throw refuse('<deliveryId>', `no delivery with id ${deliveryId}`, { code: 'NOT_FOUND' });
      if (!d.endpoint.active)
        throw refuse('<deliveryId>', `its endpoint ${d.endpointId} was removed`, { code: 'CONFLICT' });
      return db.webhookDelivery.create({
        data: { endpointId: d.endpointId, eventId: d.eventId, orderingKey: d.orderingKey },
      });
    },
  };
}
