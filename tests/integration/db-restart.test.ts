import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type TestAgent from 'supertest/lib/agent.js';
import { client, logIn, testApp } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import type { TestDb } from '../support/db.js';
import { startOwnPostgres, type OwnPostgres } from '../support/own-postgres.js';

/**
 * A database restart under traffic: nobody loses their session. A session read that fails
 * while PostgreSQL is down or starting is an error for that request, never "no session".
 */
let pgo: OwnPostgres;
let db: TestDb;
let app: Express;

beforeAll(async () => {
  pgo = await startOwnPostgres('pim-restart-');
  db = pgo.db;
  ({ app } = testApp(db));
}, 120_000);

afterAll(() => pgo?.close());

describe('PostgreSQL stopped and started while seven people click around', () => {
  it('keeps every session, never sends anyone to the login page, and recovers by itself', async () => {
    const org = await makeOrg(db.prisma);
    const agents: TestAgent[] = [];
    for (let i = 0; i < 7; i++) {
      const p = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA'] });
      const agent = client(app);
      expect((await logIn(agent, p.email!, PASSWORD)).status).toBe(302);
      expect((await agent.get('/profile')).status).toBe(200);
      agents.push(agent);
    }

    const seen: { status: number; location?: string }[] = [];
    let running = true;
    const traffic = agents.map(async (agent) => {
      while (running) {
        const res = await agent.get('/profile').catch(() => null);
        if (res) seen.push({ status: res.status, location: res.headers.location });
        await new Promise((r) => setTimeout(r, 20));
      }
    });

    await new Promise((r) => setTimeout(r, 300));
    await pgo.stop();
    await new Promise((r) => setTimeout(r, 500));
    await pgo.start();
    // Ready again by itself, within a few seconds.
    const deadline = Date.now() + 20_000;
    while ((await client(app).get('/readyz')).status !== 200) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 300));
    running = false;
    await Promise.all(traffic);

    const failed = seen.filter((s) => s.status !== 200);
    expect(failed.length, 'the outage was seen by the traffic').toBeGreaterThan(0);
    expect(
      seen.filter((s) => s.location?.startsWith('/login')),
      'nobody was sent to the login page',
    ).toEqual([]);
    for (const agent of agents) {
      const res = await agent.get('/profile');
      expect(res.status, 'the session survived the restart').toBe(200);
    }
  }, 120_000);
});
