import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type { ParsedMail } from 'mailparser';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, logIn, submitForm, testApp, visibleText } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { deliverDue, smtpTransport } from '../../src/mail/mailer.js';
import { runCli } from '../../src/cli/program.js';
import { contactFormBody } from '../support/contacts-factories.js';

let db: TestDb;
let app: Express;
let settle: () => Promise<void>;
let smtp: TestSmtp;

beforeAll(async () => {
  db = await createTestDb();
  smtp = await startSmtp();
  ({ app, settle } = testApp(db, { env: { HELPDESK_EMAIL: 'helpdesk@vcare.test' } }));
});
afterAll(async () => {
  await smtp.close();
  await db.drop();
});

async function deliver(): Promise<ParsedMail[]> {
  const before = smtp.messages.length;
  const n = await deliverDue(db.prisma, smtpTransport(smtp.url), 'PIM <noreply@pim.test>');
  return (await smtp.waitFor(before + n)).slice(before);
}
const to = (m: ParsedMail) => (m.to && !Array.isArray(m.to) ? m.to.text : '');
const cli = async (...argv: string[]) => {
  const err: string[] = [];
  const code = await runCli(argv, {
    prisma: db.prisma,
    out: () => {},
    err: (l) => err.push(l),
    now: () => new Date(),
    baseUrl: 'http://pim.test',
  });
  expect(err).toEqual([]);
  return code;
};

async function customer(opts: { reportsInContract?: boolean } = {}) {
  const org = await makeOrg(db.prisma, opts);
  const main = await makePerson(db.prisma, org.id, { main: true, roles: [], firstName: 'Jan', lastName: 'Jansen' });
  const agent = client(app);
  expect((await logIn(agent, main.email!, PASSWORD)).status).toBe(302);
  return { org, agent };
}

