import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type { TestDb } from '../support/db.js';
import { client, testApp, visibleText } from '../support/app.js';
import { makeOrg, makePerson } from '../support/factories.js';
import type { TestOidcProvider } from '../support/oidc.js';
import { ssoLogin, startSsoTestbed, type SsoTestbed } from '../support/sso.js';

let db: TestDb;
let idp: TestOidcProvider;
let app: Express;
let bed: SsoTestbed;

beforeAll(async () => {
  bed = await startSsoTestbed();
  ({ db, idp, app } = bed);
});
afterAll(() => bed?.close());

let n = 0;
const uid = () => `${Date.now().toString(36)}${++n}`;

/** An Entra-like account at the provider (tid + oid, e-mail vouched for with xms_edov). */
function entraAccount(email: string, over: Record<string, unknown> = {}) {
  const id = `ms-${uid()}`;
  idp.accounts.set(id, { email, tid: 'tenant-vcare-test', oid: `oid-${id}`, xms_edov: true, name: 'Test', ...over });
  return id;
}
function googleAccount(email: string, verified = true) {
  const id = `g-${uid()}`;
  idp.accounts.set(id, { email, email_verified: verified, name: 'Test' });
  return id;
}

const audits = (kind: string) => db.prisma.auditEvent.findMany({ where: { kind }, orderBy: { id: 'asc' } });

describe('the login page', () => {
  it('shows both buttons as links when both providers are configured, none otherwise', async () => {
    const text = visibleText((await request(app).get('/login')).text);
    expect(text).toContain('Inloggen met Microsoft 365');
    expect(text).toContain('Inloggen met Google');
    const html = (await request(app).get('/login')).text;
    expect(html).toContain('href="/auth/microsoft"');
    expect(html).toContain('href="/auth/google"');
    const { app: plain } = testApp(db);
    expect(visibleText((await request(plain).get('/login')).text)).not.toContain('Inloggen met Microsoft 365');
    expect((await request(plain).get('/auth/microsoft')).status).toBe(404);
  });
});

describe('GET /auth/microsoft: the whole journey', () => {
  it('sends the browser to the provider with PKCE, state and nonce, and logs in and links on return', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id, { firstName: 'Kim', lastName: 'Sanders' });
    const account = entraAccount(p.email!);
    const agent = client(app);
    const start = await agent.get('/auth/microsoft');
    const auth = new URL(String(start.headers.location));
    expect(auth.origin).toBe(idp.url);
    for (const k of ['state', 'nonce', 'code_challenge']) expect(auth.searchParams.get(k), k).toBeTruthy();
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('redirect_uri')).toBe('http://pim.test/auth/microsoft/callback');

    const res = await ssoLogin(agent, idp.url, 'microsoft', account);
    expect(res.status, res.text).toBe(302);
    expect(res.headers.location).toBe('/');
    const home = await agent.get('/');
    expect(home.status).toBe(200);
    expect(visibleText(home.text)).toContain('Hallo Kim Sanders');
    expect(visibleText(home.text)).toContain('Uw Microsoft-account is nu gekoppeld aan PIM.');

    const links = await db.prisma.externalLogin.findMany({ where: { contactId: p.id } });
    expect(links).toHaveLength(1);
    expect(links[0]).toMatchObject({
      provider: 'MICROSOFT',
      subject: `tenant-vcare-test:oid-${account}`,
      email: p.email,
    });
    const linked = (await audits('sso.linked')).filter((a) => a.actorId === p.id);
    expect(linked).toHaveLength(1);
    expect((await audits('sso.login')).filter((a) => a.actorId === p.id)).toHaveLength(1);
    // "Laatst ingelogd" on the contact's page counts SSO logins too.
    expect((await db.prisma.contact.findUniqueOrThrow({ where: { id: p.id } })).lastLoginAt).not.toBeNull();
  });

  it('a later login uses only the link: the e-mail changed at the provider, the same person logs in', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id, { firstName: 'Roy', lastName: 'Williams' });
    const other = await makePerson(db.prisma, org.id, { firstName: 'Lisa', lastName: 'de Vries' });
    const account = entraAccount(p.email!);
    expect((await ssoLogin(client(app), idp.url, 'microsoft', account)).status).toBe(302);
    // At the provider, the account now carries another person's address (reused or edited).
    idp.accounts.get(account)!.email = other.email!;
    const agent = client(app);
    const res = await ssoLogin(agent, idp.url, 'microsoft', account);
    expect(res.status).toBe(302);
    expect(visibleText((await agent.get('/')).text)).toContain('Hallo Roy Williams');
    expect(await db.prisma.externalLogin.count({ where: { contactId: other.id } })).toBe(0);
    const link = await db.prisma.externalLogin.findFirstOrThrow({ where: { contactId: p.id } });
    expect(link.email).toBe(other.email);
    expect(link.lastUsedAt).not.toBeNull();
  });

  it('a successful SSO login gets a new session id, as the password login does', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    const account = entraAccount(p.email!);
    const agent = client(app);
    const first = await agent.get('/login?lang=en');
    const cookieBefore = (first.headers['set-cookie'] as unknown as string[])
      .find((c) => c.startsWith('pim.sid='))!
      .split(';')[0];
    const res = await ssoLogin(agent, idp.url, 'microsoft', account);
    const cookieAfter = (res.headers['set-cookie'] as unknown as string[])
      .find((c) => c.startsWith('pim.sid='))!
      .split(';')[0];
    expect(cookieAfter).not.toBe(cookieBefore);
    // The language chosen before the login survives it.
    expect(visibleText((await agent.get('/')).text)).toContain('Your Microsoft account is now linked to PIM.');
  });
});

