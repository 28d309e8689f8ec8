import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import type TestAgent from 'supertest/lib/agent.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded.js';
import { migrate } from '../../src/db/migrator.js';
import { openDb, type Db } from '../../src/db/client.js';
import { client, logIn, testApp } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';

/**
 * A database restart under traffic: nobody loses their session. A session read that fails
 * while PostgreSQL is down or starting is an error for that request, never "no session".
 */
let dir: string;
let port: number;
let server: EmbeddedServer;
let db: Db;
let app: Express;

const start = () => startEmbeddedPostgres({ dir: path.join(dir, 'data'), port, persistent: true });

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pim-restart-'));
  port = 50000 + Math.floor(Math.random() * 4000);
  server = await start();
  await migrate(server.url('postgres'));
  db = openDb(server.url('postgres'), 10);
  // The app's own database for this file: the test's TestDb type only needs pool and prisma.
  ({ app } = testApp({ ...db, url: server.url('postgres'), name: 'postgres', drop: async () => {} }));
}, 120_000);

afterAll(async () => {
  await db?.close();
  await server?.stop().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

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
        if (res) seen.push({ status: res.status, location: res.headers.location as string | undefined });
        await new Promise((r) => setTimeout(r, 20));
      }
    });

    await new Promise((r) => setTimeout(r, 300));
    await server.stop();
    await new Promise((r) => setTimeout(r, 500));
    server = await start();
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
    expect(seen.filter((s) => s.location?.startsWith('/login')), 'nobody was sent to the login page').toEqual([]);
    for (const agent of agents) {
      const res = await agent.get('/profile');
      expect(res.status, 'the session survived the restart').toBe(200);
    }
  }, 120_000);
});
