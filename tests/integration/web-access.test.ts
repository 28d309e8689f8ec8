import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type TestAgent from 'supertest/lib/agent.js';
import type { ParsedMail } from 'mailparser';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, csrfFrom, logIn, submitForm, testApp, visibleText } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { deliverDue, smtpTransport } from '../../src/mail/mailer.js';
import type { Role } from '../../src/auth/roles.js';

let db: TestDb;
let app: Express;
let smtp: TestSmtp;

beforeAll(async () => {
  db = await createTestDb();
  smtp = await startSmtp();
  ({ app } = testApp(db));
});
afterAll(async () => {
  await smtp.close();
  await db.drop();
});

/** Sends what the outbox holds through the real SMTP server; returns the mails that arrived. */
async function deliver(): Promise<ParsedMail[]> {
  const before = smtp.messages.length;
  const n = await deliverDue(db.prisma, smtpTransport(smtp.url), 'PIM <noreply@pim.test>');
  return (await smtp.waitFor(before + n)).slice(before);
}

/** A customer whose main contact (every role) is logged in. */
async function customer() {
  const org = await makeOrg(db.prisma);
  const main = await makePerson(db.prisma, org.id, { main: true, roles: [], firstName: 'Jan', lastName: 'Jansen' });
  const agent = client(app);
  expect((await logIn(agent, main.email!, PASSWORD)).status).toBe(302);
  return { org, main, agent };
}

async function as(p: { email: string | null }): Promise<TestAgent> {
  const agent = client(app);
  expect((await logIn(agent, p.email!, PASSWORD)).status).toBe(302);
  return agent;
}

/** A complete, valid contact form as the browser posts it. */
function formFields(orgId: number, over: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    lastName: 'Sanders',
    organizationId: String(orgId),
    firstName: 'Kim',
    initials: '',
    infix: '',
    gender: 'FEMALE',
    birthDate: '',
    active: 'yes',
    subscribeUpdate: 'yes',
    subscribeCare: 'no',
    subscribeBusiness: 'no',
    subscribeFlash: 'no',
    email: '',
    phone: '',
    fax: '',
    mobile: '',
    privateStreet: '',
    privatePostcode: '',
    privateCity: '',
    privateCountry: 'Nederland',
    language: 'nl',
    webAccess: 'no',
    ...over,
  };
}

/** Opens the edit form and saves it with `over` (the form's own version and CSRF token). */
async function saveEdit(
  agent: TestAgent,
  c: { id: number; organizationId: number },
  over: Record<string, string | string[]>,
) {
  const page = await agent.get(`/contacts/${c.id}/edit`);
  const version = /name="version" value="(\d+)"/.exec(page.text)![1]!;
  return agent
    .post(`/contacts/${c.id}/edit`)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), version, ...formFields(c.organizationId, over) });
}

const rolesOf = async (id: number) =>
  (await db.prisma.contactRole.findMany({ where: { contactId: id } })).map((r) => r.role).sort();
const mailTo = (mails: ParsedMail[], to: string) => mails.find((m) => m.to && !Array.isArray(m.to) && m.to.text === to);
const linkIn = (mail: ParsedMail) => /http:\/\/pim\.test(\/password\/reset\/[A-Za-z0-9_-]{43})/.exec(mail.text!)![1]!;

