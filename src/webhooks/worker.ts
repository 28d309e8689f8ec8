import type { PrismaClient } from '../db/client.js';
import { log } from '../log.js';
import { startWorkerLoop, type WorkerLoop } from '../jobs/worker-loop.js';
import { signWebhook, WEBHOOK_HEADERS } from './signature.js';
import { postOutbound } from './outbound.js';

const BATCH = 10;
const MAX_BACKOFF_MS = 60 * 60_000;
/** How long a failing delivery is retried before the worker gives up (webhook:redeliver starts it again). */
export const RETRY_HOURS = 24;

/** What the worker needs; tests pass a short timeout. */
export interface WebhookWorkerOptions {
  timeoutMs?: number;
  /** Deliver to loopback, private and link-local addresses too (WEBHOOK_ALLOW_PRIVATE; tests' receivers). */
  allowPrivate?: boolean;
}

interface DueRow {
  id: bigint;
  attempts: number;
  url: string;
  secret: string;
  public_id: string;
  type: string;
  payload: unknown;
}

/** Seconds to wait after the n-th failure: 10 s doubling to an hour, with jitter so receivers are not hit in step. */
export function backoffMs(attempts: number): number {
  const base = Math.min(MAX_BACKOFF_MS, 10_000 * 2 ** Math.min(attempts, 20));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** Posts one event; resolves to the HTTP status, or throws on a network error or timeout. */
async function post(row: DueRow, opts: Required<WebhookWorkerOptions>): Promise<number> {
  const body = JSON.stringify(row.payload);
  const timestamp = Math.floor(Date.now() / 1000);
  // Redirects are not followed, and the address is checked where the connection is made.
  return postOutbound(
    row.url,
    {
      'content-type': 'application/json',
      'user-agent': 'PIM-Webhooks/1',
      [WEBHOOK_HEADERS.id]: row.public_id,
      [WEBHOOK_HEADERS.type]: row.type,
      [WEBHOOK_HEADERS.timestamp]: String(timestamp),
      [WEBHOOK_HEADERS.signature]: `v1=${signWebhook(row.secret, timestamp, body)}`,
    },
    body,
    opts,
  );
}

/**
 * Delivers due webhook deliveries. Rows are claimed with FOR UPDATE SKIP LOCKED (several app
 * instances may run the worker). A delivery waits while an earlier one for the same endpoint
 * and record (ordering key) is still pending, so one ticket's events arrive in order. A 2xx
 * answer delivers; anything else is retried with back-off until 24 hours after the event, then
 * marked failed. After `signal` aborts no further batch (of 10) is claimed. Returns the number delivered.
 */
export async function deliverDueWebhooks(
  prisma: PrismaClient,
  options: WebhookWorkerOptions = {},
  signal?: AbortSignal,
): Promise<number> {
  const opts = { timeoutMs: options.timeoutMs ?? 10_000, allowPrivate: options.allowPrivate ?? false };
  let delivered = 0;
  for (;;) {
    const ok = await prisma.$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<DueRow[]>`
          SELECT d.id, d.attempts, e.url, e.secret, ev.public_id, ev.type, ev.payload
          FROM webhook_deliveries d
          JOIN webhook_endpoints e ON e.id = d.endpoint_id
          JOIN webhook_events ev ON ev.id = d.event_id
          WHERE d.delivered_at IS NULL AND d.failed_at IS NULL AND d.next_attempt_at <= now() AND e.active
            AND NOT EXISTS (
              SELECT 1 FROM webhook_deliveries p
              WHERE p.endpoint_id = d.endpoint_id AND p.ordering_key = d.ordering_key AND p.id < d.id
                AND p.delivered_at IS NULL AND p.failed_at IS NULL)
          ORDER BY d.next_attempt_at, d.id LIMIT ${BATCH}
          FOR UPDATE OF d SKIP LOCKED`;
        let n = 0;
        for (const row of rows) {
          let status: number | null = null;
          let error: string | null = null;
          try {
            status = await post(row, opts);
            if (status < 200 || status >= 300) error = `HTTP ${status}`;
          } catch (e) {
            error = String((e as Error).message ?? e).slice(0, 500);
          }
          if (!error) {
            await tx.$executeRaw`UPDATE webhook_deliveries SET delivered_at = now(), attempts = attempts + 1, last_status = ${status}, last_error = NULL WHERE id = ${row.id}`;
            n++;
            continue;
          }
          const wait = backoffMs(row.attempts);
          await tx.$executeRaw`
            UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = ${status}, last_error = ${error},
              next_attempt_at = now() + make_interval(secs => ${wait / 1000}),
              failed_at = CASE WHEN created_at < now() - make_interval(hours => ${RETRY_HOURS}) THEN now() END
            WHERE id = ${row.id}`;
          // Where to, without what a URL may carry besides (credentials in it, a token in its query).
          const to = URL.parse(row.url);
          log.warn(
            `webhook ${row.public_id} to ${to ? `${to.origin}${to.pathname}` : 'its endpoint'} failed (attempt ${row.attempts + 1}): ${error}`,
          );
        }
        return { claimed: rows.length, ok: n };
      },
      { timeout: 10 * 60_000, maxWait: 10_000 },
    );
    delivered += ok.ok;
    // Stop when nothing was delivered: what is left waits for its back-off (or for an earlier event).
    if (ok.ok === 0) return delivered;
    // Stopping (SIGTERM): the batch in hand was posted and recorded; the rest waits for the next instance.
    if (signal?.aborted) return delivered;
  }
}

/**
 * Runs deliverDueWebhooks every `intervalMs` and on `kick()`
 * (src/jobs/worker-loop.ts); `stop()` waits for the current run.
 */
export function startWebhookWorker(
  prisma: PrismaClient,
  intervalMs = 2_000,
  options: WebhookWorkerOptions = {},
): WorkerLoop {
  return startWorkerLoop({
    name: 'webhook worker',
    intervalMs,
    run: (signal) => deliverDueWebhooks(prisma, options, signal),
  });
}
