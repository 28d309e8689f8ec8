import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import type { Express } from 'express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { csrfFrom, logIn, testApp, visibleText, type TestClock } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { makeToken } from '../support/api.js';
import { newTotpSecret, totpCode } from '../../src/auth/totp.js';
import { sealSecret, twoFactorKey } from '../../src/auth/secret-box.js';
import { totpContext } from '../../src/auth/two-factor.js';
import { contactFormBody } from '../support/contacts-factories.js';

// The limits of issue 19 that were still read, checked and then counted, or that one person could
// turn against another: bursts against the real server and database.

let db: TestDb;
let app: Express;
let clock: TestClock;
let key: Buffer;
let server: Server;

beforeAll(async () => {
  db = await createTestDb();
  const t = testApp(db, { env: { TRUST_PROXY: 'loopback' } });
  ({ app, clock } = t);
  // The middle of a 30-second step, so a code stays valid while a burst runs.
  clock.advance(15_000 - (clock.now().getTime() % 30_000));
  key = twoFactorKey(t.config.twoFactorKey, t.deps.sessionSecret);
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await db.drop();
});

// Each client comes from an address of its own (behind the trusted loopback proxy).
let n = 0;
const from = () => `203.0.113.${++n}`;
const burstClient = (address = from()) => request.agent(server).set('X-Forwarded-For', address);
const count = (statuses: number[]) =>
  statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});

/** Moves the clock to the middle of the next 30-second step (a code is accepted once). */
function nextStep() {
  const now = clock.now().getTime();
  clock.advance(30_000 - (now % 30_000) + 15_000);
}

async function sendCode(agent: TestAgent, code: string) {
  const page = await agent.get('/login/second-step');
  return agent
    .post('/login/second-step')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), code });
}