describe('switching web access on gives the basic roles, so the invitation tells the truth', () => {
  it('the form shows both basic roles ticked; saving gives them, mails the link, and the person can log in with it', async () => {
    const { org, agent } = await customer();
    const kim = await makePerson(db.prisma, org.id, {
      roles: [],
      webAccess: false,
      password: null,
      email: `kim.${org.id}@example.nl`,
      firstName: 'Kim',
      lastName: 'Sanders',
    });
    const form = await agent.get(`/contacts/${kim.id}/edit`);
    expect(visibleText(form.text)).toContain('Rollen bij webtoegang');
    expect(form.text).toMatch(/<input type="checkbox" id="f-basicRole-PORTAL_ACCESS"[^>]* checked>/);
    expect(form.text).toMatch(/<input type="checkbox" id="f-basicRole-MANAGE_PERSONAL_DATA"[^>]* checked>/);

    const res = await saveEdit(agent, kim, {
      email: kim.email!,
      webAccess: 'yes',
      basicRolesShown: '1',
      basicRoles: ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA'],
    });
    expect(res.status).toBe(302);
    expect(await rolesOf(kim.id)).toEqual(['MANAGE_PERSONAL_DATA', 'PORTAL_ACCESS']);
    const page = await agent.get(`/contacts/${kim.id}`);
    expect(visibleText(page.text)).toContain(
      `Kim Sanders ontvangt een e-mail op ${kim.email} met een link om een wachtwoord in te stellen`,
    );
    const roles = visibleText((await agent.get(`/contacts/${kim.id}/roles`)).text);
    expect(roles).toContain('Toegang klantportaal PIM');
    expect(roles).not.toContain('Geen rollen gevonden');

    const mail = mailTo(await deliver(), kim.email!);
    expect(mail!.subject).toBe('Uw toegang tot PIM');
    const link = linkIn(mail!);
    const browser = client(app);
    const set = await submitForm(browser, link, link, {
      password: 'een goed lang wachtwoord',
      confirm: 'een goed lang wachtwoord',
    });
    expect(set.status).toBe(302);
    expect(visibleText((await browser.get('/login')).text)).toContain('U kunt nu inloggen');
    expect((await logIn(browser, kim.email!, 'een goed lang wachtwoord')).status).toBe(302);
    // MANAGE_PERSONAL_DATA came with it: the person can open their own page.
    expect((await browser.get('/profile')).status).toBe(200);
  });

  it('unticking "Toegang klantportaal PIM" sends no invitation and says why; giving the role later sends it', async () => {
    const { org, agent } = await customer();
    const roy = await makePerson(db.prisma, org.id, {
      roles: [],
      webAccess: false,
      password: null,
      email: `roy.${org.id}@example.nl`,
      firstName: 'Roy',
      lastName: 'Williams',
    });
    const mails = await db.prisma.mailOutbox.count();
    const res = await saveEdit(agent, roy, {
      firstName: 'Roy',
      lastName: 'Williams',
      email: roy.email!,
      webAccess: 'yes',
      basicRolesShown: '1',
      basicRoles: 'MANAGE_PERSONAL_DATA',
    });
    expect(res.status).toBe(302);
    expect(await rolesOf(roy.id)).toEqual(['MANAGE_PERSONAL_DATA']);
    expect(await db.prisma.mailOutbox.count()).toBe(mails);
    expect(await db.prisma.passwordToken.count({ where: { contactId: roy.id } })).toBe(0);
    const text = visibleText((await agent.get(`/contacts/${roy.id}`)).text);
    expect(text).toContain(
      "Er is geen uitnodiging verstuurd: zonder de rol 'Toegang klantportaal PIM' kan Roy Williams niet inloggen.",
    );
    expect(text).toContain("Toegang PIM geen toegang: de rol 'Toegang klantportaal PIM' ontbreekt");
    expect(await db.prisma.auditEvent.count({ where: { kind: 'contact.invited', subjectId: String(roy.id) } })).toBe(0);

    const rolesForm = await agent.get(`/contacts/${roy.id}/roles/edit`);
    const saved = await agent
      .post(`/contacts/${roy.id}/roles`)
      .type('form')
      .send({ _csrf: csrfFrom(rolesForm.text), roles: ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA'] });
    expect(saved.status).toBe(302);
    expect(visibleText((await agent.get(`/contacts/${roy.id}/roles`)).text)).toContain(
      `er is een e-mail naar ${roy.email} gestuurd`,
    );
    const mail = mailTo(await deliver(), roy.email!);
    expect(mail!.subject).toBe('Uw toegang tot PIM');
  });

  it('a manager who may not assign roles gets the basic roles by the rule, sees who can change them, and cannot untick them', async () => {
    const { org } = await customer();
    const other = await makePerson(db.prisma, org.id, {
      roles: ['PORTAL_ACCESS', 'MANAGE_CONTACTS', 'ASSIGN_ROLES'],
      firstName: 'Lisa',
      lastName: 'de Vries',
    });
    const manager = await makePerson(db.prisma, org.id, {
      roles: ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA', 'MANAGE_CONTACTS'],
      firstName: 'Henk',
      lastName: 'Bakker',
    });
    const agent = await as(manager);
    const form = await agent.get('/contacts/new');
    expect(form.text).toMatch(/value="PORTAL_ACCESS" checked disabled>/);
    expect(form.text).toMatch(/value="MANAGE_PERSONAL_DATA" checked disabled>/);
    const text = visibleText(form.text);
    expect(text).toContain('U kunt geen rollen toekennen; de contactpersoon krijgt deze rollen vanzelf.');
    expect(text).toContain(
      "Rollen wijzigen kan de hoofdcontactpersoon (Jan Jansen) of iemand met de rol 'Rollen in klantportaal PIM toekennen': Lisa de Vries.",
    );
    expect(other.id).toBeGreaterThan(0);
    // A forged post that unticks both changes nothing about the rule.
    const res = await agent
      .post('/contacts/new')
      .type('form')
      .send({
        _csrf: csrfFrom(form.text),
        ...formFields(org.id, {
          lastName: 'Breukers',
          firstName: 'Geert',
          email: `geert.${org.id}@example.nl`,
          webAccess: 'yes',
          basicRolesShown: '1',
        }),
      });
    expect(res.status).toBe(302);
    const id = Number(/\/contacts\/(\d+)$/.exec(res.headers.location!)![1]);
    expect(await rolesOf(id)).toEqual(['MANAGE_PERSONAL_DATA', 'PORTAL_ACCESS']);
    expect(await db.prisma.mailOutbox.count({ where: { recipient: `geert.${org.id}@example.nl` } })).toBe(1);
  });

  it('nobody gives a role they do not hold: a manager without "Persoonlijke gegevens beheren" gives only the portal role', async () => {
    const { org } = await customer();
    const manager = await makePerson(db.prisma, org.id, {
      roles: ['PORTAL_ACCESS', 'MANAGE_CONTACTS', 'ASSIGN_ROLES'],
    });
    const agent = await as(manager);
    const form = await agent.get('/contacts/new');
    expect(form.text).toMatch(/value="MANAGE_PERSONAL_DATA" disabled>/);
    expect(visibleText(form.text)).toContain('u heeft deze rol zelf niet, dus kunt u hem niet geven');
    const res = await agent
      .post('/contacts/new')
      .type('form')
      .send({
        _csrf: csrfFrom(form.text),
        ...formFields(org.id, {
          email: `sanne.${org.id}@example.nl`,
          webAccess: 'yes',
          basicRolesShown: '1',
          basicRoles: ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA'],
        }),
      });
    expect(res.status).toBe(302);
    const id = Number(/\/contacts\/(\d+)$/.exec(res.headers.location!)![1]);
    expect(await rolesOf(id)).toEqual(['PORTAL_ACCESS']);
  });

  it('a role that is not a basic role in the web-access part is a forged form: 400 and nothing saved', async () => {
    const { org, agent } = await customer();
    const form = await agent.get('/contacts/new');
    const count = await db.prisma.contact.count();
    const res = await agent
      .post('/contacts/new')
      .type('form')
      .send({
        _csrf: csrfFrom(form.text),
        ...formFields(org.id, {
          email: `x.${org.id}@example.nl`,
          webAccess: 'yes',
          basicRolesShown: '1',
          basicRoles: ['PORTAL_ACCESS', 'ASSIGN_ROLES'],
        }),
      });
    expect(res.status).toBe(400);
    expect(await db.prisma.contact.count()).toBe(count);
  });

  it('an inactive contact given web access gets no invitation, and the page says why', async () => {
    const { org, agent } = await customer();
    const mails = await db.prisma.mailOutbox.count();
    const res = await submitForm(
      agent,
      '/contacts/new',
      '/contacts/new',
      formFields(org.id, { active: 'no', email: `inactief.${org.id}@example.nl`, webAccess: 'yes' }),
    );
    expect(res.status).toBe(302);
    expect(await db.prisma.mailOutbox.count()).toBe(mails);
    const text = visibleText((await agent.get(res.headers.location!)).text);
    expect(text).toContain(
      'Er is geen uitnodiging verstuurd: Kim Sanders staat op inactief en kan daarom niet inloggen.',
    );
  });

  it('a set-password link of someone who still cannot log in does not say "U kunt nu inloggen"', async () => {
    const { org, agent } = await customer();
    const p = await makePerson(db.prisma, org.id, {
      roles: ['PORTAL_ACCESS'],
      webAccess: false,
      password: null,
      email: `later.${org.id}@example.nl`,
    });
    await saveEdit(agent, p, {
      email: p.email!,
      webAccess: 'yes',
      basicRolesShown: '1',
      basicRoles: ['PORTAL_ACCESS'],
    });
    const mail = mailTo(await deliver(), p.email!);
    // Meanwhile the role is taken away again.
    await db.prisma.contactRole.deleteMany({ where: { contactId: p.id } });
    const link = linkIn(mail!);
    const browser = client(app);
    expect(
      (
        await submitForm(browser, link, link, {
          password: 'een goed lang wachtwoord',
          confirm: 'een goed lang wachtwoord',
        })
      ).status,
    ).toBe(302);
    const text = visibleText((await browser.get('/login')).text);
    expect(text).not.toContain('U kunt nu inloggen');
    expect(text).toContain(
      "Uw wachtwoord is opgeslagen, maar u kunt nog niet inloggen: de rol 'Toegang klantportaal PIM' ontbreekt.",
    );
    expect((await logIn(browser, p.email!, 'een goed lang wachtwoord')).status).toBe(401);
  });
});

describe('the contact list marks who can log in, who is invited, and who has no access', () => {
  it('shows three truthful states; nobody who cannot log in carries the "can log in" mark', async () => {
    const { org, agent } = await customer();
    const sub = await makeOrg(db.prisma, { parentId: org.id, active: false });
    const both: Role[] = ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA'];
    await makePerson(db.prisma, org.id, { lastName: 'A-kan-inloggen', roles: both });
    const invited = await makePerson(db.prisma, org.id, { lastName: 'B-uitgenodigd', roles: both, password: null });
    await makePerson(db.prisma, org.id, { lastName: 'C-inactief', roles: both, active: false });
    await makePerson(db.prisma, sub.id, { lastName: 'D-organisatie-inactief', roles: both });
    await makePerson(db.prisma, org.id, { lastName: 'E-zonder-rol', roles: [] });
    await makePerson(db.prisma, org.id, { lastName: 'F-geen-webtoegang', roles: both, webAccess: false });
    const page = await agent.get(`/contacts?org=all&active=all&orgActive=all`);
    expect(page.status).toBe(200);
    // Never invited: not marked "uitgenodigd" (list and CSV).
    expect(page.text).toContain('geen login nog<span class="visually-hidden"> (nog geen login: nog niet uitgenodigd)');
    expect((await agent.get('/contacts/export.csv?org=all&active=all&orgActive=all')).text).toMatch(
      /Test B-uitgenodigd;[^\r\n]*;geen login nog\r\n/,
    );
    // Before the invitation: web access and the role, but no password yet.
    const res = await submitForm(agent, `/contacts/${invited.id}`, `/contacts/${invited.id}/invitation`, {});
    expect(res.status).toBe(302);
    const token = await db.prisma.passwordToken.findFirstOrThrow({ where: { contactId: invited.id, usedAt: null } });
    const expiry = token.expiresAt;
    const sentAt = new Date(expiry.getTime() - 72 * 3_600_000);
    const list = await agent.get(`/contacts?org=all&active=all&orgActive=all`);
    const marks = Object.fromEntries(
      [
        ...list.text.matchAll(
          /<\/details>\s*<a href="\/contacts\/\d+">(?:<bdi>)?([^<]+)(?:<\/bdi>)?<\/a>([\s\S]*?)<\/td>/g,
        ),
      ].map((m) => [m[1]!.replace(/^Test /, ''), visibleText(m[2]!)]),
    );
    const pad = (n: number) => String(n).padStart(2, '0');
    const format = (d: Date) => {
      const local = new Date(d.toLocaleString('en-US', { timeZone: 'Europe/Amsterdam' }));
      // The manual's format: day and month without leading zeros (6-7-2017 10:51).
      return `${local.getDate()}-${local.getMonth() + 1}-${local.getFullYear()} ${pad(local.getHours())}:${pad(local.getMinutes())}`;
    };
    const when = format(expiry);
    expect(marks['A-kan-inloggen']).toMatch(/^PIM \(kan inloggen\)/);
    expect(marks['B-uitgenodigd']).toBe(
      `uitgenodigd (nog geen login: uitgenodigd op ${format(sentAt)}, link geldig tot ${when})`,
    );
    expect(marks['C-inactief']).toBe('geen toegang (geen toegang: niet actief)');
    expect(marks['D-organisatie-inactief']).toBe('geen toegang (geen toegang: de organisatie is niet actief)');
    expect(marks['E-zonder-rol']).toBe("geen toegang (geen toegang: de rol 'Toegang klantportaal PIM' ontbreekt)");
    expect(marks['F-geen-webtoegang']).toBe('');
    // The "can log in" mark is the green PIM mark: only A and the main contact carry it.
    expect(list.text.match(/class="pim-access"/g)).toHaveLength(2);
    // The CSV says the same.
    const csv = await agent.get('/contacts/export.csv?org=all&active=all&orgActive=all');
    expect(csv.text).toMatch(/Test C-inactief;[^\r\n]*;geen toegang\r\n/);
    expect(csv.text).toMatch(/Test B-uitgenodigd;[^\r\n]*;uitgenodigd\r\n/);
  });
});
