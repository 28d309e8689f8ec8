import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type TestAgent from 'supertest/lib/agent.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, csrfFrom, logIn, testApp, visibleText, type TestClock } from '../support/app.js';
import { formatDateTime } from '../../src/i18n/index.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { runCli } from '../../src/cli/program.js';
import type { Role } from '../../src/auth/roles.js';

const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
const CHROME_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

let db: TestDb;
let app: Express;
/** A second instance of the app on the same database (another server behind the load balancer). */
let app2: Express;
let clock: TestClock;
let orgId: number;

beforeAll(async () => {
  db = await createTestDb();
  const one = testApp(db);
  ({ app, clock } = one);
  ({ app: app2 } = testApp(db, { sessionSecret: one.deps.sessionSecret, clock }));
  orgId = (await makeOrg(db.prisma)).id;
});
afterAll(() => db.drop());

/** A client that always sends `ua` as its browser. */
function browser(target: Express, ua: string): TestAgent {
  return client(target).set('User-Agent', ua);
}

async function person(roles: Role[] = ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA']) {
  return makePerson(db.prisma, orgId, { roles });
}

async function rowsOf(contactId: number) {
  return db.pool.query<{
    sid: string;
    ip: string;
    user_agent: string;
    login_method: string;
    created_at: Date;
    last_active_at: Date;
    ended: boolean;
  }>(
    `SELECT sid, ip, user_agent, login_method, created_at, last_active_at, expire = '-infinity' AS ended FROM session WHERE contact_id = $1 ORDER BY created_at`,
    [contactId],
  );
}

