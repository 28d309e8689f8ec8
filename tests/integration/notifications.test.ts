import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import request from 'supertest';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, csrfFrom, logIn, submitForm, testApp, visibleText, TestClock } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { makeTicket } from '../support/tickets-factories.js';
import { runCli } from '../../src/cli/program.js';
import { unsubscribeToken } from '../../src/mail/preferences.js';
import type { Config } from '../../src/config.js';

let db: TestDb;
let app: Express;
let config: Config;
const clock = new TestClock(Date.parse('2026-04-22T10:00:00+02:00'));

beforeAll(async () => {
  db = await createTestDb();
  ({ app, config } = testApp(db, { clock }));
});
afterAll(() => db.drop());

const cli = async (...argv: string[]) => {
  const out: string[] = [];
  const code = await runCli(argv, {
    prisma: db.prisma,
    out: (l) => out.push(l),
    err: (l) => out.push(l),
    now: () => clock.now(),
    baseUrl: 'http://pim.test',
  });
  return { code, out };
};
const queuedFor = (email: string | null) =>
  db.prisma.mailOutbox.findMany({ where: { recipient: email! }, orderBy: { id: 'asc' } });

describe('Meldingen on the personal page', () => {
  it('a personal-page form opened before Meldingen was saved does not write the old language back: it reports the conflict', async () => {
    const org = await makeOrg(db.prisma);
    const me = await makePerson(db.prisma, org.id, {
      roles: ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA'],
      lastName: 'Tabs',
    });
    const agent = client(app);
    await logIn(agent, me.email!, PASSWORD);
    const edit = (await agent.get('/profile/edit')).text;
    const version = /name="version" value="(\d+)"/.exec(edit)![1]!;
    expect(
      (
        await submitForm(agent, '/profile/notifications', '/profile/notifications', {
          language: 'en',
          kinds: ['ticket_created'],
        })
      ).status,
    ).toBe(303);
    const stale = await agent
      .post('/profile/edit')
      .type('form')
      .send({
        _csrf: csrfFrom(edit),
        version,
        lastName: 'Tabs',
        firstName: '',
        initials: '',
        infix: '',
        gender: '',
        email: me.email!,
        phone: '',
        mobile: '',
        privateStreet: '',
        privatePostcode: '',
        privateCity: '',
        privateCountry: '',
        language: 'nl',
      });
    expect(stale.status).toBe(409);
    expect((await db.prisma.contact.findUniqueOrThrow({ where: { id: me.id } })).language).toBe('en');
  });

  it('shows the choices; turning a kind off and English on changes the next mails', async () => {
    const org = await makeOrg(db.prisma);
    const me = await makePerson(db.prisma, org.id, {
      roles: ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA', 'MANAGE_OWN_TICKETS'],
    });
    const ticket = await makeTicket(db.prisma, org.id, { reporterId: me.id, title: 'Headset defect' });
    const agent = client(app);
    await logIn(agent, me.email!, PASSWORD);
    const profile = visibleText((await agent.get('/profile')).text);
    // No reports for this person: "Rapportage klaar" is not offered (it would never be sent).
    expect(profile).toContain(
      'Meldingen Ticket aangemaakt aan Reactie van Vcare aan Status gewijzigd aan Aanvulling van een collega aan Meldingen wijzigen',
    );
    expect(profile).not.toContain('Rapportage klaar');
    expect(visibleText((await agent.get('/profile/notifications')).text)).not.toContain('Rapportage klaar');
    // The language of the mails is one setting: Persoonlijk names it once (under Contactgegevens).
    expect(profile.split('Taal van e-mails').length - 1).toBe(1);
    // Each language is named in itself, on every page: the choice reads the same whatever the page's language.
    const prefs = (await agent.get('/profile/notifications')).text;
    expect(prefs).toContain('<option value="en" lang="en">English</option>');
    expect(prefs).not.toContain('Engels');

    const res = await submitForm(agent, '/profile/notifications', '/profile/notifications', {
      language: 'en',
      kinds: ['ticket_created', 'ticket_status', 'ticket_note'],
    });
    expect(res.status).toBe(303);
    expect(await db.prisma.mailOptOut.findMany({ where: { contactId: me.id }, select: { kind: true } })).toEqual([
      { kind: 'ticket_reply' },
    ]);
    expect((await db.prisma.contact.findUniqueOrThrow({ where: { id: me.id } })).language).toBe('en');

    expect((await cli('ticket:reply', String(ticket.id), '--body', 'Nieuwe headset verstuurd.')).out[0]).toMatch(
      /\(nobody mailed\)$/,
    );
    expect(await queuedFor(me.email)).toEqual([]);
    expect((await cli('ticket:status', String(ticket.id), 'IN_PROGRESS')).out[0]).toMatch(/\(1 mailed\)$/);
    const [mail] = await queuedFor(me.email);
    expect(mail!.subject).toBe(`Ticket ${ticket.id}: status changed`);
    expect(mail!.text).toContain('Status: New → In progress');
    expect(mail!.text).toContain('Unsubscribe with one click: http://pim.test/mail/unsubscribe/');
  });

  it('"Rapportage klaar" only for someone who may see reports; a kind not offered keeps its stored choice', async () => {
    const withReports = await makeOrg(db.prisma, { reportsInContract: true });
    const reader = await makePerson(db.prisma, withReports.id, {
      roles: ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA', 'VIEW_REPORTS'],
    });
    const a = client(app);
    await logIn(a, reader.email!, PASSWORD);
    const page = visibleText((await a.get('/profile/notifications')).text);
    expect(page).toContain('Rapportage klaar');
    expect(page).not.toContain('Ticket aangemaakt');

    // The role without reports in the contract is no right to see them.
    const noContract = await makeOrg(db.prisma);
    const other = await makePerson(db.prisma, noContract.id, {
      roles: ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA', 'VIEW_REPORTS', 'MANAGE_OWN_TICKETS'],
    });
    await db.prisma.contact.update({ where: { id: other.id }, data: { reportMailOptIn: true } });
    const b = client(app);
    await logIn(b, other.email!, PASSWORD);
    expect(visibleText((await b.get('/profile/notifications')).text)).not.toContain('Rapportage klaar');
    expect(
      (
        await submitForm(b, '/profile/notifications', '/profile/notifications', {
          language: 'nl',
          kinds: ['ticket_note'],
        })
      ).status,
    ).toBe(303);
    expect((await db.prisma.contact.findUniqueOrThrow({ where: { id: other.id } })).reportMailOptIn).toBe(true);
  });
});

