import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type TestAgent from 'supertest/lib/agent.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, csrfFrom, logIn, testApp, visibleText, type TestClock } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { runPim } from '../support/api.js';
import { newTotpSecret, totpCode } from '../../src/auth/totp.js';
import { sealSecret, twoFactorKey } from '../../src/auth/secret-box.js';
import { totpContext } from '../../src/auth/two-factor.js';

// Switching on "two-step login required" can end, at the same moment, the sessions that logged in
// with a password and no second step (issue 19): on the Organisatie page and in the staff tool.

let db: TestDb;
let app: Express;
let clock: TestClock;
let key: Buffer;

beforeAll(async () => {
  db = await createTestDb();
  const t = testApp(db);
  ({ app, clock } = t);
  clock.advance(15_000 - (clock.now().getTime() % 30_000));
  key = twoFactorKey(t.config.twoFactorKey, t.deps.sessionSecret);
});
afterAll(() => db.drop());

const ADMIN = [
  'PORTAL_ACCESS',
  'VIEW_ORGANIZATION',
  'MANAGE_CONTACTS',
  'ASSIGN_ROLES',
  'MANAGE_PERSONAL_DATA',
] as const;
const PLAIN = ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA', 'VIEW_ORGANIZATION'] as const;

/** A browser logged in with the password only. */
async function passwordSession(email: string): Promise<TestAgent> {
  const a = client(app);
  expect((await logIn(a, email, PASSWORD)).headers.location).toBe('/');
  return a;
}

/** A person with the app, and a browser logged in with password and code. */
async function twoStepSession(orgId: number): Promise<TestAgent> {
  const p = await makePerson(db.prisma, orgId, { roles: [...PLAIN] });
  const secret = newTotpSecret();
  await db.prisma.totpSecret.create({
    data: { contactId: p.id, secretEncrypted: sealSecret(key, secret, totpContext(p.id)), confirmedAt: clock.now() },
  });
  const a = client(app);
  expect((await logIn(a, p.email!, PASSWORD)).headers.location).toBe('/login/second-step');
  const page = await a.get('/login/second-step');
  const done = await a
    .post('/login/second-step')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), code: totpCode(secret, clock.now()) });
  expect(done.status).toBe(302);
  // A code is accepted once per step: the next person's login gets the next step.
  clock.advance(30_000);
  return a;
}

/** Whether the browser is still logged in: a page behind the login answers, or sends it to /login. */
const loggedIn = async (a: TestAgent) => {
  const res = await a.get('/');
  if (res.status === 200) return true;
  expect(res.status).toBe(302);
  expect(res.headers.location).toMatch(/^\/login/);
  return false;
};

