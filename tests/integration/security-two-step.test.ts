import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type TestAgent from 'supertest/lib/agent.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, csrfFrom, logIn, testApp, visibleText, type TestClock } from '../support/app.js';
import { formatDateTime } from '../../src/i18n/index.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { listRoutes } from '../support/routes.js';
import { newTotpSecret, totpCode } from '../../src/auth/totp.js';
import { sealSecret, twoFactorKey } from '../../src/auth/secret-box.js';
import { totpContext } from '../../src/auth/two-factor.js';
import { hashRecoveryCode, newRecoveryCodes, normaliseRecoveryCode } from '../../src/auth/recovery-codes.js';

let db: TestDb;
let app: Express;
let clock: TestClock;
let key: Buffer;
let orgId: number;
const ROLES = [
  'PORTAL_ACCESS',
  'MANAGE_PERSONAL_DATA',
  'MANAGE_CONTACTS',
  'VIEW_INVOICES',
  'VIEW_ORGANIZATION',
] as const;

beforeAll(async () => {
  db = await createTestDb();
  // A fixed time in the middle of a 30-second step.
  const t = testApp(db, {});
  ({ app, clock } = t);
  clock.advance(15_000 - (clock.now().getTime() % 30_000));
  key = twoFactorKey(t.config.twoFactorKey, t.deps.sessionSecret);
  orgId = (await makeOrg(db.prisma)).id;
});
afterAll(() => db.drop());

/** A person with the app switched on (as if set up) and ten recovery codes; returns the secret and the codes. */
async function personWithTotp() {
  const p = await makePerson(db.prisma, orgId, { roles: [...ROLES] });
  const secret = newTotpSecret();
  await db.prisma.totpSecret.create({
    data: { contactId: p.id, secretEncrypted: sealSecret(key, secret, totpContext(p.id)), confirmedAt: clock.now() },
  });
  const codes = newRecoveryCodes();
  await db.prisma.recoveryCode.createMany({
    data: codes.map((c) => ({ contactId: p.id, codeHash: hashRecoveryCode(normaliseRecoveryCode(c)!) })),
  });
  return { p, secret, codes };
}

async function sendCode(agent: TestAgent, code: string) {
  const page = await agent.get('/login/second-step');
  return agent
    .post('/login/second-step')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), code });
}

/** Moves the clock to the start of the next 30-second step, plus `ms`. */
function nextStep(ms = 0) {
  const now = clock.now().getTime();
  clock.advance(30_000 - (now % 30_000) + ms);
}

