import type { Command } from 'commander';
import { z } from 'zod';
import { recordAudit } from '../../audit.js';
import { API_SCOPES, newToken, type ApiScope } from '../../auth/api-tokens.js';
import { EVENT_TYPES } from '../../webhooks/events.js';
import { newWebhookSecret } from '../../webhooks/signature.js';
import { CliError, dateTime, id, parse, staffActor, text, type CliContext } from '../validate.js';

const list = (what: string, allowed: readonly string[]) =>
  z
    .string()
    .transform((v) => [...new Set(v.split(',').map((s) => s.trim()).filter(Boolean))])
    .refine((v) => v.length > 0, `give at least one ${what}`)
    .refine((v) => v.every((s) => allowed.includes(s)), { error: (iss) => `unknown ${what} in "${String(iss.input)}" (choose from ${allowed.join(', ')})` });

const TokenCreate = z.object({ name: text(100), scopes: list('scope', API_SCOPES), expires: dateTime.optional() });

/** A webhook URL: https, or http on the loopback interface (a receiver on the same machine, tests). */
const webhookUrl = z
  .url('not a URL')
  .refine((v) => {
    const u = new URL(v);
    return u.protocol === 'https:' || (u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname));
  }, 'must be an https URL (http only on 127.0.0.1 or localhost)');
const WebhookAdd = z.object({ url: webhookUrl, events: list('event', ['*', ...EVENT_TYPES]) });
const when = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') + 'Z' : '-');

