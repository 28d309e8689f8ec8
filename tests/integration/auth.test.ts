import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, csrfFrom, logIn, SUPPLIER_ENV, testApp, visibleText, type TestClock } from '../support/app.js';
import { formatDateTime } from '../../src/i18n/index.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import type { Express } from 'express';

let db: TestDb;
let app: Express;
let clock: TestClock;

beforeAll(async () => {
  db = await createTestDb();
  ({ app, clock } = testApp(db));
});
afterAll(() => db.drop());

const FAILED = 'Inloggen is niet gelukt.';

function sessionCookie(res: request.Response): string | undefined {
  const raw = res.headers['set-cookie'] as unknown as string[] | undefined;
  return raw?.find((c) => c.startsWith('pim.sid='))?.split(';')[0];
}

describe('GET /login', () => {
  it("shows the manual's login page, in Dutch by default", async () => {
    const res = await request(app).get('/login');
    expect(res.status).toBe(200);
    const text = visibleText(res.text);
    for (const words of ['Welkom', 'Gebruikersnaam', 'Wachtwoord', 'Inloggen', 'Wachtwoord vergeten'])
      expect(text).toContain(words);
    // SSO buttons only when configured.
    expect(text).not.toContain('Inloggen met Microsoft 365');
    expect(text).not.toContain('Inloggen met Google');
    expect(res.text).toMatch(/name="_csrf" value="[^"]+"/);
  });

  it('shows the SSO buttons when providers are configured', async () => {
    const { app: ssoApp } = testApp(db, { sso: { microsoft: true, google: true } });
    const text = visibleText((await request(ssoApp).get('/login')).text);
    expect(text).toContain('Inloggen met Microsoft 365');
    expect(text).toContain('Inloggen met Google');
  });

  it('is in English with ?lang=en, and remembers it', async () => {
    const agent = client(app);
    expect(visibleText((await agent.get('/login?lang=en')).text)).toContain('Welcome');
    expect(visibleText((await agent.get('/login')).text)).toContain('Username');
  });

  it('sends a nonce-based CSP and safe cookies', async () => {
    const res = await request(app).get('/login');
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('pim.sid='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
  });

  it('uses a __Host- cookie with Secure in production', async () => {
    const { app: prod } = testApp(db, {
      env: {
        NODE_ENV: 'production',
        BASE_URL: 'https://pim.test',
        SESSION_SECRET: 'x'.repeat(40),
        TWO_FACTOR_KEY: 'ab'.repeat(32),
        ...SUPPLIER_ENV,
      },
    });
    const res = await request(prod).get('/login').set('X-Forwarded-Proto', 'https');
    const cookie = (res.headers['set-cookie'] as unknown as string[] | undefined)?.find((c) =>
      c.startsWith('__Host-pim.sid='),
    );
    // express-session only sets a Secure cookie over HTTPS; behind the proxy it is set with TRUST_PROXY.
    const { app: prodProxy } = testApp(db, {
      env: {
        NODE_ENV: 'production',
        BASE_URL: 'https://pim.test',
        SESSION_SECRET: 'x'.repeat(40),
        TRUST_PROXY: '1',
        TWO_FACTOR_KEY: 'ab'.repeat(32),
        ...SUPPLIER_ENV,
      },
    });
    const res2 = await request(prodProxy).get('/login').set('X-Forwarded-Proto', 'https');
    const cookie2 = (res2.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('__Host-pim.sid='))!;
    expect(cookie).toBeUndefined();
    expect(cookie2).toMatch(/Secure/);
    expect(cookie2).toMatch(/Path=\//);
    expect(cookie2).not.toMatch(/Domain=/);
  });
});

describe('POST /login', () => {
  it('when the address and password are right, then the dashboard greets the person with a new session id', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id, { firstName: 'Kim', lastName: 'Sanders' });
    const agent = client(app);
    const page = await agent.get('/login');
    const before = sessionCookie(page);
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), username: p.email!.toUpperCase(), password: PASSWORD });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/');
    const after = sessionCookie(res);
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    const home = await agent.get('/');
    expect(home.status).toBe(200);
    const text = visibleText(home.text);
    expect(text).toContain('Hallo Kim Sanders');
    expect(text).toContain('Welkom bij PIM');
    expect(text).toContain('Pantheon 2'); // footer with the vendor's addresses
  });

  it('without the CSRF token, then it is refused and nobody is logged in', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    const agent = client(app);
    await agent.get('/login');
    const res = await agent.post('/login').type('form').send({ username: p.email, password: PASSWORD });
    expect(res.status).toBe(403);
    expect((await agent.get('/')).status).toBe(302);
  });

  it('gives one and the same message for every reason of refusal', async () => {
    const org = await makeOrg(db.prisma);
    const inactiveOrg = await makeOrg(db.prisma, { active: false });
    const cases = {
      unknown: { email: 'nobody@example.nl', password: PASSWORD },
      wrongPassword: { email: (await makePerson(db.prisma, org.id)).email!, password: 'wrong password 123' },
      inactiveContact: { email: (await makePerson(db.prisma, org.id, { active: false })).email!, password: PASSWORD },
      inactiveOrganisation: { email: (await makePerson(db.prisma, inactiveOrg.id)).email!, password: PASSWORD },
      webAccessOff: { email: (await makePerson(db.prisma, org.id, { webAccess: false })).email!, password: PASSWORD },
      noPortalAccess: {
        email: (await makePerson(db.prisma, org.id, { roles: ['MANAGE_PERSONAL_DATA'] })).email!,
        password: PASSWORD,
      },
      noPasswordSet: { email: (await makePerson(db.prisma, org.id, { password: null })).email!, password: PASSWORD },
    };
    const messages = new Set<string>();
    for (const [reason, c] of Object.entries(cases)) {
      const res = await logIn(client(app), c.email, c.password);
      expect(res.status, reason).toBe(401);
      const alert = /<div class="notice notice--error" role="alert" id="login-error"[^>]*>([^<]*)<\/div>/.exec(
        res.text,
      )?.[1];
      expect(alert, reason).toContain(FAILED);
      messages.add(alert!);
    }
    expect(messages.size).toBe(1);
  });

  it('a deleted contact cannot log in', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    await db.prisma.contact.update({ where: { id: p.id }, data: { deletedAt: new Date() } });
    expect((await logIn(client(app), p.email!, PASSWORD)).status).toBe(401);
  });

  it('when fields are empty, then it asks for them with 422', async () => {
    const res = await logIn(client(app), '', '');
    expect(res.status).toBe(422);
    expect(visibleText(res.text)).toContain('Vul uw gebruikersnaam en wachtwoord in.');
  });

  it.each([
    ['//evil.example', '/'],
    ['https://evil.example', '/'],
    ['/\\evil.example', '/'],
    ['/.//evil.example/x', '/'],
    ['/contacts?page=2', '/contacts?page=2'],
  ])('after login, returnTo %s goes to %s', async (returnTo, expected) => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    const agent = client(app);
    const page = await agent.get(`/login?returnTo=${encodeURIComponent(returnTo)}`);
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), username: p.email, password: PASSWORD, returnTo });
    expect(res.headers.location).toBe(expected);
  });

  it('an anonymous visitor of a page is sent to login and back after', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    const agent = client(app);
    const first = await agent.get('/?x=1');
    expect(first.status).toBe(302);
    expect(first.headers.location).toBe('/login?returnTo=%2F%3Fx%3D1');
    const page = await agent.get(first.headers.location!);
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), username: p.email, password: PASSWORD, returnTo: '/?x=1' });
    expect(res.headers.location).toBe('/?x=1');
  });
});