describe('the second step cannot be turned against its owner', () => {
  it('a burst of wrong codes from new browsers locks the account for strangers, while the owner’s own browser still gets in with the right code', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA'] });
    const secret = newTotpSecret();
    await db.prisma.totpSecret.create({
      data: { contactId: p.id, secretEncrypted: sealSecret(key, secret, totpContext(p.id)), confirmedAt: clock.now() },
    });
    // The owner's browser completes a full login (password and code) once, then logs out.
    const owner = burstClient();
    expect((await logIn(owner, p.email!, PASSWORD)).headers.location).toBe('/login/second-step');
    expect((await sendCode(owner, totpCode(secret, clock.now()))).status).toBe(302);
    const home = await owner.get('/profile/security');
    await owner
      .post('/logout')
      .type('form')
      .send({ _csrf: csrfFrom(home.text) });

    // The attacker knows the password: fresh browsers, one of them carrying a browser cookie
    // earned by a full login to an account of the attacker's own (it is no key to this one).
    const mine = await makePerson(db.prisma, org.id);
    const attackers = [burstClient(), burstClient(), burstClient(), burstClient(), burstClient()];
    expect((await logIn(attackers[0]!, mine.email!, PASSWORD)).status).toBe(302);
    const page = await attackers[0]!.get('/');
    await attackers[0]!
      .post('/logout')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    const forms: { agent: TestAgent; csrf: string }[] = [];
    for (const a of attackers) {
      expect((await logIn(a, p.email!, PASSWORD)).headers.location).toBe('/login/second-step');
      forms.push({ agent: a, csrf: csrfFrom((await a.get('/login/second-step')).text) });
    }
    const right = totpCode(secret, clock.now());
    const wrong = (i: number) => {
      const c = String((Number(right) + 1 + i) % 1_000_000).padStart(6, '0');
      return c === right ? '000000' : c;
    };
    // 150 guesses at once, each from another address, spread over the five browsers.
    const answers = await Promise.all(
      Array.from({ length: 150 }, (_, i) => {
        const f = forms[i % forms.length]!;
        return f.agent
          .post('/login/second-step')
          .set('X-Forwarded-For', from())
          .type('form')
          .send({ _csrf: f.csrf, code: wrong(i) });
      }),
    );
    const statuses = count(answers.map((a) => a.status));
    // At most the account's ten are checked; every other answer is "too many", none a 5xx.
    expect(Object.keys(statuses).every((s) => ['401', '429'].includes(s))).toBe(true);
    expect(statuses[401] ?? 0).toBeLessThanOrEqual(10);
    expect(statuses[429]).toBeGreaterThanOrEqual(140);
    // A stranger's browser now waits, even with the right code.
    expect((await sendCode(attackers[1]!, right)).status).toBe(429);

    // The owner's browser is its own counter: the right code lets them in.
    nextStep();
    expect((await logIn(owner, p.email!, PASSWORD)).headers.location).toBe('/login/second-step');
    const done = await sendCode(owner, totpCode(secret, clock.now()));
    expect(done.status).toBe(302);
    expect((await owner.get('/profile/security')).status).toBe(200);
  });

  it('a browser that logged in with the password only (before the second step existed) is not exempt', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA'] });
    // A login without a second step: this browser is known to the account, but only by the password.
    const early = burstClient();
    expect((await logIn(early, p.email!, PASSWORD)).headers.location).toBe('/');
    const home = await early.get('/profile/security');
    await early
      .post('/logout')
      .type('form')
      .send({ _csrf: csrfFrom(home.text) });
    const secret = newTotpSecret();
    await db.prisma.totpSecret.create({
      data: { contactId: p.id, secretEncrypted: sealSecret(key, secret, totpContext(p.id)), confirmedAt: clock.now() },
    });
    nextStep();
    const right = totpCode(secret, clock.now());
    const stranger = burstClient();
    await logIn(stranger, p.email!, PASSWORD);
    const csrf = csrfFrom((await stranger.get('/login/second-step')).text);
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        stranger
          .post('/login/second-step')
          .set('X-Forwarded-For', from())
          .type('form')
          .send({ _csrf: csrf, code: String((Number(right) + 1 + i) % 1_000_000).padStart(6, '0') }),
      ),
    );
    expect(answers.filter((a) => a.status === 401).length).toBeLessThanOrEqual(10);
    // The early browser shares the account's lock: its password login was no full login.
    expect((await logIn(early, p.email!, PASSWORD)).headers.location).toBe('/login/second-step');
    expect((await sendCode(early, right)).status).toBe(429);
  });

  it('the owner’s browser keeps a limit of its own for this account', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA'] });
    const secret = newTotpSecret();
    await db.prisma.totpSecret.create({
      data: { contactId: p.id, secretEncrypted: sealSecret(key, secret, totpContext(p.id)), confirmedAt: clock.now() },
    });
    nextStep();
    const owner = burstClient();
    await logIn(owner, p.email!, PASSWORD);
    expect((await sendCode(owner, totpCode(secret, clock.now()))).status).toBe(302);
    const home = await owner.get('/profile/security');
    await owner
      .post('/logout')
      .type('form')
      .send({ _csrf: csrfFrom(home.text) });
    nextStep();
    await logIn(owner, p.email!, PASSWORD);
    const right = totpCode(secret, clock.now());
    const csrf = csrfFrom((await owner.get('/login/second-step')).text);
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        owner
          .post('/login/second-step')
          .type('form')
          .send({ _csrf: csrf, code: String((Number(right) + 1 + i) % 1_000_000).padStart(6, '0') }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(95);
    expect((await sendCode(owner, right)).status).toBe(429);
  });
});