/** Registers `api-token:*` and `webhook:*`: how Vcare's own systems are let in and told about changes. */
export function registerIntegrationCommands(program: Command, ctx: CliContext): void {
  const { prisma } = ctx;

  program
    .command('api-token:create')
    .description('create an API token for one of Vcare\'s systems; the token is shown once and stored only as a hash')
    .requiredOption('--name <name>', 'what uses it, e.g. "ERP invoices"')
    .requiredOption('--scopes <list>', `comma-separated: ${API_SCOPES.join(', ')}`)
    .option('--expires <date>', 'expiry (ISO date or date-time, Amsterdam time), e.g. 2027-01-01')
    .action(async (raw: Record<string, unknown>) => {
      const o = parse(TokenCreate, raw);
      if (o.expires && o.expires <= ctx.now()) throw new CliError('--expires: must be in the future');
      const t = newToken();
      const created = await prisma.$transaction(async (tx) => {
        const row = await tx.apiToken.create({
          data: { name: o.name, prefix: t.prefix, tokenHash: t.hash, scopes: o.scopes as ApiScope[], createdBy: process.env.USER ?? 'cli', expiresAt: o.expires ?? null },
        });
        await recordAudit(tx, { actor: staffActor(), kind: 'api_token.created', subjectType: 'api_token', subjectId: row.id, after: { name: o.name, scopes: o.scopes, expiresAt: o.expires?.toISOString() ?? null } });
        return row;
      });
      ctx.out(`api token ${created.id} created: ${created.name} (${o.scopes.join(', ')})${o.expires ? `, expires ${when(o.expires)}` : ''}`);
      ctx.out(`token (shown only now; store it in the calling system's secret store): ${t.token}`);
    });

  program
    .command('api-token:list')
    .description('list API tokens, tab-separated: id, name, prefix, scopes, created, expires, last used, state')
    .action(async () => {
      const rows = await prisma.apiToken.findMany({ orderBy: { id: 'asc' } });
      const now = ctx.now();
      for (const t of rows) {
        const state = t.revokedAt ? `revoked ${when(t.revokedAt)}` : t.expiresAt && t.expiresAt <= now ? 'expired' : 'active';
        ctx.out([t.id, t.name, `${t.prefix}…`, t.scopes.join(','), when(t.createdAt), when(t.expiresAt), when(t.lastUsedAt), state].join('\t'));
      }
    });

  program
    .command('api-token:revoke')
    .description('revoke an API token: its next request is refused (401)')
    .argument('<id>', 'token id (from api-token:list)')
    .action(async (rawId: string) => {
      const { id: tokenId } = parse(z.object({ id }), { id: rawId }, ['id']);
      await prisma.$transaction(async (tx) => {
        const t = await tx.apiToken.findUnique({ where: { id: tokenId } });
        if (!t) throw new CliError(`<id>: no API token with id ${tokenId}`);
        if (t.revokedAt) throw new CliError(`<id>: token ${tokenId} was already revoked`);
        await tx.apiToken.update({ where: { id: tokenId }, data: { revokedAt: ctx.now() } });
        await recordAudit(tx, { actor: staffActor(), kind: 'api_token.revoked', subjectType: 'api_token', subjectId: tokenId, before: { name: t.name } });
      });
      ctx.out(`api token ${tokenId} revoked`);
    });

  program
    .command('webhook:add')
    .description('register a webhook endpoint; each event is POSTed to it, signed with the secret shown once')
    .requiredOption('--url <url>', 'the receiver (https)')
    .requiredOption('--events <list>', `comma-separated, or * for all: ${EVENT_TYPES.join(', ')}`)
    .action(async (raw: Record<string, unknown>) => {
      const o = parse(WebhookAdd, raw);
      const secret = newWebhookSecret();
      const ep = await prisma.$transaction(async (tx) => {
        const row = await tx.webhookEndpoint.create({ data: { url: o.url, events: o.events, secret, createdBy: process.env.USER ?? 'cli' } });
        await recordAudit(tx, { actor: staffActor(), kind: 'webhook.added', subjectType: 'webhook', subjectId: row.id, after: { url: o.url, events: o.events } });
        return row;
      });
      ctx.out(`webhook ${ep.id} added: ${ep.url} (${o.events.join(', ')})`);
      ctx.out(`signing secret (shown only now): ${secret}`);
    });

  program
    .command('webhook:list')
    .description('list webhook endpoints, tab-separated: id, url, events, pending, failed, delivered')
    .action(async () => {
      const eps = await prisma.webhookEndpoint.findMany({ where: { active: true }, orderBy: { id: 'asc' } });
      const counts = await prisma.$queryRaw<{ endpoint_id: number; pending: bigint; failed: bigint; delivered: bigint }[]>`
        SELECT endpoint_id, count(*) FILTER (WHERE delivered_at IS NULL AND failed_at IS NULL) AS pending,
               count(*) FILTER (WHERE failed_at IS NOT NULL) AS failed, count(*) FILTER (WHERE delivered_at IS NOT NULL) AS delivered
        FROM webhook_deliveries GROUP BY endpoint_id`;
      for (const e of eps) {
        const c = counts.find((x) => x.endpoint_id === e.id);
        ctx.out([e.id, e.url, e.events.join(','), `pending ${c?.pending ?? 0}`, `failed ${c?.failed ?? 0}`, `delivered ${c?.delivered ?? 0}`].join('\t'));
      }
    });

  program
    .command('webhook:remove')
    .description('remove a webhook endpoint (its pending deliveries are dropped)')
    .argument('<id>', 'endpoint id')
    .action(async (rawId: string) => {
      const { id: epId } = parse(z.object({ id }), { id: rawId }, ['id']);
      await prisma.$transaction(async (tx) => {
        const ep = await tx.webhookEndpoint.findFirst({ where: { id: epId, active: true } });
        if (!ep) throw new CliError(`<id>: no webhook endpoint with id ${epId}`);
        // Kept (inactive) so the delivery log stays readable; nothing more is sent to it.
        await tx.webhookEndpoint.update({ where: { id: epId }, data: { active: false } });
        await tx.webhookDelivery.updateMany({ where: { endpointId: epId, deliveredAt: null, failedAt: null }, data: { failedAt: ctx.now(), lastError: 'endpoint removed' } });
        await recordAudit(tx, { actor: staffActor(), kind: 'webhook.removed', subjectType: 'webhook', subjectId: epId, before: { url: ep.url, events: ep.events } });
      });
      ctx.out(`webhook ${epId} removed`);
    });

  program
    .command('webhook:deliveries')
    .description('the delivery log of an endpoint, newest first, tab-separated: delivery id, event id, type, state, attempts, last status, last error, created')
    .argument('<id>', 'endpoint id')
    .option('--limit <n>', 'at most this many (default 50)')
    .action(async (rawId: string, raw: Record<string, unknown>) => {
      const o = parse(z.object({ id, limit: z.string().regex(/^\d{1,4}$/, 'must be a whole number up to 9999').transform(Number).default(50) }), { ...raw, id: rawId }, ['id']);
      const ep = await prisma.webhookEndpoint.findUnique({ where: { id: o.id } });
      if (!ep) throw new CliError(`<id>: no webhook endpoint with id ${o.id}`);
      const rows = await prisma.webhookDelivery.findMany({ where: { endpointId: o.id }, orderBy: { id: 'desc' }, take: o.limit, include: { event: { select: { publicId: true, type: true } } } });
      for (const d of rows) {
        const state = d.deliveredAt ? `delivered ${when(d.deliveredAt)}` : d.failedAt ? `failed ${when(d.failedAt)}` : `pending, next ${when(d.nextAttemptAt)}`;
        ctx.out([d.id, d.event.publicId, d.event.type, state, d.attempts, d.lastStatus ?? '-', d.lastError ?? '-', when(d.createdAt)].join('\t'));
      }
    });

  program
    .command('webhook:redeliver')
    .description('send a delivery again (a new delivery of the same event, with the same event id)')
    .argument('<deliveryId>', 'delivery id (from webhook:deliveries)')
    .action(async (rawId: string) => {
      const { deliveryId } = parse(z.object({ deliveryId: id }), { deliveryId: rawId }, ['deliveryId']);
      const d = await prisma.webhookDelivery.findUnique({ where: { id: BigInt(deliveryId) }, include: { endpoint: true } });
      if (!d) throw new CliError(`<deliveryId>: no delivery with id ${deliveryId}`);
      if (!d.endpoint.active) throw new CliError(`<deliveryId>: its endpoint ${d.endpointId} was removed`);
      const again = await prisma.webhookDelivery.create({ data: { endpointId: d.endpointId, eventId: d.eventId, orderingKey: d.orderingKey } });
      ctx.out(`delivery ${again.id} queued (again of ${deliveryId})`);
    });
}