describe('login throttling', () => {
  it('locks after five failures, says until when, refuses even the right password, and ends by itself', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    for (let i = 0; i < 4; i++) expect((await logIn(client(app), p.email!, 'wrong password!!')).status).toBe(401);
    const fifth = await logIn(client(app), p.email!, 'wrong password!!');
    expect(fifth.status).toBe(429);
    const keys = await db.prisma.loginThrottle.findMany({ where: { key: { contains: p.email! } } });
    const until = keys.map((k) => k.lockedUntil).find(Boolean);
    expect(until).toBeTruthy();
    // The lock's end as the portal writes every date and time (5-3-2026 09:45), in Amsterdam time.
    expect(visibleText(fifth.text)).toContain(
      `Te veel mislukte pogingen. U kunt het opnieuw proberen na ${formatDateTime('nl', until)}`,
    );
    expect((await logIn(client(app), p.email!, PASSWORD)).status).toBe(429);
    clock.advance(16 * 60_000);
    expect((await logIn(client(app), p.email!, PASSWORD)).status).toBe(302);
  });

  it('counts an unknown address like a known one (no enumeration by lockout)', async () => {
    for (let i = 0; i < 4; i++) await logIn(client(app), 'ghost@example.nl', 'wrong password!!');
    expect((await logIn(client(app), 'ghost@example.nl', 'wrong password!!')).status).toBe(429);
    clock.advance(16 * 60_000);
  });

  it('a stranger cannot lock the owner out of a browser that logged in before', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    const owner = client(app);
    expect((await logIn(owner, p.email!, PASSWORD)).status).toBe(302);
    const csrf = csrfFrom((await owner.get('/')).text);
    await owner.post('/logout').type('form').send({ _csrf: csrf });
    for (let i = 0; i < 6; i++) await logIn(client(app), p.email!, 'attacker guess!!');
    expect((await logIn(client(app), p.email!, PASSWORD)).status).toBe(429);
    // The owner's browser carries the device cookie: only its own counter applies.
    expect((await logIn(owner, p.email!, PASSWORD)).status).toBe(302);
    clock.advance(16 * 60_000);
  });

  it('is counted in PostgreSQL, so a second app instance sees the same lock', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    const { app: other } = testApp(db, { clock });
    for (let i = 0; i < 5; i++) await logIn(client(i % 2 ? app : other), p.email!, 'wrong password!!');
    expect((await logIn(client(other), p.email!, PASSWORD)).status).toBe(429);
    expect((await logIn(client(app), p.email!, PASSWORD)).status).toBe(429);
    clock.advance(16 * 60_000);
  });
});