describe('GET /auth/google: the whole journey', () => {
  it('links on the first login by the verified address, then logs in by sub', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id, { firstName: 'Henk', lastName: 'Bakker' });
    const account = googleAccount(p.email!);
    const agent = client(app);
    const start = await agent.get('/auth/google');
    const auth = new URL(String(start.headers.location));
    expect(auth.searchParams.get('state')).toBeTruthy();
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    const res = await ssoLogin(agent, idp.url, 'google', account);
    expect(res.status, res.text).toBe(302);
    expect(visibleText((await agent.get('/')).text)).toContain('Hallo Henk Bakker');
    const link = await db.prisma.externalLogin.findFirstOrThrow({ where: { contactId: p.id } });
    expect(link).toMatchObject({ provider: 'GOOGLE', subject: account });

    idp.accounts.get(account)!.email = 'someone.else@example.nl';
    const again = client(app);
    expect((await ssoLogin(again, idp.url, 'google', account)).status).toBe(302);
    expect(visibleText((await again.get('/')).text)).toContain('Hallo Henk Bakker');
  });

  it('refuses an address Google does not vouch for (email_verified false): nothing linked', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    const account = googleAccount(p.email!, false);
    const agent = client(app);
    const res = await ssoLogin(agent, idp.url, 'google', account);
    expect(res.status).toBe(403);
    expect(visibleText(res.text)).toContain('Uw Google-account geeft geen bevestigd e-mailadres door');
    expect(await db.prisma.externalLogin.count({ where: { contactId: p.id } })).toBe(0);
    expect((await agent.get('/')).status).toBe(302);
  });
});

describe('two-step login and SSO', () => {
  it('Microsoft and Google ask their own second step: an organisation that requires two-step login does not ask again', async () => {
    const org = await makeOrg(db.prisma);
    await db.prisma.organization.update({ where: { id: org.id }, data: { twoFactorRequired: true } });
    const p = await makePerson(db.prisma, org.id);
    const agent = client(app);
    const res = await ssoLogin(agent, idp.url, 'google', googleAccount(p.email!));
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/');
    expect((await agent.get('/')).status).toBe(200);
    const { rows } = await db.pool.query(`SELECT login_method FROM session WHERE contact_id = $1`, [p.id]);
    expect(rows).toEqual([{ login_method: 'google' }]);
  });
});
