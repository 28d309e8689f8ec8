import type { PrismaClient, Tx } from '../db/client.js';

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
  const acct = account(email);
  if (knownDevice) return [{ key: `dev:${knownDevice}`, limit: 5, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE }];
  return [
    { key: `acctip:${acct}|${ip}`, limit: 5, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE },
    { key: `acct:${acct}`, limit: 20, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE },
    loginIpRule(ip),
  ];
}

/** The per-client-address login counter: the one a refused (malformed) login request counts on. */
function loginIpRule(ip: string): Rule {
  return { key: `ip:${ip}`, limit: 100, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE };
}

/** The per-client-address reset counter (also for a malformed request for a link). */
export function resetIpRule(ip: string): Rule {
  return { key: `resetip:${ip}`, limit: 20, windowMs: 60 * MINUTE, lockMs: 60 * MINUTE };
}

/**
 * The account part of a key: lower-case and bounded. An address longer than any real one
 * (254) is still counted, on its first 254 characters: a key past PostgreSQL's index-row
 * limit would fail the count and so escape the throttle.
 */
function account(email: string): string {
  return email.trim().toLowerCase().slice(0, 254);
}

/**
 * The rules for asking a reset link: per address and per client address. The per-address
 * lock is short, so whoever knows an address cannot keep its owner from a link for long
 * (and the mails they trigger reach the owner anyway).
 */
export function resetRules(email: string, ip: string): Rule[] {
  return [{ key: `reset:${account(email)}`, limit: 5, windowMs: 60 * MINUTE, lockMs: 15 * MINUTE }, resetIpRule(ip)];
}

/**
 * Counts a request the edge refused (malformed encoding, control characters, a damaged
 * cookie) when it was a login or reset attempt: on the client address's counter, as the
 * account in it cannot be trusted. Returns the lock time when this locked the address.
 */
export async function countRefusedAttempt(
  prisma: PrismaClient,
  method: string,
  path: string,
  ip: string,
  now: Date,
): Promise<Date | null> {
  if (method !== 'POST') return null;
  const rule = path === '/login' ? loginIpRule(ip) : path === '/password/forgot' ? resetIpRule(ip) : null;
  if (!rule) return null;
  // One key: an allowed attempt that comes back locked is the one that set the lock.
  const attempt = await takeAttempt(prisma, [rule], now);
  return attempt.allowed ? attempt.lockedUntil : null;
}

/**
 * The rule for "this address is already in use" answers to one contact manager: the address
 * is the username across the portal, so the answer tells that it exists somewhere; many of
 * them in an hour is a probe, not typing.
 */
export function addressCheckRules(actorId: number): Rule[] {
  return [{ key: `emailcheck:${actorId}`, limit: 20, windowMs: 60 * MINUTE, lockMs: 60 * MINUTE }];
}

/**
 * The rule for failed API authentications from one client address (an unknown, revoked or
 * expired Bearer token): taken before the token's look-up, given back when the token is valid,
 * so a burst of guesses gets at most the limit looked up while a valid token is never held.
 */
export function apiAuthRule(ip: string): Rule {
  return { key: `apiauth:${ip}`, limit: 50, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE };
}

/** What taking an attempt said: whether it may go ahead, and until when a key is locked (if one is). */
export interface Attempt {
  allowed: boolean;
  /** The latest lock among the keys after this attempt: set by it (the last attempt allowed) or before it. */
  lockedUntil: Date | null;
}

/**
 * Takes one attempt against every rule BEFORE the costly check (argon2, a code, a mail), and
 * counts it in the same statement: a burst of parallel requests gets no more checks than the
 * limit, whatever their order. Each key counts the attempts in its window; the one that reaches
 * the limit is still allowed and locks the key (if it fails, its answer can name the lock's
 * end); every attempt after it is refused until the lock ends, when a new window starts. A
 * success forgets the keys (clearKeys), so a person who gets in is not held to earlier misses.
 * Each key is one statement on its own (no transaction holds two keys, so bursts cannot deadlock).
 */
export async function takeAttempt(db: PrismaClient | Tx, rules: Rule[], now: Date): Promise<Attempt> {
  let allowed = true;
  let lockedUntil: Date | null = null;
  for (const r of rules) {
    const floor = new Date(now.getTime() - r.windowMs);
    const lockEnd = new Date(now.getTime() + r.lockMs);
    const first = r.limit <= 1 ? lockEnd : null;
    // A row starts afresh (counting 1) when its lock is over or, unlocked, its window is.
    const rows = await db.$queryRaw<{ failures: number; locked_until: Date | null }[]>`
      INSERT INTO login_throttles AS t (key, failures, window_start, locked_until) VALUES (${r.key}, 1, ${now}, ${first}::timestamptz)
      ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN t.locked_until <= ${now} OR (t.locked_until IS NULL AND t.window_start < ${floor}) THEN 1 ELSE t.failures + 1 END,
        window_start = CASE WHEN t.locked_until <= ${now} OR (t.locked_until IS NULL AND t.window_start < ${floor}) THEN ${now} ELSE t.window_start END,
        locked_until = CASE
          WHEN t.locked_until <= ${now} OR (t.locked_until IS NULL AND t.window_start < ${floor}) THEN ${first}::timestamptz
          WHEN t.locked_until IS NOT NULL THEN t.locked_until
          WHEN t.failures + 1 >= ${r.limit} THEN ${lockEnd}::timestamptz
        END
      RETURNING failures, locked_until`;
    const row = rows[0]!;
    if (row.failures > r.limit) allowed = false;
    if (row.locked_until && row.locked_until > now && (!lockedUntil || row.locked_until > lockedUntil))
      lockedUntil = row.locked_until;
  }
  return { allowed, lockedUntil };
}

/**
 * Gives an attempt back that turned out not to be a guess (a login that succeeded, on a key it
 * does not forget: the client address's, shared by an office), so it counts only failures; a
 * lock its count no longer reaches ends.
 */
export async function releaseAttempt(db: PrismaClient | Tx, rules: Rule[]): Promise<void> {
  for (const r of rules) {
    await db.$executeRaw`
      UPDATE login_throttles SET failures = GREATEST(failures - 1, 0),
        locked_until = CASE WHEN failures - 1 < ${r.limit} THEN NULL ELSE locked_until END
      WHERE key = ${r.key}`;
  }
}

/** Forgets the counters (after a successful login or a password reset). */
export async function clearKeys(prisma: PrismaClient, keys: string[]): Promise<void> {
  await prisma.loginThrottle.deleteMany({ where: { key: { in: keys } } });
}