describe('setting up the authenticator app on Beveiliging', () => {
  it('a code sent with no set-up pending stores no secret: the person starts again on a fresh page', async () => {
    const p = await makePerson(db.prisma, orgId, { roles: [...ROLES] });
    const agent = client(app);
    await logIn(agent, p.email!, PASSWORD);
    const page = await agent.get('/profile/security');
    const sent = await agent
      .post('/profile/security/totp')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), code: '123456' });
    expect(sent.status).toBe(303);
    expect(sent.headers.location).toBe('/profile/security/totp');
    expect(await db.prisma.totpSecret.count({ where: { contactId: p.id } })).toBe(0);
    const again = await agent.get('/profile/security/totp');
    expect(visibleText(again.text)).toContain('De koppeling met de app is verlopen.');
    expect(await db.prisma.totpSecret.count({ where: { contactId: p.id } })).toBe(1);
  });

  it('QR code and secret, confirmed with a first code; ten recovery codes shown once; the secret stored encrypted; mailed; other sessions end', async () => {
    const p = await makePerson(db.prisma, orgId, { roles: [...ROLES] });
    const agent = client(app);
    const other = client(app);
    await logIn(agent, p.email!, PASSWORD);
    await logIn(other, p.email!, PASSWORD);
    const setup = await agent.get('/profile/security/totp');
    expect(setup.status).toBe(200);
    expect(setup.text).toMatch(/<img class="qr" src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+"/);
    const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(setup.text)![1]!.replace(/ /g, '');
    const row = await db.prisma.totpSecret.findUniqueOrThrow({ where: { contactId: p.id } });
    expect(row.confirmedAt).toBeNull();
    expect(row.secretEncrypted).not.toContain(secret);
    expect(row.secretEncrypted).toMatch(/^v1\./);

    const wrong = await agent
      .post('/profile/security/totp')
      .type('form')
      .send({ _csrf: csrfFrom(setup.text), code: '000000' === totpCode(secret, clock.now()) ? '111111' : '000000' });
    expect(wrong.status).toBe(422);
    expect(visibleText(wrong.text)).toContain('Deze code klopt niet.');
    expect((await db.prisma.totpSecret.findUniqueOrThrow({ where: { contactId: p.id } })).confirmedAt).toBeNull();

    const ok = await agent
      .post('/profile/security/totp')
      .type('form')
      .send({ _csrf: csrfFrom(setup.text), code: totpCode(secret, clock.now()) });
    expect(ok.status).toBe(200);
    expect(ok.headers['cache-control']).toBe('no-store');
    const codes = [...ok.text.matchAll(/<li><code>([a-z2-9]{5}-[a-z2-9]{5})<\/code><\/li>/g)].map((m) => m[1]!);
    expect(codes).toHaveLength(10);
    expect(ok.text).toContain('download="pim-herstelcodes.txt"');
    const file = decodeURIComponent(
      /href="data:text\/plain;charset=utf-8,([^"]+)"/.exec(ok.text)![1]!.replace(/&amp;/g, '&'),
    );
    for (const c of codes) expect(file).toContain(c);
    expect((await db.prisma.totpSecret.findUniqueOrThrow({ where: { contactId: p.id } })).confirmedAt).not.toBeNull();
    const stored = await db.prisma.recoveryCode.findMany({ where: { contactId: p.id } });
    expect(stored).toHaveLength(10);
    for (const s of stored) for (const c of codes) expect(s.codeHash).not.toContain(c.replace('-', ''));

    // Shown once: Beveiliging now says how many are left, not which.
    const page = visibleText((await agent.get('/profile/security')).text);
    expect(page).toContain('Nog 10 van de 10 ongebruikt.');
    for (const c of codes) expect(page).not.toContain(c);
    expect((await other.get('/')).status).toBe(302);
    const mail = await db.prisma.mailOutbox.findFirstOrThrow({
      where: { recipient: p.email!, subject: 'Uw beveiliging is gewijzigd' },
    });
    expect(mail.text).toContain('De authenticator-app is ingesteld');
    // Neither the secret nor a code is in the audit trail or the mail.
    const audits = JSON.stringify(
      await db.prisma.auditEvent.findMany({ where: { subjectId: String(p.id) } }),
      (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v),
    );
    expect(audits).toContain('two_step.totp_on');
    for (const s of [secret, ...codes]) {
      expect(audits).not.toContain(s);
      expect(mail.text).not.toContain(s);
    }
  });

  it('the secret being set up is shown again only to the browser it was made for; another browser gets a new one', async () => {
    const p = await makePerson(db.prisma, orgId, { roles: [...ROLES] });
    const owner = client(app);
    const intruder = client(app);
    await logIn(owner, p.email!, PASSWORD);
    await logIn(intruder, p.email!, PASSWORD);
    const secretOf = (html: string) => /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(html)![1]!.replace(/ /g, '');
    // Someone else with the password opens the set-up first and keeps what they saw.
    const seen = secretOf((await intruder.get('/profile/security/totp')).text);
    // The person opens it after: a secret of their own, the same on a reload.
    const mine = await owner.get('/profile/security/totp');
    expect(secretOf(mine.text)).not.toBe(seen);
    expect(secretOf((await owner.get('/profile/security/totp')).text)).toBe(secretOf(mine.text));
    // They confirm it: the code the other browser could make from what it saw is worth nothing.
    const ok = await owner
      .post('/profile/security/totp')
      .type('form')
      .send({ _csrf: csrfFrom(mine.text), code: totpCode(secretOf(mine.text), clock.now()) });
    expect(ok.status).toBe(200);
    const row = await db.prisma.totpSecret.findUniqueOrThrow({ where: { contactId: p.id } });
    expect(row.confirmedAt).not.toBeNull();
    const stranger = client(app);
    await logIn(stranger, p.email!, PASSWORD);
    nextStep(1_000);
    const guessed = await sendCode(stranger, totpCode(seen, clock.now()));
    expect(guessed.status).toBe(401);
    expect((await stranger.get('/')).status).toBe(302);
  });

  it('asks for the password again when the login is older than ten minutes', async () => {
    const p = await makePerson(db.prisma, orgId, { roles: [...ROLES] });
    const agent = client(app);
    await logIn(agent, p.email!, PASSWORD);
    clock.advance(11 * 60_000);
    const res = await agent.get('/profile/security/totp');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/profile/security/confirm?next=%2Fprofile%2Fsecurity%2Ftotp');
    const confirm = await agent.get(res.headers.location!);
    const wrong = await agent
      .post('/profile/security/confirm')
      .type('form')
      .send({ _csrf: csrfFrom(confirm.text), next: '/profile/security/totp', password: 'wrong' });
    expect(wrong.status).toBe(422);
    expect(visibleText(wrong.text)).toContain('Dit wachtwoord klopt niet.');
    // A POST without confirmation changes nothing.
    const off = await agent
      .post('/profile/security/recovery-codes')
      .type('form')
      .send({ _csrf: csrfFrom(confirm.text) });
    expect(off.status).toBe(302);
    expect(off.headers.location).toMatch(/^\/profile\/security\/confirm/);
    const right = await agent
      .post('/profile/security/confirm')
      .type('form')
      .send({ _csrf: csrfFrom(confirm.text), next: 'https://evil.example/', password: PASSWORD });
    expect(right.headers.location).toBe('/profile/security');
    expect((await agent.get('/profile/security/totp')).status).toBe(200);
  });
});

