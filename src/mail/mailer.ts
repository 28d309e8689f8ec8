import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { PrismaClient } from '../db/client.js';
import { log } from '../log.js';

/** Sends one message; SMTP in real use, .eml files when no SMTP server is configured. */
export interface Transport {
  send(msg: { from: string; to: string; subject: string; text: string; html?: string | null; headers?: Record<string, string> | null }): Promise<void>;
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
      const file = path.resolve(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${Math.random().toString(36).slice(2, 8)}.eml`);
      writeFileSync(file, info.message as Buffer);
      log.info(`mail to ${msg.to} written to ${file}`);
    },
    close: () => {},
  };
}

const BATCH = 20;
const MAX_BACKOFF_MS = 30 * 60_000;

/**
 * Sends due outbox rows. Rows are claimed with FOR UPDATE SKIP LOCKED, so several app
 * instances can run the worker at once without sending a mail twice. A failed send is
 * retried with exponential back-off. Times are the database's, shared by every instance.
 * Returns the number sent.
 */
export async function deliverDue(prisma: PrismaClient, transport: Transport, from: string): Promise<number> {
  let sent = 0;
  for (;;) {
    const n = await prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ id: bigint; recipient: string; subject: string; text: string; html: string | null; headers: Record<string, string> | null; attempts: number }[]>`
        SELECT id, recipient, subject, text, html, headers, attempts FROM mail_outbox
        WHERE sent_at IS NULL AND next_attempt_at <= now()
        ORDER BY next_attempt_at, id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`;
      let ok = 0;
      for (const row of rows) {
        try {
          await transport.send({ from, to: row.recipient, subject: row.subject, text: row.text, html: row.html, headers: row.headers });
          await tx.$executeRaw`UPDATE mail_outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ${row.id}`;
          ok++;
        } catch (err) {
          const backoff = Math.min(MAX_BACKOFF_MS, 5_000 * 2 ** row.attempts);
          const message = String((err as Error).message).slice(0, 500);
          await tx.$executeRaw`UPDATE mail_outbox SET attempts = attempts + 1, last_error = ${message},
            next_attempt_at = now() + make_interval(secs => ${backoff / 1000}) WHERE id = ${row.id}`;
          log.warn(`mail ${row.id} to ${row.recipient} failed (attempt ${row.attempts + 1})`, (err as Error).message);
        }
      }
      return { claimed: rows.length, ok };
    }, { timeout: 120_000 });
    sent += n.ok;
    if (n.claimed < BATCH || n.ok === 0) return sent;
  }
}

/** Runs deliverDue every `intervalMs` and on `kick()`; `stop()` waits for the current run. */
export function startOutboxWorker(prisma: PrismaClient, transport: Transport, from: string, intervalMs = 5_000) {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    if (stopped) return running;
    running = running.then(() => deliverDue(prisma, transport, from)).catch((err) => log.error('outbox worker', err));
    return running;
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    kick: tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      transport.close();
    },
  };
}