describe('sessions', () => {
  async function loggedIn() {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    const agent = client(app);
    const res = await logIn(agent, p.email!, PASSWORD);
    expect(res.status).toBe(302);
    return { p, agent, cookie: sessionCookie(res)! };
  }

  it('ends after 30 minutes without a request', async () => {
    const { agent } = await loggedIn();
    clock.advance(29 * 60_000);
    expect((await agent.get('/')).status).toBe(200);
    clock.advance(29 * 60_000);
    expect((await agent.get('/')).status).toBe(200);
    clock.advance(31 * 60_000);
    const res = await agent.get('/');
    expect(res.status).toBe(302);
    expect(res.headers.location).toMatch(/^\/login/);
    expect(visibleText((await agent.get(res.headers.location!)).text)).toContain(
      'Uw sessie is verlopen. Log opnieuw in.',
    );
  });

  it('a form sent after the session expired leads to the login page with a message, not a CSRF error', async () => {
    const { agent } = await loggedIn();
    const page = await agent.get('/');
    clock.advance(31 * 60_000);
    const res = await agent
      .post('/logout')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login');
    expect(visibleText((await agent.get('/login')).text)).toContain('Uw sessie is verlopen. Log opnieuw in.');
  });

  it('ends 12 hours after login, however active', async () => {
    const { agent } = await loggedIn();
    for (let i = 0; i < 36; i++) {
      clock.advance(20 * 60_000);
      expect((await agent.get('/')).status, `after ${(i + 1) * 20} minutes`).toBe(200);
    }
    clock.advance(20 * 60_000);
    expect((await agent.get('/')).status).toBe(302);
  });

  it('logout ends the session; replaying the old cookie gets nowhere', async () => {
    const { agent, cookie } = await loggedIn();
    const home = await agent.get('/');
    const res = await agent
      .post('/logout')
      .type('form')
      .send({ _csrf: csrfFrom(home.text) });
    expect(res.status).toBe(302);
    expect((await agent.get('/')).status).toBe(302);
    const replay = await request(app).get('/').set('Cookie', cookie);
    expect(replay.status).toBe(302);
    expect(replay.headers.location).toMatch(/^\/login/);
  });

  it('deactivating the contact or turning web access off ends the session on the next request', async () => {
    const a = await loggedIn();
    await db.prisma.contact.update({ where: { id: a.p.id }, data: { active: false } });
    expect((await a.agent.get('/')).status).toBe(302);
    const b = await loggedIn();
    await db.prisma.contact.update({ where: { id: b.p.id }, data: { webAccess: false } });
    expect((await b.agent.get('/')).status).toBe(302);
  });

  it('a role change takes effect on the next request, without a new login', async () => {
    const { p, agent } = await loggedIn();
    await db.prisma.contactRole.delete({ where: { contactId_role: { contactId: p.id, role: 'PORTAL_ACCESS' } } });
    expect((await agent.get('/')).status).toBe(302);
  });
});
