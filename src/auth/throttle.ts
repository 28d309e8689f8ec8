import type { PrismaClient } from '../db/client.js';

/** One counter's rule: `limit` failures within `windowMs` lock the key for `lockMs`. */
export interface Rule {
  key: string;
  limit: number;
  windowMs: number;
  lockMs: number;
}

const MINUTE = 60_000;

/**
 * The counters for one login attempt. Locks are short and fixed (never growing), and the
 * account-wide counter is skipped for a browser that has logged in to that account before
 * (device cookie), so a stranger cannot keep the owner out: OWASP's "device cookies".
 */
export function loginRules(email: string, ip: string, knownDevice: string | null): Rule[] {
  const acct = email.trim().toLowerCase();
  if (knownDevice) return [{ key: `dev:${knownDevice}`, limit: 5, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE }];
  return [
    { key: `acctip:${acct}|${ip}`, limit: 5, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE },
    { key: `acct:${acct}`, limit: 20, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE },
    { key: `ip:${ip}`, limit: 100, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE },
  ];
}

/**
 * The rules for asking a reset link: per address and per client address. The per-address
 * lock is short, so whoever knows an address cannot keep its owner from a link for long
 * (and the mails they trigger reach the owner anyway).
 */
export function resetRules(email: string, ip: string): Rule[] {
  return [
    { key: `reset:${email.trim().toLowerCase()}`, limit: 5, windowMs: 60 * MINUTE, lockMs: 15 * MINUTE },
    { key: `resetip:${ip}`, limit: 20, windowMs: 60 * MINUTE, lockMs: 60 * MINUTE },
  ];
}

/**
 * The rule for "this address is already in use" answers to one contact manager: the address
 * is the username across the portal, so the answer tells that it exists somewhere; many of
 * them in an hour is a probe, not typing.
 */
export function addressCheckRules(actorId: number): Rule[] {
  return [{ key: `emailcheck:${actorId}`, limit: 20, windowMs: 60 * MINUTE, lockMs: 60 * MINUTE }];
}

/** The time until which any of the keys is locked, or null. */
export async function lockedUntil(prisma: PrismaClient, rules: Rule[], now: Date): Promise<Date | null> {
  const rows = await prisma.loginThrottle.findMany({
    where: { key: { in: rules.map((r) => r.key) }, lockedUntil: { gt: now } },
    select: { lockedUntil: true },
  });
  const times = rows.map((r) => r.lockedUntil!.getTime());
  return times.length ? new Date(Math.max(...times)) : null;
}

/**
 * Counts one event against every rule, atomically in PostgreSQL (so every app instance sees
 * the same count); returns the lock time when this event locked a key.
 */
export async function recordHit(prisma: PrismaClient, rules: Rule[], now: Date): Promise<Date | null> {
  let locked: Date | null = null;
  for (const r of rules) {
    const windowFloor = new Date(now.getTime() - r.windowMs);
    const lockEnd = new Date(now.getTime() + r.lockMs);
    const rows = await prisma.$queryRaw<{ locked_until: Date | null }[]>`
      INSERT INTO login_throttles (key, failures, window_start) VALUES (${r.key}, 1, ${now})
      ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN login_throttles.window_start < ${windowFloor} THEN 1 ELSE login_throttles.failures + 1 END,
        window_start = CASE WHEN login_throttles.window_start < ${windowFloor} THEN ${now} ELSE login_throttles.window_start END
      RETURNING failures, locked_until`;
    const failures = (rows[0] as unknown as { failures: number }).failures;
    if (failures >= r.limit) {
      await prisma.loginThrottle.update({ where: { key: r.key }, data: { lockedUntil: lockEnd, failures: 0, windowStart: now } });
      if (!locked || lockEnd > locked) locked = lockEnd;
    }
  }
  return locked;
}

/** Forgets the counters (after a successful login or a password reset). */
export async function clearKeys(prisma: PrismaClient, keys: string[]): Promise<void> {
  await prisma.loginThrottle.deleteMany({ where: { key: { in: keys } } });
}

/** Removes counters that can no longer matter. */
export async function pruneThrottles(prisma: PrismaClient, now: Date): Promise<void> {
  const dayAgo = new Date(now.getTime() - 24 * 60 * MINUTE);
  await prisma.loginThrottle.deleteMany({ where: { windowStart: { lt: dayAgo }, OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] } });
}

/**
 * Prunes expired counters now and then (every instance does; deleting twice is harmless), so
 * the table holds only the last day's attempts however many addresses are tried.
 */
export function startThrottlePruning(prisma: PrismaClient, now: () => Date, intervalMs = 15 * MINUTE): { stop(): void } {
  const prune = () => void pruneThrottles(prisma, now()).catch(() => {});
  const timer = setInterval(prune, intervalMs);
  timer.unref();
  prune();
  return { stop: () => clearInterval(timer) };
}
