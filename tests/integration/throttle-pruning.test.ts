import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.js';
import { startThrottlePruning } from '../../src/auth/throttle.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(() => db.drop());

describe('login throttle counters', () => {
  it('are pruned by the running app once they can no longer matter; recent ones and running locks stay', async () => {
    const now = new Date('2027-03-12T09:00:00Z');
    const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
    await db.prisma.loginThrottle.createMany({
      data: [
        { key: 'acct:old@example.nl', failures: 3, windowStart: hoursAgo(30) },
        { key: 'acct:old-lock-over@example.nl', failures: 5, windowStart: hoursAgo(30), lockedUntil: hoursAgo(29) },
        { key: 'acct:recent@example.nl', failures: 2, windowStart: hoursAgo(1) },
        {
          key: 'acct:locked-now@example.nl',
          failures: 5,
          windowStart: hoursAgo(30),
          lockedUntil: new Date(now.getTime() + 600_000),
        },
      ],
    });
    const pruning = startThrottlePruning(db.prisma, () => now, 60_000);
    try {
      const deadline = Date.now() + 10_000;
      let keys: string[] = [];
      do {
        await new Promise((r) => setTimeout(r, 50));
        keys = (await db.prisma.loginThrottle.findMany({ orderBy: { key: 'asc' } })).map((t) => t.key);
      } while (keys.length > 2 && Date.now() < deadline);
      expect(keys).toEqual(['acct:locked-now@example.nl', 'acct:recent@example.nl']);
    } finally {
      pruning.stop();
    }
  });
});