describe('API authentication failures', () => {
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

  it('200 parallel requests with wrong tokens from one address: at most 50 tokens are looked up, the rest get 429 with Retry-After', async () => {
    const address = from();
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        request(server)
          .get('/api/v1/organizations')
          .set('X-Forwarded-For', address)
          .set(bearer(`pim_guess${i}abcdefghijklmnopqrstuvwxyz0123456789`)),
      ),
    );
    const statuses = count(answers.map((a) => a.status));
    expect(Object.keys(statuses).sort()).toEqual(['401', '429']);
    expect(statuses[401]).toBeLessThanOrEqual(50);
    expect(statuses[429]).toBeGreaterThanOrEqual(150);
    const refused = answers.find((a) => a.status === 429)!;
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    expect(refused.body).toMatchObject({ status: 429, detail: 'Too many failed authentications from this address' });

    // Even a valid token waits at the locked address (it could be a lucky guess); elsewhere it works.
    const { token } = await makeToken(db.prisma, 'read');
    const locked = await request(server)
      .get('/api/v1/organizations')
      .set('X-Forwarded-For', address)
      .set(bearer(token));
    expect(locked.status).toBe(429);
    const other = await request(server).get('/api/v1/organizations').set('X-Forwarded-For', from()).set(bearer(token));
    expect(other.status).toBe(200);
  });

  it('valid tokens are not held: 200 parallel requests with a valid token all pass, and leave the address’s counter as it was', async () => {
    const { token } = await makeToken(db.prisma, 'read');
    const address = from();
    // Its first request: taken from the counter and given back.
    expect(
      (await request(server).get('/api/v1/organizations').set('X-Forwarded-For', address).set(bearer(token))).status,
    ).toBe(200);
    const answers = await Promise.all(
      Array.from({ length: 200 }, () =>
        request(server).get('/api/v1/organizations').set('X-Forwarded-For', address).set(bearer(token)),
      ),
    );
    expect(count(answers.map((a) => a.status))).toEqual({ 200: 200 });
    const counter = await db.prisma.loginThrottle.findUnique({ where: { key: `apiauth:${address}` } });
    expect(counter?.failures ?? 0).toBe(0);
    expect(counter?.lockedUntil ?? null).toBeNull();
  });
});

describe('the contacts address check', () => {
  it('100 parallel saves naming an address in use answer "in use" at most 20 times, and create nothing', async () => {
    const org = await makeOrg(db.prisma);
    const manager = await makePerson(db.prisma, org.id, {
      roles: ['PORTAL_ACCESS', 'MANAGE_CONTACTS', 'VIEW_ORGANIZATION'],
    });
    const taken = await makePerson(db.prisma, (await makeOrg(db.prisma)).id);
    const agent = burstClient();
    expect((await logIn(agent, manager.email!, PASSWORD)).status).toBe(302);
    const csrf = csrfFrom((await agent.get('/contacts/new')).text);
    const before = await db.prisma.contact.count({ where: { organizationId: org.id } });
    const answers = await Promise.all(
      Array.from({ length: 100 }, () =>
        agent
          .post('/contacts/new')
          .type('form')
          .send({ _csrf: csrf, ...contactFormBody(org.id, taken.email!) }),
      ),
    );
    expect(answers.every((a) => a.status === 422)).toBe(true);
    const texts = answers.map((a) => visibleText(a.text));
    const inUse = texts.filter((t) => t.includes('Dit e-mailadres is al in gebruik in PIM.')).length;
    const later = texts.filter((t) => t.includes('Probeer het over een uur opnieuw.')).length;
    expect(inUse).toBeLessThanOrEqual(20);
    expect(inUse + later).toBe(100);
    expect(await db.prisma.contact.count({ where: { organizationId: org.id } })).toBe(before);
  });

  it('saves without an address in use are not counted: 30 in a row all succeed, and a probe after them is still answered', async () => {
    const org = await makeOrg(db.prisma);
    const manager = await makePerson(db.prisma, org.id, {
      roles: ['PORTAL_ACCESS', 'MANAGE_CONTACTS', 'VIEW_ORGANIZATION'],
    });
    const taken = await makePerson(db.prisma, (await makeOrg(db.prisma)).id);
    const agent = burstClient();
    expect((await logIn(agent, manager.email!, PASSWORD)).status).toBe(302);
    const add = async (email: string) => {
      const csrf = csrfFrom((await agent.get('/contacts/new')).text);
      return agent
        .post('/contacts/new')
        .type('form')
        .send({ _csrf: csrf, ...contactFormBody(org.id, email) });
    };
    for (let i = 0; i < 30; i++) expect((await add(`nieuw.${i}.${manager.id}@example.nl`)).status).toBe(302);
    expect(visibleText((await add(taken.email!)).text)).toContain('Dit e-mailadres is al in gebruik in PIM.');
  });
});