describe('one-click unsubscribe (signed link, no login)', () => {
  it('GET only asks; the one-click POST turns that kind off without a session or form token', async () => {
    const org = await makeOrg(db.prisma);
    const me = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_OWN_TICKETS'] });
    const token = unsubscribeToken(config.tickets.linkSecret, me.id, 'ticket_status');
    const page = await request(app).get(`/mail/unsubscribe/${token}`);
    expect(page.status).toBe(200);
    expect(visibleText(page.text)).toContain('Wilt u geen e-mails meer ontvangen bij: Status gewijzigd?');
    expect(await db.prisma.mailOptOut.count({ where: { contactId: me.id } })).toBe(0);

    const click = await request(app).post(`/mail/unsubscribe/${token}`).type('form').send('List-Unsubscribe=One-Click');
    expect(click.status).toBe(200);
    expect(await db.prisma.mailOptOut.findMany({ where: { contactId: me.id }, select: { kind: true } })).toEqual([
      { kind: 'ticket_status' },
    ]);
    expect(
      await db.prisma.auditEvent.count({ where: { kind: 'contact.mail_unsubscribed', subjectId: String(me.id) } }),
    ).toBe(1);

    // Opened again: it says so instead of asking again; clicked again, nothing more is recorded.
    const again = await request(app).get(`/mail/unsubscribe/${token}`);
    expect(again.status).toBe(200);
    expect(visibleText(again.text)).toContain(
      'U bent al afgemeld: u ontvangt geen e-mails meer bij: Status gewijzigd.',
    );
    expect(again.text).not.toContain('Ja, afmelden');
    await request(app).post(`/mail/unsubscribe/${token}`).type('form').send('List-Unsubscribe=One-Click');
    expect(
      await db.prisma.auditEvent.count({ where: { kind: 'contact.mail_unsubscribed', subjectId: String(me.id) } }),
    ).toBe(1);
  });

  it('a forged or altered token is a 404 and changes nothing', async () => {
    const org = await makeOrg(db.prisma);
    const me = await makePerson(db.prisma, org.id);
    const good = unsubscribeToken(config.tickets.linkSecret, me.id, 'ticket_reply');
    const other = unsubscribeToken(
      'another key, not the configured one, at least 32 characters',
      me.id,
      'ticket_reply',
    );
    const altered = Buffer.from(`u:${me.id}:ticket_note`).toString('base64url') + good.slice(good.indexOf('.'));
    for (const t of [other, altered, 'abc', `${good}x`]) {
      expect(
        (await request(app).post(`/mail/unsubscribe/${t}`).type('form').send('List-Unsubscribe=One-Click')).status,
      ).toBe(404);
    }
    expect(await db.prisma.mailOptOut.count({ where: { contactId: me.id } })).toBe(0);
  });
});

describe('the report mail follows Meldingen', () => {
  it("goes out in the person's language with the one-click unsubscribe header", async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const org = await makeOrg(db.prisma, { reportsInContract: true });
    const me = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'VIEW_REPORTS'] });
    await db.prisma.contact.update({ where: { id: me.id }, data: { reportMailOptIn: true, language: 'en' } });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'pim-report-')), 'week-16.pdf');
    writeFileSync(file, Buffer.from('%PDF-1.4\n%%EOF\n'));
    expect((await cli('document:add', '--kind', 'report', '--org', String(org.id), file)).code).toBe(0);
    const [mail] = await queuedFor(me.email);
    expect(mail!.subject).toBe('A new report is ready for you in PIM');
    expect(mail!.headers).toMatchObject({ 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });
    expect(String((mail!.headers as Record<string, string>)['List-Unsubscribe'])).toMatch(
      /^<http:\/\/pim\.test\/mail\/unsubscribe\/.+>$/,
    );
  });
});