describe("a contact's language decides the language of every mail they receive", () => {
  it('is set on the contact form (default Dutch) and sends the invitation in English', async () => {
    const { org, agent } = await customer();
    const form = await agent.get('/contacts/new');
    expect(form.text).toMatch(/<option value="nl" selected>Nederlands<\/option>/);
    const email = `kim.${org.id}@example.nl`;
    const res = await submitForm(
      agent,
      '/contacts/new',
      '/contacts/new',
      contactFormBody(org.id, email, { lastName: 'Sanders', firstName: 'Kim', language: 'en', webAccess: 'yes' }),
    );
    expect(res.status).toBe(302);
    expect(visibleText((await agent.get(res.headers.location!)).text)).toContain('Taal van e-mails English');
    const mail = (await deliver()).find((m) => to(m) === email)!;
    expect(mail.subject).toBe('Your access to PIM');
    expect(mail.text).toContain('Dear Kim Sanders,');
    expect(mail.text).toContain('The link is valid for 72 hours');
    // The staff tool's invitation follows the same language.
    const kim = await db.prisma.contact.findUniqueOrThrow({ where: { email } });
    expect(await cli('contact:invite', String(kim.id))).toBe(0);
    expect((await deliver()).find((m) => to(m) === email)!.subject).toBe('Your access to PIM');
  });

  it('is set by the person on the personal page; the reset link then comes in English, even asked from a Dutch page', async () => {
    const org = await makeOrg(db.prisma);
    const lisa = await makePerson(db.prisma, org.id, {
      roles: ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA'],
      firstName: 'Lisa',
      lastName: 'de Vries',
    });
    const agent = client(app);
    await logIn(agent, lisa.email!, PASSWORD);
    const edit = await agent.get('/profile/edit');
    const version = /name="version" value="(\d+)"/.exec(edit.text)![1]!;
    const saved = await submitForm(agent, '/profile/edit', '/profile/edit', {
      version,
      lastName: 'Vries',
      firstName: 'Lisa',
      initials: '',
      infix: 'de',
      gender: '',
      email: lisa.email!,
      currentPassword: '',
      phone: '',
      mobile: '',
      privateStreet: '',
      privatePostcode: '',
      privateCity: '',
      privateCountry: '',
      language: 'en',
    });
    expect(saved.status).toBe(302);
    expect((await db.prisma.contact.findUniqueOrThrow({ where: { id: lisa.id } })).language).toBe('en');
    expect(visibleText((await agent.get('/profile')).text)).toContain('Taal van e-mails English');
    const audit = await db.prisma.auditEvent.findFirstOrThrow({
      where: { kind: 'profile.updated', subjectId: String(lisa.id) },
    });
    expect(audit.after).toMatchObject({ language: 'en' });

    const forgot = await submitForm(client(app), '/password/forgot?lang=nl', '/password/forgot', {
      email: lisa.email!,
    });
    expect(forgot.status).toBe(200);
    await settle();
    const mail = (await deliver()).find((m) => to(m) === lisa.email)!;
    expect(mail.subject).toBe('Set a new password for PIM');
    expect(mail.text).toContain('Dear Lisa de Vries,');
  });

  it('ticket mails to the reporter are in their language; the helpdesk keeps Dutch', async () => {
    const org = await makeOrg(db.prisma);
    const roy = await makePerson(db.prisma, org.id, {
      roles: ['PORTAL_ACCESS', 'MANAGE_OWN_TICKETS'],
      firstName: 'Roy',
      lastName: 'Williams',
    });
    await db.prisma.contact.update({ where: { id: roy.id }, data: { language: 'en' } });
    const agent = client(app);
    await logIn(agent, roy.email!, PASSWORD);
    const res = await submitForm(agent, '/tickets/new', '/tickets/new', {
      organizationId: String(org.id),
      title: 'Printer offline',
      description: 'Since this morning.',
      kind: 'INCIDENT',
    });
    expect(res.status).toBe(302);
    const id = Number(res.headers.location!.split('/').pop());
    const filed = await deliver();
    expect(filed.find((m) => to(m) === roy.email)!.subject).toBe(`Confirmation of ticket ${id}: Printer offline`);
    expect(filed.find((m) => to(m) === 'helpdesk@vcare.test')!.subject).toBe(`Nieuw ticket ${id}: Printer offline`);

    expect(await cli('ticket:status', String(id), 'WAITING_CUSTOMER')).toBe(0);
    const status = (await deliver()).find((m) => to(m) === roy.email)!;
    expect(status.subject).toBe(`Ticket ${id}: status changed`);
    expect(status.text).toContain('Status: New → Waiting for customer');
    expect(await cli('ticket:reply', String(id), '--body', 'Please restart it.', '--staff-name', 'Piet')).toBe(0);
    expect((await deliver()).find((m) => to(m) === roy.email)!.subject).toBe(`Reply to ticket ${id}: Printer offline`);
  });

  it('the report mail and the "log in with SSO" notice are in the person\'s language', async () => {
    const org = await makeOrg(db.prisma, { reportsInContract: true });
    const kim = await makePerson(db.prisma, org.id, {
      roles: ['PORTAL_ACCESS', 'VIEW_REPORTS'],
      firstName: 'Kim',
      lastName: 'Sanders',
    });
    await db.prisma.contact.update({ where: { id: kim.id }, data: { language: 'en', reportMailOptIn: true } });
    const dir = mkdtempSync(path.join(tmpdir(), 'pim-report-'));
    const file = path.join(dir, 'week27.pdf');
    writeFileSync(file, '%PDF-1.4\n%%EOF\n');
    expect(await cli('document:add', '--kind', 'report', '--org', String(org.id), file)).toBe(0);
    const report = (await deliver()).find((m) => to(m) === kim.email)!;
    expect(report.subject).toBe('A new report is ready for you in PIM');

    await db.prisma.organization.update({ where: { id: org.id }, data: { ssoRequired: true } });
    await submitForm(client(app), '/password/forgot', '/password/forgot', { email: kim.email! });
    await settle();
    expect((await deliver()).find((m) => to(m) === kim.email)!.subject).toBe(
      'Logging in to PIM works with Microsoft 365 or Google',
    );
  });
});
