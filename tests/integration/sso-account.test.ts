import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type { TestDb } from '../support/db.js';
import { client, csrfFrom, logIn, submitForm, visibleText } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import type { TestOidcProvider } from '../support/oidc.js';
import { ssoLogin, startSsoTestbed, type SsoTestbed } from '../support/sso.js';
import { loadActor } from '../../src/auth/actor.js';
import { loginMarks } from '../../src/auth/login-methods.js';
import { getContact } from '../../src/features/contacts/queries.js';
import { runCli } from '../../src/cli/program.js';
import { views } from '../../src/http/views.js';
import { translate } from '../../src/i18n/index.js';

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
const link = (contactId: number, provider: 'MICROSOFT' | 'GOOGLE', email: string | null = null) =>
  db.prisma.externalLogin.create({ data: { contactId, provider, subject: `subject-${Date.now()}-${++n}`, email } });

describe('GET /profile/logins and POST /profile/logins/:id/unlink', () => {
  it("shows the person's own linked logins, and unlinks one with its CSRF token", async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA'] });
    const ms = await link(p.id, 'MICROSOFT', p.email);
    await link(p.id, 'GOOGLE', 'kim@gmail.example');
    const agent = client(app);
    expect((await logIn(agent, p.email!, PASSWORD)).status).toBe(302);
    const page = await agent.get('/profile/logins');
    expect(page.status).toBe(200);
    const text = visibleText(page.text);
    expect(text).toContain('Inlogmethoden');
    expect(text).toContain('Microsoft 365');
    expect(text).toContain('kim@gmail.example');
    // The personal page shows them too.
    const profile = visibleText((await agent.get('/profile')).text);
    expect(profile).toContain('Inlogmethoden');
    expect(profile).toContain('kim@gmail.example');

    const res = await agent
      .post(`/profile/logins/${ms.id}/unlink`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/profile/logins');
    const after = visibleText((await agent.get('/profile/logins')).text);
    expect(after).toContain('Uw Microsoft-account is ontkoppeld.');
    expect(await db.prisma.externalLogin.findMany({ where: { contactId: p.id }, select: { provider: true } })).toEqual([
      { provider: 'GOOGLE' },
    ]);
    const audit = await db.prisma.auditEvent.findFirstOrThrow({
      where: { kind: 'sso.unlinked', subjectId: String(ms.id) },
    });
    expect(audit.actorId).toBe(p.id);
  });

  it("another person's link is not found (404), and stays", async () => {
    const org = await makeOrg(db.prisma);
    const me = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA'] });
    const colleague = await makePerson(db.prisma, org.id);
    const theirs = await link(colleague.id, 'MICROSOFT');
    const agent = client(app);
    await logIn(agent, me.email!, PASSWORD);
    const page = await agent.get('/profile/logins');
    const res = await agent
      .post(`/profile/logins/${theirs.id}/unlink`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    expect(res.status).toBe(404);
    expect(await db.prisma.externalLogin.count({ where: { id: theirs.id } })).toBe(1);
  });

  it('without a CSRF token nothing is unlinked; without MANAGE_PERSONAL_DATA the page is refused', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA'] });
    const l = await link(p.id, 'GOOGLE');
    const agent = client(app);
    await logIn(agent, p.email!, PASSWORD);
    expect((await agent.post(`/profile/logins/${l.id}/unlink`).type('form').send({})).status).toBe(403);
    expect(await db.prisma.externalLogin.count({ where: { id: l.id } })).toBe(1);
    const plain = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS'] });
    const other = client(app);
    await logIn(other, plain.email!, PASSWORD);
    expect((await other.get('/profile/logins')).status).toBe(403);
  });
});

