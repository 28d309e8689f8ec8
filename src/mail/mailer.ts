import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { PrismaClient } from '../db/client.js';
import { log } from '../log.js';
import { systemClock, type Clock } from '../clock.js';
import { startWorkerLoop, type WorkerLoop } from '../jobs/worker-loop.js';

/** Sends one message; SMTP in real use, .eml files when no SMTP server is configured. */
export interface Transport {
  send(msg: {
    from: string;
    to: string;
    subject: string;
    text: string;
    html?: string | null;
    headers?: Record<string, string> | null;
  }): Promise<void>;
  close(): void;
}

/** SMTP through nodemailer (`smtp://user:pass@host:port`, `smtps://...`). */
export function smtpTransport(url: string): Transport {
  const t = nodemailer.createTransport(url);
  return {
    async send(msg) {
      await t.sendMail({ ...msg, html: msg.html ?? undefined, headers: msg.headers ?? undefined });
    },
    close: () => t.close(),
  };
}

/** Writes each mail as an .eml file under `dir` and logs the path: a reset link works on a laptop. */
export function fileTransport(dir: string): Transport {
  const t = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(msg) {
      const info = await t.sendMail({ ...msg, html: msg.html ?? undefined, headers: msg.headers ?? undefined });
      mkdirSync(dir, { recursive: true });
      const file = path.resolve(
        dir,
        `${new Date().toISOString().replace(/[:.]/g, '-')}-${Math.random().toString(36).slice(2, 8)}.eml`,
      );
      writeFileSync(file, info.message as Buffer);
      log.info(`mail to ${msg.to} written to ${file}`);
    },
    close: () => {},
  };
}

const BATCH = 20;

/** How to retry: the waits between attempts (the last repeats) and when to give up. */
export interface RetryPolicy {
  scheduleMs: readonly number[];
  giveUpMs: number;
}

/** The default policy (MAIL_RETRY_SCHEDULE, MAIL_GIVE_UP_HOURS unset). */
export const DEFAULT_RETRY: RetryPolicy = { scheduleMs: [15_000, 60_000, 120_000, 300_000], giveUpMs: 48 * 3_600_000 };

/** The wait after the `failures`-th failed attempt (1-based). */
export function retryDelay(policy: RetryPolicy, failures: number): number {
  const s = policy.scheduleMs;
  return s[Math.min(failures, s.length) - 1] ?? s[s.length - 1] ?? 60_000;
}

interface DueRow {
  id: bigint;
  recipient: string;
  subject: string;
  text: string;
  html: string | null;
  /** Extra headers (List-Unsubscribe), or null. */
  headers: Record<string, string> | null;
  attempts: number;
  created_at: Date;
  retried_at: Date | null;
  expires_at: Date | null;
}

/**
 * Sends due outbox rows. Rows are claimed with FOR UPDATE SKIP LOCKED, so several app
 * instances can run the worker at once without sending a mail twice. A failed send waits
 * by the policy's schedule; a mail still unsent `giveUpMs` after it was queued (or put back
 * by staff) is given up (failed_at), and a mail whose link has expired is never sent late:
 * it fails as expired. `now` is the app's clock. After `signal` aborts no further batch (of 20) is
 * claimed. Returns the number sent.
 */
export async function deliverDue(
  prisma: PrismaClient,
  transport: Transport,
  from: string,
  opts: { now?: Date; policy?: RetryPolicy; signal?: AbortSignal } = {},
): Promise<number> {
  const now = opts.now ?? new Date();
  const policy = opts.policy ?? DEFAULT_RETRY;
  let sent = 0;
  for (;;) {
    const n = await prisma.$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<DueRow[]>`
        SELECT id, recipient, subject, text, html, headers, attempts, created_at, retried_at, expires_at FROM mail_outbox
        WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ${now}
        ORDER BY next_attempt_at, id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`;
        let ok = 0;
        for (const row of rows) {
          if (row.expires_at && row.expires_at <= now) {
            await tx.$executeRaw`UPDATE mail_outbox SET failed_at = ${now}, last_error = ${'expired: the link in this mail no longer works, so it is not sent'} WHERE id = ${row.id}`;
            log.warn(
              `mail ${row.id} to ${row.recipient} not sent: its link expired at ${row.expires_at.toISOString()}`,
            );
            continue;
          }
          try {
            await transport.send({
              from,
              to: row.recipient,
              subject: row.subject,
              text: row.text,
              html: row.html,
              headers: row.headers,
            });
            await tx.$executeRaw`UPDATE mail_outbox SET sent_at = ${now}, attempts = attempts + 1, last_error = NULL WHERE id = ${row.id}`;
            ok++;
          } catch (err) {
            const message = String((err as Error).message).slice(0, 500);
            const next = new Date(now.getTime() + retryDelay(policy, row.attempts + 1));
            const since = row.retried_at ?? row.created_at;
            if (next.getTime() - since.getTime() > policy.giveUpMs) {
              await tx.$executeRaw`UPDATE mail_outbox SET attempts = attempts + 1, last_error = ${message}, failed_at = ${now} WHERE id = ${row.id}`;
              log.error(`mail ${row.id} to ${row.recipient} given up after ${row.attempts + 1} attempts: ${message}`);
            } else {
              await tx.$executeRaw`UPDATE mail_outbox SET attempts = attempts + 1, last_error = ${message}, next_attempt_at = ${next} WHERE id = ${row.id}`;
              log.warn(
                `mail ${row.id} to ${row.recipient} failed (attempt ${row.attempts + 1}), next at ${next.toISOString()}`,
                message,
              );
            }
          }
        }
        return { claimed: rows.length, ok };
      },
      { timeout: 120_000 },
    );
    sent += n.ok;
    // Stopping (SIGTERM): the batch in hand was sent and recorded; the rest waits for the next instance.
    if (n.claimed < BATCH || n.ok === 0 || opts.signal?.aborted) return sent;
  }
}

/**
 * Runs deliverDue every `intervalMs` and on `kick()` (src/jobs/worker-loop.ts);
 * `stop()` waits for the current run, then closes the transport.
 */
export function startOutboxWorker(
  prisma: PrismaClient,
  transport: Transport,
  from: string,
  opts: { clock?: Clock; policy?: RetryPolicy; intervalMs?: number } = {},
): WorkerLoop {
  const clock = opts.clock ?? systemClock;
  const loop = startWorkerLoop({
    name: 'outbox worker',
    intervalMs: opts.intervalMs ?? 5_000,
    run: (signal) => deliverDue(prisma, transport, from, { now: clock.now(), policy: opts.policy, signal }),
  });
  return {
    kick: () => loop.kick(),
    async stop() {
      await loop.stop();
      transport.close();
    },
  };
}
