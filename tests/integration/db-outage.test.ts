import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Express } from 'express';
import { isDatabaseUnavailable } from '../../src/db/unavailable.js';
import { setLogLevel } from '../../src/log.js';
import { client, logIn, testApp, visibleText } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { startOwnPostgres, type OwnPostgres } from '../support/own-postgres.js';
import type { TestDb } from '../support/db.js';

// A PostgreSQL of this file's own, so it can be stopped and started without touching the
// server every other test file uses.
let pgo: OwnPostgres;
let db: TestDb;
let app: Express;

beforeAll(async () => {
  pgo = await startOwnPostgres('pim-outage-pg-', 4);
  db = pgo.db;
  ({ app } = testApp(db));
}, 120_000);

afterAll(() => pgo?.close());

describe('a database outage', () => {
  it('is a 503 "try again in a moment" page with Retry-After, /readyz is 503, and the app recovers by itself', async () => {
    const org = await makeOrg(db.prisma);
    const person = await makePerson(db.prisma, org.id);
    const agent = client(app);
    expect((await logIn(agent, person.email!, PASSWORD)).status).toBe(302);
    expect((await agent.get('/')).status).toBe(200);

    await pgo.stop();

    // Every log line of a request carries its id, and the 5xx page shows it as a reference.
    const lines: string[] = [];
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
    setLogLevel('warn');
    const nl = await agent.get('/').set('X-Request-Id', 'outage-test-0001');
    setLogLevel('silent');
    write.mockRestore();
    expect(nl.status).toBe(503);
    expect(nl.headers['retry-after']).toBe('5');
    expect(visibleText(nl.text)).toContain('PIM is even niet bereikbaar. Probeer het zo opnieuw.');
    expect(visibleText(nl.text)).toContain('referentie: outage-test-0001');
    expect(lines.some((l) => /WARN \[outage-test-0001\] GET \/: database unavailable/.test(l))).toBe(true);
    const en = await agent.get('/organisations').set('Accept-Language', 'en');
    expect(en.status).toBe(503);
    expect(visibleText(en.text)).toContain('Try again in a moment.');
    // A form post during the outage: 503 too, never a 500.
    const post = await agent.post('/logout').type('form').send({ _csrf: 'x' });
    expect(post.status).toBe(503);
    expect((await client(app).get('/readyz')).status).toBe(503);

    await pgo.start();

    // No restart of the app: the pool makes new connections on its own.
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = (await client(app).get('/readyz')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    const again = await logIn(client(app), person.email!, PASSWORD);
    expect(again.status).toBe(302);
  }, 120_000);

  it('a query cut by the server (57P01) and a refused connection are both "unavailable"; an ordinary error is not', async () => {
    const slow = db.prisma.$queryRaw`SELECT pg_sleep(30)`.then(
      () => null,
      (e: unknown) => e,
    );
    const admin = new pg.Client({ connectionString: pgo.url('postgres') });
    await admin.connect();
    // Wait until the sleep runs, then end that backend as a restart would.
    for (let i = 0; i < 100; i++) {
      const { rowCount } = await admin.query("SELECT 1 FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%'");
      if (rowCount) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%'");
    await admin.end();
    const cut = await slow;
    expect(cut).toBeTruthy();
    expect(isDatabaseUnavailable(cut)).toBe(true);

    const refused = await new pg.Client({
      connectionString: `postgresql://pim:x@127.0.0.1:${Number(new URL(pgo.url('postgres')).port) + 1}/pim`,
    })
      .connect()
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(isDatabaseUnavailable(refused)).toBe(true);

    const ordinary = await db.prisma.$queryRaw`SELECT 1/0`.then(
      () => null,
      (e: unknown) => e,
    );
    expect(ordinary).toBeTruthy();
    expect(isDatabaseUnavailable(ordinary)).toBe(false);
  }, 60_000);
});