describe('organisations that require SSO', () => {
  it('refuse a correct password with a message pointing to the buttons; a wrong password gets the usual answer', async () => {
    const org = await makeOrg(db.prisma);
    await db.prisma.organization.update({ where: { id: org.id }, data: { ssoRequired: true } });
    const p = await makePerson(db.prisma, org.id, { firstName: 'Lisa', lastName: 'de Vries' });
    const wrong = await logIn(client(app), p.email!, 'not the password');
    expect(wrong.status).toBe(401);
    expect(visibleText(wrong.text)).not.toContain('Uw organisatie heeft ingesteld');
    const agent = client(app);
    const res = await logIn(agent, p.email!, PASSWORD);
    expect(res.status).toBe(403);
    const text = visibleText(res.text);
    expect(text).toContain('Uw organisatie heeft ingesteld dat u inlogt met Microsoft 365 of Google');
    expect(text).toContain('Inloggen met Microsoft 365');
    expect((await agent.get('/')).status).toBe(302);
    expect(
      await db.prisma.auditEvent.count({ where: { kind: 'login.refused_sso_required', subjectId: String(p.id) } }),
    ).toBe(1);

    // The SSO login works for them.
    const account = `ms-required-${Date.now()}`;
    idp.accounts.set(account, { email: p.email!, tid: 't', oid: account, xms_edov: true });
    const sso = client(app);
    expect((await ssoLogin(sso, idp.url, 'microsoft', account)).status).toBe(302);
    expect(visibleText((await sso.get('/')).text)).toContain('Hallo Lisa de Vries');
  });

  it('a forgotten-password request gets the same page, and a mail naming the buttons instead of a reset link', async () => {
    const org = await makeOrg(db.prisma);
    await db.prisma.organization.update({ where: { id: org.id }, data: { ssoRequired: true } });
    const p = await makePerson(db.prisma, org.id);
    await link(p.id, 'GOOGLE');
    const res = await submitForm(client(app), '/password/forgot', '/password/forgot', { email: p.email! });
    expect(res.status).toBe(200);
    const unknown = await submitForm(client(app), '/password/forgot', '/password/forgot', {
      email: 'unknown.sso@example.nl',
    });
    await bed.settle();
    expect(visibleText(res.text).replace(p.email!, 'X')).toBe(
      visibleText(unknown.text).replace('unknown.sso@example.nl', 'X'),
    );
    const mail = await db.prisma.mailOutbox.findFirstOrThrow({ where: { recipient: p.email! } });
    expect(mail.subject).toBe('Inloggen bij PIM gaat met Microsoft 365 of Google');
    expect(mail.text).toContain("'Inloggen met Microsoft 365' of 'Inloggen met Google'");
    expect(mail.text).toContain('http://pim.test/login');
    expect(mail.text).toContain('Gekoppeld aan uw PIM-account: Google');
    expect(mail.text).not.toContain('/password/reset/');
    expect(await db.prisma.passwordToken.count({ where: { contactId: p.id } })).toBe(0);
  });
});

describe('login marks and their partial', () => {
  it('lists password and linked providers per contact; no password where SSO is required', async () => {
    const org = await makeOrg(db.prisma);
    const ssoOrg = await makeOrg(db.prisma);
    await db.prisma.organization.update({ where: { id: ssoOrg.id }, data: { ssoRequired: true } });
    const a = await makePerson(db.prisma, org.id);
    const b = await makePerson(db.prisma, org.id, { password: null });
    const c = await makePerson(db.prisma, ssoOrg.id);
    await link(a.id, 'GOOGLE');
    await link(b.id, 'MICROSOFT');
    await link(c.id, 'MICROSOFT');
    await link(c.id, 'GOOGLE');
    // Read as a contact manager's pages read them: through the contact's own scoped query.
    const managerOf = async (orgId: number) => {
      const p = await makePerson(db.prisma, orgId, { main: true });
      return (await loadActor(db.prisma, p.id, 0))!;
    };
    const [manager, ssoManager] = [await managerOf(org.id), await managerOf(ssoOrg.id)];
    const marksOf = async (actor: NonNullable<Awaited<ReturnType<typeof loadActor>>>, id: number) => {
      const contact = await getContact(db.prisma, actor, id);
      return loginMarks({
        hasPassword: contact.hasPassword,
        ssoRequired: contact.organization.ssoRequired,
        providers: contact.providers,
      });
    };
    const m = new Map([
      [a.id, await marksOf(manager, a.id)],
      [b.id, await marksOf(manager, b.id)],
      [c.id, await marksOf(ssoManager, c.id)],
    ]);
    expect(m.get(a.id)).toEqual(['PASSWORD', 'GOOGLE']);
    expect(m.get(b.id)).toEqual(['MICROSOFT']);
    expect(m.get(c.id)).toEqual(['MICROSOFT', 'GOOGLE']);
    // Another organisation's contact is out of reach.
    await expect(getContact(db.prisma, manager, c.id)).rejects.toThrow();

    const t = (key: string, params?: Record<string, string>) => translate('nl', key, params);
    const html = views.renderString(
      '{% from "sso/login-methods.njk" import loginMethods with context %}{{ loginMethods(m) }}|{{ loginMethods([]) }}',
      { m: m.get(a.id), t },
    );
    expect(visibleText(html)).toBe('Wachtwoord Google | Geen');
  });

  it("a contact manager sees on the contact list and the contact's page how each colleague logs in", async () => {
    const org = await makeOrg(db.prisma);
    const manager = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_CONTACTS'] });
    const colleague = await makePerson(db.prisma, org.id, { lastName: 'Microsoftgebruiker', password: null });
    await link(colleague.id, 'MICROSOFT');
    const agent = client(app);
    expect((await logIn(agent, manager.email!, PASSWORD)).status).toBe(302);
    const list = visibleText((await agent.get(`/contacts?org=${org.id}`)).text);
    expect(list).toMatch(/Microsoftgebruiker PIM \(.*?\) Microsoft 365/);
    const page = visibleText((await agent.get(`/contacts/${colleague.id}`)).text);
    expect(page).toContain('Inlogmethoden Microsoft 365');
  });
});