describe('"Nieuwe herstelcodes maken"', () => {
  it('the first click only opens a page saying the old codes stop working; confirming makes new ones', async () => {
    const { p, codes } = await personWithTotp();
    const agent = client(app);
    await logIn(agent, p.email!, PASSWORD);
    expect((await sendCode(agent, codes[9]!)).status).toBe(302);
    const hashes = async () =>
      (await db.prisma.recoveryCode.findMany({ where: { contactId: p.id, usedAt: null }, orderBy: { id: 'asc' } })).map(
        (c) => c.codeHash,
      );
    const before = await hashes();
    const page = await agent.get('/profile/security');
    expect(page.text).not.toMatch(/<form[^>]*recovery-codes/);
    expect(page.text).toContain('<a href="/profile/security/recovery-codes">Nieuwe herstelcodes maken</a>');
    const ask = await agent.get('/profile/security/recovery-codes');
    expect(ask.status).toBe(200);
    expect(visibleText(ask.text)).toContain(
      'Weet u zeker dat u nieuwe herstelcodes wilt maken? Uw 9 ongebruikte herstelcodes werken daarna niet meer.',
    );
    expect(await hashes()).toEqual(before);
    const made = await agent
      .post('/profile/security/recovery-codes')
      .type('form')
      .send({ _csrf: csrfFrom(ask.text) });
    expect(made.status).toBe(200);
    expect(visibleText(made.text)).toContain('Uw herstelcodes');
    const after = await hashes();
    expect(after).toHaveLength(10);
    expect(after.some((h) => before.includes(h))).toBe(false);
  });
});

