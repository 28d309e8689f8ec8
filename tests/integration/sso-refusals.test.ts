import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type { TestDb } from '../support/db.js';
import { client, testApp, visibleText } from '../support/app.js';
import { makeOrg, makePerson } from '../support/factories.js';
import type { TestOidcProvider } from '../support/oidc.js';
import { startFakeIdp } from '../support/fake-idp.js';
import { ssoEnv, ssoJourney, ssoLogin, startSsoTestbed, type SsoTestbed } from '../support/sso.js';

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
function entraAccount(email: string, over: Record<string, unknown> = {}) {
  const id = `ms-${Date.now().toString(36)}-${++n}`;
  idp.accounts.set(id, { email, tid: 'tenant-refusals', oid: `oid-${id}`, xms_edov: true, ...over });
  return id;
}

/** The last sso.refused event's reason and detail. */
async function lastRefusal() {
  const e = await db.prisma.auditEvent.findFirstOrThrow({ where: { kind: 'sso.refused' }, orderBy: { id: 'desc' } });
  return e.after as { reason: string; detail?: string; provider: string; email: string | null };
}

/** The refusal as a person sees it: 403, the message, still logged out, nothing linked. */
async function expectRefused(
  agent: ReturnType<typeof client>,
  res: request.Response | undefined,
  message: string,
  reason: string,
) {
  expect(res!.status).toBe(403);
  expect(visibleText(res!.text)).toContain('Inloggen is niet gelukt');
  expect(visibleText(res!.text)).toContain(message);
  expect((await lastRefusal()).reason).toBe(reason);
  expect((await agent.get('/')).status).toBe(302);
}