describe('staff tool: sso:list, sso:unlink, org:require-sso', () => {
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

  it("lists and unlinks a contact's logins, with an audit event", async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    const l = await link(p.id, 'MICROSOFT', p.email);
    const list = await run('sso:list', '--contact', String(p.id));
    expect(list.code).toBe(0);
    expect(list.out[0]).toContain(`microsoft\t${l.subject}\t${p.email}`);
    const un = await run('sso:unlink', '--contact', String(p.id), '--provider', 'Microsoft');
    expect(un).toMatchObject({ code: 0, err: [] });
    expect(un.out[0]).toMatch(/^unlinked microsoft login of contact/);
    expect(await db.prisma.externalLogin.count({ where: { contactId: p.id } })).toBe(0);
    const audit = await db.prisma.auditEvent.findFirstOrThrow({
      where: { kind: 'sso.unlinked', subjectId: String(l.id) },
    });
    expect(audit.actorLabel).toMatch(/^staff:/);
    expect((await run('sso:list', '--contact', String(p.id))).out[0]).toContain('has no linked logins');
  });

  it('refuses bad input with one line naming the field, and writes nothing', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    await link(p.id, 'GOOGLE');
    const before = [await db.prisma.externalLogin.count(), await db.prisma.auditEvent.count()];
    const cases: [string[], string][] = [
      [['sso:unlink', '--contact', String(p.id), '--provider', 'facebook'], '--provider'],
      [['sso:unlink', '--contact', String(p.id), '--provider', 'microsoft'], '--provider'],
      [['sso:unlink', '--contact', 'abc', '--provider', 'google'], '--contact'],
      [['sso:list', '--contact', '999999'], '--contact'],
      [['org:require-sso', String(org.id), 'maybe'], '<state>'],
      [['org:require-sso', '999999', 'on'], '<id>'],
    ];
    for (const [argv, field] of cases) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toContain(field);
    }
    expect([await db.prisma.externalLogin.count(), await db.prisma.auditEvent.count()]).toEqual(before);
  });

  it('org:require-sso on / off switches the password login off and on', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    expect((await run('org:require-sso', String(org.id), 'on')).out[0]).toContain('now requires SSO');
    expect((await logIn(client(app), p.email!, PASSWORD)).status).toBe(403);
    expect((await run('org:require-sso', String(org.id), 'on')).out[0]).toContain('already requires SSO');
    expect((await run('org:require-sso', String(org.id), 'off')).out[0]).toContain('no longer requires SSO');
    expect((await logIn(client(app), p.email!, PASSWORD)).status).toBe(302);
    expect(
      await db.prisma.auditEvent.count({
        where: { kind: 'organization.sso_required_changed', organizationId: org.id },
      }),
    ).toBe(2);
  });
});