describe('logging in with the second step', () => {
  it('after the password: no page, no data, no name until the code; then logged in where they were going', async () => {
    const { p, secret } = await personWithTotp();
    const agent = client(app);
    const page = await agent.get('/login?returnTo=%2Finvoices');
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), username: p.email, password: PASSWORD, returnTo: '/invoices' });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/login/second-step');
    const step = await agent.get('/login/second-step');
    expect(step.status).toBe(200);
    for (const s of [p.email!, p.lastName, p.firstName!]) expect(step.text).not.toContain(s);

    // Every guarded page is as closed as for a stranger.
    for (const r of listRoutes(app).filter((x) => x.access !== 'PUBLIC')) {
      const url = r.path.replace(/:(\w+)/g, (_m, name: string) => (name === 'handle' ? '0'.repeat(32) : String(p.id)));
      if (r.method === 'GET') {
        const g = await agent.get(url);
        expect(g.status, `GET ${url}`).toBe(302);
        expect(g.headers.location, `GET ${url}`).toMatch(/^\/login\?returnTo=/);
      } else {
        const g = await agent
          .post(url)
          .type('form')
          .send({ _csrf: csrfFrom(step.text) });
        expect([401, 403], `POST ${url}`).toContain(g.status);
      }
    }
    expect(await db.pool.query('SELECT 1 FROM session WHERE contact_id = $1', [p.id]).then((r) => r.rowCount)).toBe(0);

    const done = await sendCode(agent, totpCode(secret, clock.now()));
    expect(done.status).toBe(302);
    expect(done.headers.location).toBe('/invoices');
    expect((await agent.get('/invoices')).status).toBe(200);
  });

  it('a code is used once: the same code in the same window is refused in another browser', async () => {
    const { p, secret } = await personWithTotp();
    const a = client(app);
    const b = client(app);
    await logIn(a, p.email!, PASSWORD);
    await logIn(b, p.email!, PASSWORD);
    const code = totpCode(secret, clock.now());
    expect((await sendCode(a, code)).status).toBe(302);
    const replay = await sendCode(b, code);
    expect(replay.status).toBe(401);
    expect(visibleText(replay.text)).toContain('Deze code klopt niet of is al gebruikt.');
    // The message belongs to the code field (a screen reader reads it there), and the title says it went wrong.
    expect(replay.text).toMatch(
      /<input id="f-code"[^>]* aria-invalid="true" aria-describedby="second-step-error f-code-hint"/,
    );
    expect(replay.text).toMatch(
      /<div class="notice notice--error" role="alert" id="second-step-error" tabindex="-1" autofocus>/,
    );
    expect(replay.text).toMatch(/<title>Fout: /);
    // An earlier step's code is refused too, even though it is inside the window.
    nextStep(1_000);
    expect((await sendCode(b, totpCode(secret, new Date(clock.now().getTime() - 30_000)))).status).toBe(401);
    // The next step's code works.
    expect((await sendCode(b, totpCode(secret, clock.now()))).status).toBe(302);
  });

  it('accepts the code of the step before and after by the app clock, not two steps away', async () => {
    const { p, secret } = await personWithTotp();
    const at = (ms: number) => new Date(clock.now().getTime() + ms);
    const a = client(app);
    await logIn(a, p.email!, PASSWORD);
    nextStep(0); // the first millisecond of a step
    expect((await sendCode(a, totpCode(secret, at(-60_000)))).status).toBe(401);
    expect((await sendCode(a, totpCode(secret, at(60_000)))).status).toBe(401);
    expect((await sendCode(a, totpCode(secret, at(-1)))).status).toBe(302); // the previous step
    const b = client(app);
    await logIn(b, p.email!, PASSWORD);
    expect((await sendCode(b, totpCode(secret, at(30_000)))).status).toBe(302); // the next step
  });

  it('a recovery code works once; with two or fewer left the person is warned', async () => {
    const { p, codes } = await personWithTotp();
    await db.prisma.recoveryCode.updateMany({
      where: {
        contactId: p.id,
        codeHash: { notIn: codes.slice(0, 3).map((c) => hashRecoveryCode(normaliseRecoveryCode(c)!)) },
      },
      data: { usedAt: clock.now() },
    });
    const a = client(app);
    await logIn(a, p.email!, PASSWORD);
    const res = await sendCode(a, codes[0]!.toUpperCase());
    expect(res.status).toBe(302);
    expect(visibleText((await a.get(res.headers.location!)).text)).toContain('Let op: u heeft nog 2 herstelcode(s).');
    const b = client(app);
    await logIn(b, p.email!, PASSWORD);
    expect((await sendCode(b, codes[0]!)).status).toBe(401);
    expect((await sendCode(b, codes[3]!)).status).toBe(401); // used before
    expect(visibleText((await a.get('/profile/security')).text)).toContain('U heeft bijna geen herstelcodes meer.');
    expect(
      await db.prisma.auditEvent.count({ where: { kind: 'two_step.recovery_code_used', subjectId: String(p.id) } }),
    ).toBe(1);
  });

  it('wrong codes are throttled per browser: after five, even the right code waits', async () => {
    const { p, secret } = await personWithTotp();
    const a = client(app);
    await logIn(a, p.email!, PASSWORD);
    const right = totpCode(secret, clock.now());
    const wrong = right === '123456' ? '654321' : '123456';
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await sendCode(a, wrong)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    const locked = await sendCode(a, right);
    expect(locked.status).toBe(429);
    const lock = await db.prisma.loginThrottle.findFirst({
      where: { lockedUntil: { not: null } },
      orderBy: { lockedUntil: 'desc' },
    });
    expect(visibleText(locked.text)).toContain(
      `Te veel onjuiste codes. Probeer het na ${formatDateTime('nl', lock!.lockedUntil)} opnieuw.`,
    );
    expect(await db.pool.query('SELECT 1 FROM session WHERE contact_id = $1', [p.id]).then((r) => r.rowCount)).toBe(0);
  });

  it('the half-logged-in state lasts ten minutes', async () => {
    const { p, secret } = await personWithTotp();
    const a = client(app);
    await logIn(a, p.email!, PASSWORD);
    const page = await a.get('/login/second-step');
    clock.advance(10 * 60_000 + 1);
    const res = await a
      .post('/login/second-step')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), code: totpCode(secret, clock.now()) });
    expect(res.headers.location).toBe('/login');
    expect((await a.get('/')).status).toBe(302);
  });
});

describe('English', () => {
  it('the second step and Beveiliging in English', async () => {
    const { p, secret } = await personWithTotp();
    const a = client(app);
    await a.get('/login?lang=en');
    await logIn(a, p.email!, PASSWORD);
    expect(visibleText((await a.get('/login/second-step')).text)).toContain(
      'Enter the six-digit code from your authenticator app',
    );
    await sendCode(a, totpCode(secret, clock.now()));
    const text = visibleText((await a.get('/profile/security')).text);
    expect(text).toContain('Two-step login');
    expect(text).toContain('10 of 10 unused.');
  });
});
