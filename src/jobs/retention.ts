import type pg from 'pg';
import type { Clock } from '../clock.js';
import type { PrismaClient } from '../db/client.js';
import { log } from '../log.js';
import { sweepStoredFiles, SWEEP_AFTER_MS } from '../storage/registry.js';
import type { FileStorage } from '../storage/types.js';
import { startWorkerLoop, type WorkerLoop } from './worker-loop.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * How long each growing table keeps its rows (docs/retention.md explains every choice). The
 * clean-up reads these; the tests and the docs name them.
 */
export const RETENTION = {
  /** Files of a refused ticket form, waiting for the person to submit again (the form says a day). */
  pendingUploadMs: DAY,
  /** Mails sent, or given up: the staff tool's mail:list shows the failed ones meanwhile. */
  mailMs: 30 * DAY,
  /** Webhook deliveries delivered or given up (the delivery log), and events no delivery names. */
  webhookMs: 30 * DAY,
  /** Sessions: gone once expired or ended (their own expiry). */
  sessionMs: 0,
  /** Login throttle counters: a day after their window started, unless still locked. */
  throttleMs: DAY,
  /** API rate counters (a minute each): an hour. */
  apiRateMs: HOUR,
  /** API Idempotency-Keys: promised for 24 hours, kept 25. */
  idempotencyMs: 25 * HOUR,
  /** Audit events (the customer's Activiteiten): two years. */
  auditMs: 730 * DAY,
  /** Password-reset and invitation tokens: a month after they expired (the newest open invitation stays). */
  passwordTokenMs: 30 * DAY,
  /** Known browsers: a year after last seen (the pim_browser cookie lasts a year). */
  knownBrowserMs: 365 * DAY,
  /** Registered files no row names (src/storage/registry.ts). */
  storedFileMs: SWEEP_AFTER_MS,
} as const;

/** Rows deleted per statement: short locks, short transactions, whatever the backlog. */
const BATCH = 1_000;

/** The advisory lock that lets one instance at a time do the clean-up (any two numbers of our own). */
const LOCK: [number, number] = [20_261_207, 19];

/** What one run removed, per table; `skipped` when another instance held the lock. */
export type RetentionResult = { skipped: true } | { skipped: false; removed: Record<string, number> };

/** What the clean-up works with. */
export interface RetentionDeps {
  prisma: PrismaClient;
  pool: pg.Pool;
  storage: FileStorage;
  clock: Clock;
}

/**
 * Repeats `batch` (which deletes at most BATCH rows and says how many) until less than a full batch
 * is left, or the portal is stopping (`signal`): the rest goes the next hour.
 */
function draining(signal: AbortSignal | undefined) {
  return async (batch: () => Promise<number>): Promise<number> => {
    let removed = 0;
    for (;;) {
      const n = await batch();
      removed += n;
      if (n < BATCH || signal?.aborted) return removed;
    }
  };
}

/**
 * Deletes whatever has outlived its retention, table by table, in batches over indexed columns.
 * Every instance may call it; an advisory lock (held on a connection of its own, released when
 * that connection ends, a crash included) lets one run at a time and the others skip.
 */
export async function runRetention(deps: RetentionDeps, signal?: AbortSignal): Promise<RetentionResult> {
  const conn = await deps.pool.connect();
  try {
    const { rows } = await conn.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', LOCK);
    if (!rows[0]?.ok) return { skipped: true };
    try {
      return { skipped: false, removed: await removeExpired(deps, signal) };
    } finally {
      await conn.query('SELECT pg_advisory_unlock($1, $2)', LOCK);
    }
  } finally {
    conn.release();
  }
}