describe('refused SSO logins (oidc-provider)', () => {
  it('an address no contact has: a page that says so without naming any account', async () => {
    const before = await db.prisma.externalLogin.count();
    const agent = client(app);
    const res = await ssoLogin(agent, idp.url, 'microsoft', entraAccount('stranger@example.nl'));
    await expectRefused(
      agent,
      res,
      'Er is geen PIM-account dat u met dit Microsoft-account kunt gebruiken.',
      'noAccount',
    );
    expect(visibleText(res.text)).not.toContain('stranger@example.nl');
    expect(await db.prisma.externalLogin.count()).toBe(before);
  });

  it('web access off, deactivated, no PORTAL_ACCESS, organisation inactive: the same rules as the password login', async () => {
    const org = await makeOrg(db.prisma);
    const inactiveOrg = await makeOrg(db.prisma, { active: false });
    const people = [
      await makePerson(db.prisma, org.id, { webAccess: false }),
      await makePerson(db.prisma, org.id, { active: false }),
      await makePerson(db.prisma, org.id, { roles: ['MANAGE_PERSONAL_DATA'] }),
      await makePerson(db.prisma, inactiveOrg.id),
    ];
    for (const p of people) {
      const agent = client(app);
      const res = await ssoLogin(agent, idp.url, 'microsoft', entraAccount(p.email!));
      await expectRefused(agent, res, 'U heeft op dit moment geen toegang tot PIM', 'noAccess');
      expect(await db.prisma.externalLogin.count({ where: { contactId: p.id } })).toBe(0);
    }
    const refusal = await db.prisma.auditEvent.findFirstOrThrow({
      where: { kind: 'sso.refused' },
      orderBy: { id: 'desc' },
    });
    expect(refusal.subjectId).toBe(String(people[3]!.id));
  });

  it('a linked person who is later deactivated is refused on the link too', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    const account = entraAccount(p.email!);
    expect((await ssoLogin(client(app), idp.url, 'microsoft', account)).status).toBe(302);
    await db.prisma.contact.update({ where: { id: p.id }, data: { active: false } });
    const agent = client(app);
    await expectRefused(
      agent,
      await ssoLogin(agent, idp.url, 'microsoft', account),
      'U heeft op dit moment geen toegang tot PIM',
      'noAccess',
    );
  });

  it('a Microsoft address the tenant does not vouch for (no xms_edov) is not linked', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    const agent = client(app);
    const res = await ssoLogin(agent, idp.url, 'microsoft', entraAccount(p.email!, { xms_edov: false }));
    await expectRefused(agent, res, 'Uw Microsoft-account geeft geen bevestigd e-mailadres door', 'unverifiedEmail');
    expect(await db.prisma.externalLogin.count({ where: { contactId: p.id } })).toBe(0);
  });

  it('a second Microsoft account with the same address does not take over a linked person', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    expect((await ssoLogin(client(app), idp.url, 'microsoft', entraAccount(p.email!))).status).toBe(302);
    const agent = client(app);
    const res = await ssoLogin(agent, idp.url, 'microsoft', entraAccount(p.email!, { tid: 'another-tenant' }));
    await expectRefused(agent, res, 'Uw PIM-account is al gekoppeld aan een ander Microsoft-account.', 'alreadyLinked');
    expect(await db.prisma.externalLogin.count({ where: { contactId: p.id } })).toBe(1);
  });

  it('a callback with the wrong state is refused before the code is spent', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    const agent = client(app);
    const { callback } = await ssoJourney(agent, idp.url, 'microsoft', entraAccount(p.email!), undefined, {
      follow: false,
    });
    const forged = callback.replace(/state=[^&]+/, 'state=forged-state');
    await expectRefused(
      agent,
      await agent.get(forged),
      'Het inloggen met Microsoft 365 kon niet worden afgerond',
      'failed',
    );
    expect((await lastRefusal()).detail).toMatch(/state/);
    expect(await db.prisma.externalLogin.count({ where: { contactId: p.id } })).toBe(0);
  });

  it('a callback in another browser (login CSRF: no pending request in its session) is refused', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    const { callback } = await ssoJourney(client(app), idp.url, 'microsoft', entraAccount(p.email!), undefined, {
      follow: false,
    });
    const victim = client(app);
    await expectRefused(victim, await victim.get(callback), 'kon niet worden afgerond', 'failed');
  });

  it('a replayed code is refused: by the session (state spent) and by the provider (code spent)', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    const account = entraAccount(p.email!);
    const agent = client(app);
    const { res, callback } = await ssoJourney(agent, idp.url, 'microsoft', account);
    expect(res!.status).toBe(302);
    // The same callback again in the same browser: its state was used up.
    const again = client(app);
    await expectRefused(again, await again.get(callback), 'kon niet worden afgerond', 'failed');
    // A fresh request's state with the old code: the provider refuses the spent code.
    const third = client(app);
    const start = await third.get('/auth/microsoft');
    const state = new URL(String(start.headers.location)).searchParams.get('state')!;
    const replay = callback.replace(/state=[^&]+/, `state=${encodeURIComponent(state)}`);
    await expectRefused(third, await third.get(replay), 'kon niet worden afgerond', 'failed');
    expect((await lastRefusal()).detail).toMatch(/grant|code/i);
  });

  it('a person who cancels at the provider gets a page that says so', async () => {
    const agent = client(app);
    await agent.get('/auth/google');
    const res = await agent.get('/auth/google/callback?error=access_denied&state=x');
    await expectRefused(agent, res, 'U heeft het inloggen bij Google afgebroken.', 'cancelled');
  });

  it("the refusal page is in the person's language", async () => {
    const agent = client(app);
    await agent.get('/login?lang=en');
    const res = await ssoLogin(agent, idp.url, 'microsoft', entraAccount('nobody.en@example.nl'));
    expect(res.status).toBe(403);
    expect(visibleText(res.text)).toContain('There is no PIM account you can use with this Microsoft account.');
  });
});

