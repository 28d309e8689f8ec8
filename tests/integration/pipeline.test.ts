import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import pg from 'pg';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, logIn, submitForm, testApp, TestClock } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { runCli } from '../../src/cli/program.js';
import type { Role } from '../../src/auth/roles.js';

/**
 * The per-request path: who is asking comes in one round trip (the session row joined with
 * the actor), nothing is written on an ordinary request, and every revocation still bites on
 * the very next request, on every app instance.
 */
let db: TestDb;
let one: Express;
let two: Express;
let clock: TestClock;
const statements: string[] = [];

beforeAll(async () => {
  db = await createTestDb();
  // Count what reaches PostgreSQL through the app's pool.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be called with each client as `this` below
  const query = pg.Client.prototype.query as (...a: unknown[]) => unknown;
  (pg.Client.prototype as unknown as { query: unknown }).query = function (this: unknown, ...args: unknown[]) {
    const q = args[0] as string | { text?: string } | undefined;
    statements.push(typeof q === 'string' ? q : (q?.text ?? ''));
    return query.apply(this, args);
  };
  clock = new TestClock();
  // Two instances of the app on one database, as behind a load balancer (same secret, same clock).
  const first = testApp(db, { clock, sessionSecret: 'the same secret on every instance of the portal' });
  one = first.app;
  two = testApp(db, { clock, sessionSecret: 'the same secret on every instance of the portal' }).app;
});
afterAll(() => db.drop());

async function loggedInOnOne(roles?: Role[]) {
  const org = await makeOrg(db.prisma);
  const p = await makePerson(db.prisma, org.id, { roles: roles ?? ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA'] });
  const agent = client(one);
  const login = await logIn(agent, p.email!, PASSWORD);
  expect(login.status).toBe(302);
  // The same cookie, sent to the other instance.
  const jar = ([] as string[])
    .concat(login.headers['set-cookie'] ?? [])
    .map((c) => c.split(';')[0])
    .join('; ');
  const onTwo = (path: string) => client(two).get(path).set('Cookie', jar);
  return { org, p, agent, onTwo };
}

describe('one round trip to know who is asking', () => {
  it('a logged-in page with no data of its own costs exactly one statement, and no session write', async () => {
    const { agent } = await loggedInOnOne();
    await agent.get('/support/remote');
    statements.length = 0;
    const res = await agent.get('/support/remote');
    expect(res.status).toBe(200);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/FROM session/);
    expect(statements.some((s) => /UPDATE|INSERT/i.test(s))).toBe(false);
  });

  it("the session's expiry is written at most once a minute", async () => {
    const { agent } = await loggedInOnOne();
    // The first page after the login takes the login's one-off session state (a flash, returnTo).
    await agent.get('/support/remote');
    statements.length = 0;
    for (let i = 0; i < 5; i++) await agent.get('/support/remote');
    expect(statements.filter((s) => /session/i.test(s) && /INSERT|UPDATE/i.test(s))).toHaveLength(0);
    clock.advance(61_000);
    await agent.get('/support/remote');
    await agent.get('/support/remote');
    expect(statements.filter((s) => /session/i.test(s) && /INSERT|UPDATE/i.test(s))).toHaveLength(1);
  });
});

describe('a revocation bites on the next request on every instance', () => {
  it('a session opened on one instance is served by the other', async () => {
    const { onTwo } = await loggedInOnOne();
    expect((await onTwo('/profile')).status).toBe(200);
  });

  it('a role taken away', async () => {
    const { p, onTwo } = await loggedInOnOne();
    expect((await onTwo('/profile')).status).toBe(200);
    await db.prisma.contactRole.delete({
      where: { contactId_role: { contactId: p.id, role: 'MANAGE_PERSONAL_DATA' } },
    });
    expect((await onTwo('/profile')).status).toBe(403);
  });

  it('logout on one instance', async () => {
    const { agent, onTwo } = await loggedInOnOne();
    const page = await agent.get('/');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    expect((await agent.post('/logout').type('form').send({ _csrf: csrf })).status).toBe(302);
    const res = await onTwo('/profile');
    expect(res.status).toBe(302);
    expect(res.headers.location).toMatch(/^\/login/);
  });

  it('a password change on one instance ends the session held on the other', async () => {
    const { agent, p } = await loggedInOnOne();
    // A second login of the same person, kept by instance two.
    const other = client(two);
    expect((await logIn(other, p.email!, PASSWORD)).status).toBe(302);
    expect((await other.get('/profile')).status).toBe(200);
    const res = await submitForm(agent, '/profile/password', '/profile/password', {
      current: PASSWORD,
      password: 'een heel ander wachtwoord 42',
      confirm: 'een heel ander wachtwoord 42',
    });
    expect(res.status).toBe(302);
    expect((await other.get('/profile')).headers.location).toMatch(/^\/login/);
    // The person's own session moved onto the new epoch.
    expect((await agent.get('/profile')).status).toBe(200);
  });

  it('deactivation', async () => {
    const { p, onTwo } = await loggedInOnOne();
    await db.prisma.contact.update({ where: { id: p.id }, data: { active: false } });
    expect((await onTwo('/')).headers.location).toMatch(/^\/login/);
  });

  it('org:require-sso ends password sessions', async () => {
    const { org, onTwo } = await loggedInOnOne();
    expect((await onTwo('/')).status).toBe(200);
    const out: string[] = [];
    const code = await runCli(['org:require-sso', String(org.id), 'on'], {
      prisma: db.prisma,
      out: (l) => out.push(l),
      err: (l) => out.push(l),
      now: () => new Date(),
      baseUrl: 'http://pim.test',
    });
    expect(code).toBe(0);
    expect((await onTwo('/')).headers.location).toMatch(/^\/login/);
  });
});