describe('the Organisatie page: ending password-only sessions when two-step login becomes required', () => {
  it('ends the password-only sessions of the organisation and its subsidiaries, keeps two-step sessions and the clicker’s own; says how many', async () => {
    const org = await makeOrg(db.prisma);
    const sub = await makeOrg(db.prisma, { parentId: org.id });
    const other = await makeOrg(db.prisma);
    // The main contact (Activiteiten is theirs).
    const admin = await makePerson(db.prisma, org.id, { roles: [...ADMIN], main: true });
    const pw = await makePerson(db.prisma, org.id, { roles: [...PLAIN] });
    const subPw = await makePerson(db.prisma, sub.id, { roles: [...PLAIN] });
    const outsider = await makePerson(db.prisma, other.id, { roles: [...PLAIN] });

    const a = await passwordSession(admin.email!);
    const adminElsewhere = await passwordSession(admin.email!);
    const pwBrowser = await passwordSession(pw.email!);
    const subBrowser = await passwordSession(subPw.email!);
    const outsiderBrowser = await passwordSession(outsider.email!);
    const stepped = await twoStepSession(org.id);
    const subStepped = await twoStepSession(sub.id);

    const page = await a.get(`/organisations/${org.id}`);
    expect(visibleText(page.text)).toContain(
      'Ook iedereen uitloggen die nu zonder tweede stap is ingelogd (uw eigen sessie blijft)',
    );
    expect(page.text).toMatch(/name="endSessions" type="checkbox" value="on" checked/);
    const res = await a
      .post(`/organisations/${org.id}/two-step`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), required: 'on', endSessions: 'on' });
    expect(res.headers.location).toBe(`/organisations/${org.id}`);
    expect(visibleText((await a.get(res.headers.location!)).text)).toContain(
      'Inloggen in twee stappen is nu verplicht voor deze organisatie en haar dochterorganisaties. 3 sessie(s) die zonder tweede stap waren ingelogd, zijn uitgelogd.',
    );

    // Gone: their next request goes to the login page.
    expect(await loggedIn(pwBrowser)).toBe(false);
    expect(await loggedIn(subBrowser)).toBe(false);
    expect(await loggedIn(adminElsewhere)).toBe(false);
    // Kept: the clicker's own session, the two-step sessions, another customer's.
    expect(await loggedIn(a)).toBe(true);
    expect(await loggedIn(stepped)).toBe(true);
    expect(await loggedIn(subStepped)).toBe(true);
    expect(await loggedIn(outsiderBrowser)).toBe(true);

    const ended = await db.prisma.auditEvent.findFirstOrThrow({
      where: { kind: 'organization.password_only_sessions_ended', organizationId: org.id },
    });
    expect(ended).toMatchObject({ actorId: admin.id, after: { count: 3 } });
    expect(
      await db.prisma.auditEvent.count({
        where: { kind: 'organization.two_factor_required_changed', organizationId: org.id },
      }),
    ).toBe(1);
    // Activiteiten tells it.
    const activity = visibleText((await a.get('/activity')).text);
    expect(activity).toMatch(/heeft bij .+ 3 sessie\(s\) uitgelogd die zonder tweede stap waren ingelogd\./);
  });

  it('with the box unticked, open sessions go on (as before)', async () => {
    const org = await makeOrg(db.prisma);
    const admin = await makePerson(db.prisma, org.id, { roles: [...ADMIN] });
    const pw = await makePerson(db.prisma, org.id, { roles: [...PLAIN] });
    const a = await passwordSession(admin.email!);
    const pwBrowser = await passwordSession(pw.email!);
    const page = await a.get(`/organisations/${org.id}`);
    const res = await a
      .post(`/organisations/${org.id}/two-step`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), required: 'on' });
    expect(visibleText((await a.get(res.headers.location!)).text)).toContain(
      'Inloggen in twee stappen is nu verplicht voor deze organisatie en haar dochterorganisaties.',
    );
    expect(await loggedIn(pwBrowser)).toBe(true);
    expect(
      await db.prisma.auditEvent.count({
        where: { kind: 'organization.password_only_sessions_ended', organizationId: org.id },
      }),
    ).toBe(0);
  });

  it('someone without the right to change the setting cannot: 403, and nothing ends', async () => {
    const org = await makeOrg(db.prisma);
    const viewer = await makePerson(db.prisma, org.id, {
      roles: ['PORTAL_ACCESS', 'VIEW_ORGANIZATION', 'MANAGE_CONTACTS'],
    });
    const pw = await makePerson(db.prisma, org.id, { roles: [...PLAIN] });
    const v = await passwordSession(viewer.email!);
    const pwBrowser = await passwordSession(pw.email!);
    const page = await v.get(`/organisations/${org.id}`);
    expect(visibleText(page.text)).not.toContain('Ook iedereen uitloggen');
    const refused = await v
      .post(`/organisations/${org.id}/two-step`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), required: 'on', endSessions: 'on' });
    expect(refused.status).toBe(403);
    expect(await loggedIn(pwBrowser)).toBe(true);
    expect(await loggedIn(v)).toBe(true);
    expect((await db.prisma.organization.findUniqueOrThrow({ where: { id: org.id } })).twoFactorRequired).toBe(false);
    expect(
      await db.prisma.auditEvent.count({ where: { organizationId: org.id, kind: { startsWith: 'organization.' } } }),
    ).toBe(0);
  });
});

describe('org:require-2fa ID on --end-sessions', () => {
  it('ends the password-only sessions and says how many; two-step sessions stay; with off it is refused and changes nothing', async () => {
    const org = await makeOrg(db.prisma);
    const pw = await makePerson(db.prisma, org.id, { roles: [...PLAIN] });
    const pwBrowser = await passwordSession(pw.email!);
    const stepped = await twoStepSession(org.id);

    const refused = await runPim(db.prisma, 'org:require-2fa', String(org.id), 'off', '--end-sessions');
    expect(refused.code).toBe(1);
    expect(refused.err.join('\n')).toContain('--end-sessions: only when two-step login is switched on');
    expect(await loggedIn(pwBrowser)).toBe(true);

    const r = await runPim(db.prisma, 'org:require-2fa', String(org.id), 'on', '--end-sessions');
    expect(r.code).toBe(0);
    expect(r.out).toEqual([
      expect.stringContaining('now requires two-step login'),
      '1 session(s) that logged in without a second step ended',
    ]);
    expect(await loggedIn(pwBrowser)).toBe(false);
    expect(await loggedIn(stepped)).toBe(true);
    const ended = await db.prisma.auditEvent.findFirstOrThrow({
      where: { kind: 'organization.password_only_sessions_ended', organizationId: org.id },
    });
    expect(ended.actorLabel).toMatch(/^staff:/);
    expect(ended.after).toEqual({ count: 1 });

    // Already required: the option still ends what is left without a second step (nothing here).
    const again = await runPim(db.prisma, 'org:require-2fa', String(org.id), 'on', '--end-sessions');
    expect(again.out).toEqual([
      expect.stringContaining('already requires two-step login'),
      '0 session(s) that logged in without a second step ended',
    ]);
    expect(await loggedIn(stepped)).toBe(true);
  });
});