describe('ID tokens that do not check out (hand-made provider, signed with a test key)', () => {
  let fake: Awaited<ReturnType<typeof startFakeIdp>>;
  let fakeApp: Express;
  let person: { id: number; email: string | null };

  beforeAll(async () => {
    fake = await startFakeIdp({ clientId: 'pim-microsoft' });
    ({ app: fakeApp } = testApp(db, { env: ssoEnv(fake.url) }));
    const org = await makeOrg(db.prisma);
    person = await makePerson(db.prisma, org.id, { firstName: 'Geert', lastName: 'Breukers' });
  });
  afterAll(() => fake?.close());

  const attempt = async (plan: Parameters<typeof Object.assign>[1]) => {
    fake.state.plan = { claims: { email: person.email, oid: 'oid-geert', tid: 'tenant-a' }, ...plan };
    const agent = client(fakeApp);
    const res = await ssoLogin(agent, fake.url, 'microsoft', '');
    return { agent, res };
  };

  it('wrong nonce: refused', async () => {
    const { agent, res } = await attempt({ nonce: 'not-the-nonce-we-sent' });
    await expectRefused(agent, res, 'kon niet worden afgerond', 'failed');
    expect((await lastRefusal()).detail).toMatch(/nonce/);
  });

  it('wrong audience: refused', async () => {
    const { agent, res } = await attempt({ aud: 'another-app' });
    await expectRefused(agent, res, 'kon niet worden afgerond', 'failed');
    expect((await lastRefusal()).detail).toMatch(/aud/);
  });

  it('wrong issuer: refused', async () => {
    const { agent, res } = await attempt({ iss: 'http://127.0.0.1:1/evil' });
    await expectRefused(agent, res, 'kon niet worden afgerond', 'failed');
    expect((await lastRefusal()).detail).toMatch(/iss/);
  });

  it('nothing was linked by the bad tokens; a good token then logs in', async () => {
    expect(await db.prisma.externalLogin.count({ where: { contactId: person.id } })).toBe(0);
    const { agent, res } = await attempt({});
    expect(res.status).toBe(302);
    expect(visibleText((await agent.get('/')).text)).toContain('Hallo Geert Breukers');
  });
});

describe('Entra multi-tenant ("organizations"): the issuer is the template with the token\'s own tid', () => {
  let fake: Awaited<ReturnType<typeof startFakeIdp>>;
  let mtApp: Express;

  beforeAll(async () => {
    // Plays login.microsoftonline.com: discovery publishes the {tenantid} template, as Entra does.
    fake = await startFakeIdp({
      clientId: 'pim-microsoft',
      issuer: () => 'https://login.microsoftonline.com/{tenantid}/v2.0',
    });
    const ssoFetch: typeof fetch = (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      return fetch(url.replace('https://login.microsoftonline.com', fake.url), init);
    };
    const env = ssoEnv(fake.url);
    delete (env as Record<string, string | undefined>).MICROSOFT_ISSUER_URL;
    ({ app: mtApp } = testApp(db, { env: { ...env, MICROSOFT_TENANT: 'organizations' }, ssoFetch }));
  });
  afterAll(() => fake?.close());

  it('accepts iss = https://login.microsoftonline.com/<tid>/v2.0 for the tid in the token', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    fake.state.plan = { claims: { email: p.email, tid: 'tenant-b', oid: 'oid-b' } };
    const agent = client(mtApp);
    expect((await ssoLogin(agent, fake.url, 'microsoft', '')).status).toBe(302);
    const link = await db.prisma.externalLogin.findFirstOrThrow({ where: { contactId: p.id } });
    expect(link.subject).toBe('tenant-b:oid-b');
  });

  it('refuses a token whose issuer names another tenant than its tid', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    fake.state.plan = {
      claims: { email: p.email, tid: 'tenant-b', oid: 'oid-c' },
      iss: 'https://login.microsoftonline.com/tenant-evil/v2.0',
    };
    const agent = client(mtApp);
    await expectRefused(agent, await ssoLogin(agent, fake.url, 'microsoft', ''), 'kon niet worden afgerond', 'failed');
    expect((await lastRefusal()).detail).toMatch(/iss/);
    expect(await db.prisma.externalLogin.count({ where: { contactId: p.id } })).toBe(0);
  });
});

describe('a provider that cannot be reached', () => {
  it('shows a page that says so (503), and the password login still works', async () => {
    const { app: down } = testApp(db, { env: ssoEnv('http://127.0.0.1:1') });
    const res = await request(down).get('/auth/microsoft');
    expect(res.status).toBe(503);
    expect(visibleText(res.text)).toContain('PIM kan Microsoft 365 op dit moment niet bereiken.');
    expect((await request(down).get('/login')).status).toBe(200);
  });
});
