import type { Command } from 'commander';
import { z } from 'zod';
import { API_SCOPES, type ApiScope } from '../../auth/api-tokens.js';
import { EVENT_TYPES } from '../../webhooks/events.js';
import { CliError, dateTime, id, parse, staffActor, text, type CliDeps } from '../validate.js';

const list = (what: string, allowed: readonly string[]) =>
  z
    .string()
    .transform((v) => [
      ...new Set(
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ])
    .refine((v) => v.length > 0, `give at least one ${what}`)
    .refine((v) => v.every((s) => allowed.includes(s)), {
      error: (iss) => `unknown ${what} in "${String(iss.input)}" (choose from ${allowed.join(', ')})`,
    });

const TokenCreate = z.object({ name: text(100), scopes: list('scope', API_SCOPES), expires: dateTime.optional() });

/** A webhook URL: https, or http on the loopback interface (a receiver on the same machine, tests). */
const webhookUrl = z.url('not a URL').refine((v) => {
  const u = new URL(v);
  return (
    u.protocol === 'https:' || (u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname))
  );
}, 'must be an https URL (http only on 127.0.0.1 or localhost)');
const WebhookAdd = z.object({ url: webhookUrl, events: list('event', ['*', ...EVENT_TYPES]) });
const when = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') + 'Z' : '-');

/** Registers `api-token:*` and `webhook:*`: how Vcare's own systems are let in and told about changes. */
export function registerIntegrationCommands(program: Command, ctx: CliDeps): void {
  const { integration } = ctx.services;

  program
    .command('api-token:create')
    .description("create an API token for one of Vcare's systems; the token is shown once and stored only as a hash")
    .requiredOption('--name <name>', 'what uses it, e.g. "ERP invoices"')
    .requiredOption('--scopes <list>', `comma-separated: ${API_SCOPES.join(', ')}`)
    .option('--expires <date>', 'expiry (ISO date or date-time, Amsterdam time), e.g. 2027-01-01')
    .action(async (raw: Record<string, unknown>) => {
      const o = parse(TokenCreate, raw);
      if (o.expires && o.expires <= ctx.now()) throw new CliError('--expires: must be in the future');
      const { row: created, token } = await integration.createToken(staffActor(), {
        name: o.name,
        scopes: o.scopes as ApiScope[],
        expiresAt: o.expires ?? null,
      });
      ctx.out(
        `api token ${created.id} created: ${created.name} (${o.scopes.join(', ')})${o.expires ? `, expires ${when(o.expires)}` : ''}`,
      );
      ctx.out(`token (shown only now; store it in the calling system's secret store): ${token}`);
    });

  program
    .command('api-token:list')
    .description('list API tokens, tab-separated: id, name, prefix, scopes, created, expires, last used, state')
    .action(async () => {
      const rows = await integration.listTokens();
      const now = ctx.now();
      for (const t of rows) {
        const state = t.revokedAt
          ? `revoked ${when(t.revokedAt)}`
          : t.expiresAt && t.expiresAt <= now
            ? 'expired'
            : 'active';
        ctx.out(
          [
            t.id,
            t.name,
            `${t.prefix}…`,
            t.scopes.join(','),
            when(t.createdAt),
            when(t.expiresAt),
            when(t.lastUsedAt),
            state,
          ].join('\t'),
        );
      }
    });

  program
    .command('api-token:revoke')
    .description('revoke an API token: its next request is refused (401)')
    .argument('<id>', 'token id (from api-token:list)')
    .action(async (rawId: string) => {
      const { id: tokenId } = parse(z.object({ id }), { id: rawId }, ['id']);
      await integration.revokeToken(staffActor(), tokenId);
      ctx.out(`api token ${tokenId} revoked`);
    });

  program
    .command('webhook:add')
    .description('register a webhook endpoint; each event is POSTed to it, signed with the secret shown once')
    .requiredOption('--url <url>', 'the receiver (https)')
    .requiredOption('--events <list>', `comma-separated, or * for all: ${EVENT_TYPES.join(', ')}`)
    .action(async (raw: Record<string, unknown>) => {
      const o = parse(WebhookAdd, raw);
      const { row: ep, secret } = await integration.addWebhook(staffActor(), { url: o.url, events: o.events });
      ctx.out(`webhook ${ep.id} added: ${ep.url} (${o.events.join(', ')})`);
      ctx.out(`signing secret (shown only now): ${secret}`);
    });

  program
    .command('webhook:list')
    .description('list webhook endpoints, tab-separated: id, url, events, pending, failed, delivered')
    .action(async () => {
      for (const e of await integration.listWebhooks()) {
        ctx.out(
          [
            e.id,
            e.url,
            e.events.join(','),
            `pending ${e.pending}`,
            `failed ${e.failed}`,
            `delivered ${e.delivered}`,
          ].join('\t'),
        );
      }
    });

  program
    .command('webhook:remove')
    .description('remove a webhook endpoint (its pending deliveries are dropped)')
    .argument('<id>', 'endpoint id')
    .action(async (rawId: string) => {
      const { id: epId } = parse(z.object({ id }), { id: rawId }, ['id']);
      await integration.removeWebhook(staffActor(), epId);
      ctx.out(`webhook ${epId} removed`);
    });

  program
    .command('webhook:deliveries')
    .description(
      'the delivery log of an endpoint, newest first, tab-separated: delivery id, event id, type, state, attempts, last status, last error, created',
    )
    .argument('<id>', 'endpoint id')
    .option('--limit <n>', 'at most this many (default 50)')
    .action(async (rawId: string, raw: Record<string, unknown>) => {
      const o = parse(
        z.object({
          id,
          limit: z
            .string()
            .regex(/^\d{1,4}$/, 'must be a whole number up to 9999')
            .transform(Number)
            .default(50),
        }),
        { ...raw, id: rawId },
        ['id'],
      );
      for (const d of await integration.webhookDeliveries(o.id, o.limit)) {
        const state = d.deliveredAt
          ? `delivered ${when(d.deliveredAt)}`
          : d.failedAt
            ? `failed ${when(d.failedAt)}`
            : `pending, next ${when(d.nextAttemptAt)}`;
        ctx.out(
          [
            d.id,
            d.event.publicId,
            d.event.type,
            state,
            d.attempts,
            d.lastStatus ?? '-',
            d.lastError ?? '-',
            when(d.createdAt),
          ].join('\t'),
        );
      }
    });

  program
    .command('webhook:redeliver')
    .description('send a delivery again (a new delivery of the same event, with the same event id)')
    .argument('<deliveryId>', 'delivery id (from webhook:deliveries)')
    .action(async (rawId: string) => {
      const { deliveryId } = parse(z.object({ deliveryId: id }), { deliveryId: rawId }, ['deliveryId']);
      const again = await integration.redeliverWebhook(deliveryId);
      ctx.out(`delivery ${again.id} queued (again of ${deliveryId})`);
    });
}
