import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.js';
import { takeAttempt, type Rule } from '../../src/auth/throttle.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(() => db.drop());

const MINUTE = 60_000;
const NOW = new Date('2027-03-28T00:45:00Z'); // a quarter of an hour before the clocks go forward in Amsterdam
const at = (ms: number) => new Date(NOW.getTime() + ms);
const rule = (key: string, limit = 5): Rule => ({ key, limit, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE });

describe('takeAttempt: a limit taken and counted in one step, before the costly check', () => {
  it('lets exactly the limit through out of 200 parallel attempts, and the last one allowed sets the lock', async () => {
    const r = rule('acctip:burst@example.nl|127.0.0.1');
    const answers = await Promise.all(Array.from({ length: 200 }, () => takeAttempt(db.prisma, [r], NOW)));
    expect(answers.filter((a) => a.allowed)).toHaveLength(5);
    expect(answers.filter((a) => !a.allowed).every((a) => a.lockedUntil?.getTime() === at(15 * MINUTE).getTime())).toBe(
      true,
    );
    const row = await db.prisma.loginThrottle.findUniqueOrThrow({ where: { key: r.key } });
    expect(row.lockedUntil).toEqual(at(15 * MINUTE));
  });

  it('refuses while locked, counts afresh once the lock is over', async () => {
    const r = rule('acct:later@example.nl', 2);
    expect((await takeAttempt(db.prisma, [r], NOW)).allowed).toBe(true);
    const second = await takeAttempt(db.prisma, [r], NOW);
    expect(second).toEqual({ allowed: true, lockedUntil: at(15 * MINUTE) });
    expect((await takeAttempt(db.prisma, [r], at(14 * MINUTE))).allowed).toBe(false);
    // The lock ends: a new window, the first attempt of it.
    expect(await takeAttempt(db.prisma, [r], at(15 * MINUTE))).toEqual({ allowed: true, lockedUntil: null });
    expect((await db.prisma.loginThrottle.findUniqueOrThrow({ where: { key: r.key } })).failures).toBe(1);
  });

  it('forgets attempts of a window that has passed without a lock', async () => {
    const r = rule('acct:slow@example.nl', 3);
    for (let i = 0; i < 2; i++) expect((await takeAttempt(db.prisma, [r], NOW)).allowed).toBe(true);
    expect(await takeAttempt(db.prisma, [r], at(16 * MINUTE))).toEqual({ allowed: true, lockedUntil: null });
    expect((await db.prisma.loginThrottle.findUniqueOrThrow({ where: { key: r.key } })).failures).toBe(1);
  });

  it('allows an attempt only when every key allows it, and counts it on each', async () => {
    const wide = rule('ip:10.9.8.7', 100);
    const narrow = rule('acctip:two@example.nl|10.9.8.7', 3);
    const answers = await Promise.all(Array.from({ length: 50 }, () => takeAttempt(db.prisma, [narrow, wide], NOW)));
    expect(answers.filter((a) => a.allowed)).toHaveLength(3);
    expect((await db.prisma.loginThrottle.findUniqueOrThrow({ where: { key: wide.key } })).failures).toBe(50);
  });
});