async function removeExpired(
  { prisma, storage, clock }: RetentionDeps,
  signal: AbortSignal | undefined,
): Promise<Record<string, number>> {
  const drain = draining(signal);
  const now = clock.now();
  const before = (ms: number) => new Date(now.getTime() - ms);
  const removed: Record<string, number> = {};

  // Pending uploads first: their files then go with them (and a crash in between leaves the file
  // to the stored-file sweep, which finds no row naming it).
  const pendingBefore = before(RETENTION.pendingUploadMs);
  removed.pendingUploads = await drain(async () => {
    const gone = await prisma.$queryRaw<{ storage_key: string }[]>`
      DELETE FROM ticket_attachments WHERE id IN (
        SELECT id FROM ticket_attachments WHERE ticket_id IS NULL AND created_at < ${pendingBefore}
        ORDER BY ticket_id, created_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
      RETURNING storage_key`;
    for (const { storage_key } of gone) await storage.delete(storage_key).catch(() => {});
    return gone.length;
  });

  const mailBefore = before(RETENTION.mailMs);
  removed.mailOutbox =
    (await drain(
      () => prisma.$executeRaw`
        DELETE FROM mail_outbox WHERE id IN (
          SELECT id FROM mail_outbox WHERE sent_at < ${mailBefore} ORDER BY sent_at LIMIT ${BATCH})`,
    )) +
    (await drain(
      () => prisma.$executeRaw`
        DELETE FROM mail_outbox WHERE id IN (
          SELECT id FROM mail_outbox WHERE failed_at < ${mailBefore} ORDER BY failed_at LIMIT ${BATCH})`,
    ));

  const hookBefore = before(RETENTION.webhookMs);
  removed.webhookDeliveries =
    (await drain(
      () => prisma.$executeRaw`
        DELETE FROM webhook_deliveries WHERE id IN (
          SELECT id FROM webhook_deliveries WHERE delivered_at < ${hookBefore} ORDER BY delivered_at LIMIT ${BATCH})`,
    )) +
    (await drain(
      () => prisma.$executeRaw`
        DELETE FROM webhook_deliveries WHERE id IN (
          SELECT id FROM webhook_deliveries WHERE failed_at < ${hookBefore} ORDER BY failed_at LIMIT ${BATCH})`,
    ));
  // An event lives as long as a delivery names it (webhook:redeliver sends the event again).
  removed.webhookEvents = await drain(
    () => prisma.$executeRaw`
      DELETE FROM webhook_events WHERE id IN (
        SELECT e.id FROM webhook_events e
        WHERE e.created_at < ${hookBefore} AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id)
        ORDER BY e.created_at LIMIT ${BATCH})`,
  );

  // Ended sessions have expire = -infinity; the rest expire by their cookie.
  const sessionBefore = before(RETENTION.sessionMs);
  removed.sessions = await drain(
    () => prisma.$executeRaw`
      DELETE FROM session WHERE sid IN (
        SELECT sid FROM session WHERE expire < ${sessionBefore}::timestamptz ORDER BY expire LIMIT ${BATCH})`,
  );

  const throttleBefore = before(RETENTION.throttleMs);
  removed.loginThrottles = await drain(
    () => prisma.$executeRaw`
      DELETE FROM login_throttles WHERE key IN (
        SELECT key FROM login_throttles
        WHERE window_start < ${throttleBefore} AND (locked_until IS NULL OR locked_until < ${now})
        ORDER BY window_start LIMIT ${BATCH})`,
  );

  const rateBefore = before(RETENTION.apiRateMs);
  removed.apiRateCounters = await drain(
    () => prisma.$executeRaw`
      DELETE FROM api_rate_counters WHERE (token_id, window_start) IN (
        SELECT token_id, window_start FROM api_rate_counters WHERE window_start < ${rateBefore}
        ORDER BY window_start LIMIT ${BATCH})`,
  );

  const keyBefore = before(RETENTION.idempotencyMs);
  removed.idempotencyKeys = await drain(
    () => prisma.$executeRaw`
      DELETE FROM api_idempotency_keys WHERE (token_id, key) IN (
        SELECT token_id, key FROM api_idempotency_keys WHERE created_at < ${keyBefore}
        ORDER BY created_at LIMIT ${BATCH})`,
  );

  const auditBefore = before(RETENTION.auditMs);
  removed.auditEvents = await drain(
    () => prisma.$executeRaw`
      DELETE FROM audit_events WHERE id IN (
        SELECT id FROM audit_events WHERE at < ${auditBefore} ORDER BY at LIMIT ${BATCH})`,
  );

  // The contacts list tells "invitation expired" from the newest open invitation: that one stays.
  const tokenBefore = before(RETENTION.passwordTokenMs);
  removed.passwordTokens = await drain(
    () => prisma.$executeRaw`
      DELETE FROM password_tokens WHERE id IN (
        SELECT t.id FROM password_tokens t
        WHERE t.expires_at < ${tokenBefore}
          AND (t.purpose = 'RESET' OR t.used_at IS NOT NULL OR EXISTS (
            SELECT 1 FROM password_tokens n
            WHERE n.contact_id = t.contact_id AND n.purpose = 'INVITE' AND n.expires_at > t.expires_at))
        ORDER BY t.expires_at LIMIT ${BATCH})`,
  );

  const browserBefore = before(RETENTION.knownBrowserMs);
  removed.knownBrowsers = await drain(
    () => prisma.$executeRaw`
      DELETE FROM known_browsers WHERE (contact_id, browser_hash) IN (
        SELECT contact_id, browser_hash FROM known_browsers WHERE last_seen_at < ${browserBefore}
        ORDER BY last_seen_at LIMIT ${BATCH})`,
  );

  // Last: the files whose rows went above are deleted already; this catches what nothing names.
  removed.storedFiles = await sweepStoredFiles(prisma, storage, before(RETENTION.storedFileMs), BATCH);
  return removed;
}

/**
 * Runs the clean-up hourly (and once soon after start) in every instance; the advisory lock in
 * runRetention lets one do the work. `stop()` ends a run in progress after the batch in hand.
 */
export function startRetention(deps: RetentionDeps, intervalMs = HOUR): WorkerLoop {
  const loop = startWorkerLoop({
    name: 'retention',
    intervalMs,
    run: async (signal) => {
      const result = await runRetention(deps, signal);
      if (!result.skipped) {
        const removed = Object.entries(result.removed).filter(([, n]) => n > 0);
        if (removed.length) log.info(`retention: removed ${removed.map(([t, n]) => `${n} ${t}`).join(', ')}`);
      }
    },
  });
  const first = setTimeout(() => void loop.kick(), 60_000);
  first.unref();
  return {
    kick: () => loop.kick(),
    stop: () => {
      clearTimeout(first);
      return loop.stop();
    },
  };
}