describe('the session row', () => {
  it('carries the person, address, browser, login method, start and last activity; last activity written at most once a minute', async () => {
    const p = await person();
    const a = browser(app, FIREFOX_WINDOWS);
    expect((await logIn(a, p.email!, PASSWORD)).status).toBe(302);
    const [row] = (await rowsOf(p.id)).rows;
    expect(row).toMatchObject({ user_agent: FIREFOX_WINDOWS, login_method: 'password', ended: false });
    expect(row!.ip).toMatch(/127\.0\.0\.1/);
    expect(row!.created_at.getTime()).toBe(clock.now().getTime());
    const started = row!.last_active_at.getTime();

    clock.advance(30_000);
    expect((await a.get('/')).status).toBe(200);
    expect((await rowsOf(p.id)).rows[0]!.last_active_at.getTime()).toBe(started);

    clock.advance(31_000);
    expect((await a.get('/')).status).toBe(200);
    expect((await rowsOf(p.id)).rows[0]!.last_active_at.getTime()).toBe(clock.now().getTime());
  });

  it('a redirect that changes nothing writes nothing (/login while logged in); one that does is saved', async () => {
    const p = await person();
    const a = browser(app, FIREFOX_WINDOWS);
    expect((await logIn(a, p.email!, PASSWORD)).status).toBe(302);
    // xmin is the transaction that last wrote the row: any save of the session changes it.
    const version = async () =>
      (
        await db.pool.query<{ v: string; at: Date }>(
          `SELECT xmin::text AS v, last_active_at AS at FROM session WHERE contact_id = $1`,
          [p.id],
        )
      ).rows[0]!;
    const before = await version();

    clock.advance(10_000);
    const again = await a.get('/login');
    expect([again.status, again.headers.location]).toEqual([302, '/']);
    expect((await version()).v).toBe(before.v);

    // Past a minute the visit is recorded before the redirect goes out, as on any page.
    clock.advance(61_000);
    expect((await a.get('/login')).status).toBe(302);
    const after = await version();
    expect(after.v).not.toBe(before.v);
    expect(after.at.getTime()).toBe(clock.now().getTime());
  });

  it('an anonymous session has no person', async () => {
    const anon = client(app);
    await anon.get('/login');
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS n FROM session WHERE contact_id IS NULL AND login_method IS NOT NULL`,
    );
    expect(rows[0].n).toBe(0);
  });
});

describe('Beveiliging: the list of sessions', () => {
  it('lists each session with browser and OS, address, start, last activity and method, and marks this one', async () => {
    const p = await person();
    const a = browser(app, FIREFOX_WINDOWS);
    const b = browser(app2, CHROME_MAC);
    await logIn(a, p.email!, PASSWORD);
    await logIn(b, p.email!, PASSWORD);
    const res = await a.get('/profile/security');
    expect(res.status).toBe(200);
    const text = visibleText(res.text);
    expect(text).toContain('Beveiliging');
    // Started and last active at the test clock's time, written as the portal writes every date (5-3-2026 10:30).
    const at = formatDateTime('nl', clock.now());
    expect(text).toContain(`Firefox op Windows deze sessie 127.0.0.1 ${at} ${at} Wachtwoord U bent hier`);
    expect(text).toMatch(/Chrome op macOS 127\.0\.0\.1 .* Wachtwoord Uitloggen/);
    expect(text).toContain('Alle andere sessies uitloggen');
    // The session id never reaches the page, only a hash of it.
    for (const { sid } of (await rowsOf(p.id)).rows) expect(res.text).not.toContain(sid);
    // English.
    expect(visibleText((await a.get('/profile/security?lang=en')).text)).toContain('Firefox on Windows this session');
  });

  it('signing out one session from another ends it on its next request, on a second app instance too', async () => {
    const p = await person();
    const a = browser(app, FIREFOX_WINDOWS);
    const b = browser(app2, CHROME_MAC);
    await logIn(a, p.email!, PASSWORD);
    await logIn(b, p.email!, PASSWORD);
    expect((await b.get('/')).status).toBe(200);
    const page = await a.get('/profile/security');
    const action = /action="(\/profile\/security\/sessions\/[0-9a-f]{32}\/end)"/.exec(page.text)![1]!;
    const res = await a
      .post(action)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    expect(res.status).toBe(302);
    expect(visibleText((await a.get('/profile/security')).text)).toContain('De sessie is uitgelogd.');

    // b, on the other instance, is logged out; a is not.
    const after = await b.get('/');
    expect(after.status).toBe(302);
    expect(after.headers.location).toMatch(/^\/login/);
    expect((await a.get('/')).status).toBe(200);
    expect((await rowsOf(p.id)).rows.filter((r) => !r.ended)).toHaveLength(1);
    expect(visibleText((await a.get('/profile/security')).text)).not.toContain('Chrome op macOS');
  });

  it('"Alle andere sessies uitloggen" ends every other session, on both instances, and is audited', async () => {
    const p = await person();
    const a = browser(app, FIREFOX_WINDOWS);
    const others = [browser(app2, CHROME_MAC), browser(app, CHROME_MAC), browser(app2, FIREFOX_WINDOWS)];
    await logIn(a, p.email!, PASSWORD);
    for (const o of others) await logIn(o, p.email!, PASSWORD);
    const page = await a.get('/profile/security');
    const res = await a
      .post('/profile/security/sessions/end-others')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    expect(res.status).toBe(302);
    expect(visibleText((await a.get('/profile/security')).text)).toContain('Andere sessies uitgelogd: 3.');
    for (const o of others) expect((await o.get('/')).status).toBe(302);
    expect((await a.get('/')).status).toBe(200);
    const audit = await db.prisma.auditEvent.findFirstOrThrow({
      where: { kind: 'session.ended_others', subjectId: String(p.id) },
    });
    expect(audit.after).toEqual({ sessions: 3 });
  });

  it("another person's session handle is a 404 and ends nothing", async () => {
    const p = await person();
    const q = await person();
    const a = browser(app, FIREFOX_WINDOWS);
    const b = browser(app, CHROME_MAC);
    await logIn(a, p.email!, PASSWORD);
    await logIn(b, q.email!, PASSWORD);
    // q signs in a second time to get a handle of q's own list... and p tries q's handles.
    const qPage = await b.get('/profile/security');
    await logIn(browser(app, FIREFOX_WINDOWS), q.email!, PASSWORD);
    const qHandle = /\/profile\/security\/sessions\/([0-9a-f]{32})\/end/.exec(
      (await b.get('/profile/security')).text,
    )![1]!;
    expect(qPage.status).toBe(200);
    const page = await a.get('/profile/security');
    for (const h of [qHandle, 'not-a-handle', '0'.repeat(32)]) {
      const res = await a
        .post(`/profile/security/sessions/${h}/end`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text) });
      expect(res.status, h).toBe(404);
    }
    expect((await rowsOf(q.id)).rows.filter((r) => r.ended)).toHaveLength(0);
    expect((await b.get('/')).status).toBe(200);
  });
});

describe('a login from a browser the person has not used before', () => {
  it('mails "Nieuwe login op uw PIM-account" with the browser, the time and a link to Beveiliging; a known browser does not', async () => {
    const p = await person();
    const mails = () =>
      db.prisma.mailOutbox.findMany({ where: { recipient: p.email!, subject: { startsWith: 'Nieuwe login' } } });
    const first = browser(app, FIREFOX_WINDOWS);
    await logIn(first, p.email!, PASSWORD);
    // The account's first login: no earlier browser to compare with.
    expect(await mails()).toHaveLength(0);

    await first
      .post('/logout')
      .type('form')
      .send({ _csrf: csrfFrom((await first.get('/')).text) });
    await logIn(first, p.email!, PASSWORD);
    expect(await mails()).toHaveLength(0);

    const other = browser(app2, FIREFOX_WINDOWS);
    await logIn(other, p.email!, PASSWORD);
    const [mail] = await mails();
    expect(mail!.subject).toMatch(
      /^Nieuwe login op uw PIM-account: Firefox op Windows, \d{1,2}-\d{1,2}-\d{4} \d\d:\d\d$/,
    );
    expect(mail!.text).toContain('http://pim.test/profile/security');
    expect(mail!.text).toContain('127.0.0.1');

    // A forged browser cookie is not recognised.
    const forged = browser(app, FIREFOX_WINDOWS).set('Cookie', 'pim_browser=AAAAAAAAAAAAAAAAAAAAAA.forged');
    await logIn(forged, p.email!, PASSWORD);
    expect(await mails()).toHaveLength(2);
  });
});

describe('org:require-sso on', () => {
  async function run(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, {
      prisma: db.prisma,
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      now: () => new Date(),
      baseUrl: 'http://pim.test',
    });
    return { code, out, err };
  }

  it("ends the organisation's password sessions on every instance, and they stay ended when SSO is switched off again", async () => {
    const org = await makeOrg(db.prisma);
    const other = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    const bystander = await makePerson(db.prisma, other.id);
    const a = browser(app, FIREFOX_WINDOWS);
    const b = browser(app2, CHROME_MAC);
    const c = browser(app2, CHROME_MAC);
    await logIn(a, p.email!, PASSWORD);
    await logIn(b, p.email!, PASSWORD);
    await logIn(c, bystander.email!, PASSWORD);
    // A session opened through Microsoft goes on (the organisation now wants exactly that).
    await db.pool.query(
      `UPDATE session SET login_method = 'microsoft' WHERE sid = (SELECT sid FROM session WHERE contact_id = $1 ORDER BY created_at LIMIT 1)`,
      [p.id],
    );

    const r = await run('org:require-sso', String(org.id), 'on');
    expect(r.out[0]).toContain('now requires SSO; 1 password or passkey session(s) ended');
    const rows = (await rowsOf(p.id)).rows;
    expect(rows.filter((x) => x.ended).map((x) => x.login_method)).toEqual(['password']);
    expect(rows.filter((x) => !x.ended).map((x) => x.login_method)).toEqual(['microsoft']);
    expect((await b.get('/')).status).toBe(302);

    expect((await run('org:require-sso', String(org.id), 'off')).code).toBe(0);
    expect((await b.get('/')).status).toBe(302);
    expect((await c.get('/')).status).toBe(200);
    const audit = await db.prisma.auditEvent.findFirstOrThrow({
      where: { kind: 'organization.sso_required_changed', organizationId: org.id },
      orderBy: { id: 'asc' },
    });
    expect(audit.after).toEqual({ ssoRequired: true, passwordSessionsEnded: 1 });
  });
});
