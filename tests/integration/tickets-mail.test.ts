import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type { ParsedMail } from 'mailparser';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, logIn, submitForm, testApp, TestClock } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { deliverDue, smtpTransport } from '../../src/mail/mailer.js';
import { runCli } from '../../src/cli/program.js';

let db: TestDb;
let app: Express;
let smtp: TestSmtp;
const clock = new TestClock(Date.parse('2026-03-02T10:00:00+01:00'));

beforeAll(async () => {
  db = await createTestDb();
  smtp = await startSmtp();
  ({ app } = testApp(db, { clock, env: { HELPDESK_EMAIL: 'helpdesk@vcare.test', HELPDESK_NAME: 'Support Vtel' } }));
});
afterAll(async () => {
  await smtp.close();
  await db.drop();
});

const FROM = 'PIM <noreply@pim.test>';
/** Runs the outbox worker once against the real SMTP server; returns the mails that arrived. */
async function deliver(expected: number): Promise<ParsedMail[]> {
  const before = smtp.messages.length;
  expect(await deliverDue(db.prisma, smtpTransport(smtp.url), FROM)).toBe(expected);
  return (await smtp.waitFor(before + expected)).slice(before);
}
const to = (m: ParsedMail) => (m.to && !Array.isArray(m.to) ? m.to.text : '');
const cli = (...argv: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  return runCli(argv, {
    prisma: db.prisma,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    now: () => clock.now(),
    baseUrl: 'http://pim.test',
  }).then((code) => ({ code, out, err }));
};

describe("every mail of a ticket's life, through a real SMTP server", () => {
  it('file, staff reply, waiting for customer, customer note, resolved: the right people, the right words, nobody else', async () => {
    const org = await makeOrg(db.prisma, { name: 'Huisartsenpost Oost' });
    const reporter = await makePerson(db.prisma, org.id, {
      roles: ['PORTAL_ACCESS', 'MANAGE_OWN_TICKETS'],
      firstName: 'Lisa',
      lastName: 'de Vries',
    });
    const colleague = await makePerson(db.prisma, org.id, {
      roles: ['PORTAL_ACCESS', 'MANAGE_ORG_TICKETS'],
      firstName: 'Henk',
      lastName: 'Bakker',
    });
    const agent = client(app);
    await logIn(agent, reporter.email!, PASSWORD);

    // 1. Filed: a confirmation to the reporter, a notice to the helpdesk.
    const res = await submitForm(agent, '/tickets/new', '/tickets/new', {
      organizationId: String(org.id),
      title: 'Internet verbinding valt weg',
      description: 'Wij hebben problemen dat de verbinding weg valt.',
      kind: 'INCIDENT',
      customerReference: 'HAP-77',
    });
    expect(res.status).toBe(302);
    const id = Number(res.headers.location!.split('/').pop());
    const filed = await deliver(2);
    const confirmation = filed.find((m) => to(m) === reporter.email)!;
    expect(confirmation.subject).toBe(`Bevestiging ticket ${id}: Internet verbinding valt weg`);
    expect(confirmation.text).toContain('Beste Lisa de Vries');
    expect(confirmation.text).toContain(`Wij hebben uw ticket ontvangen onder nummer ${id}.`);
    expect(confirmation.text).toContain('Datum deadline: 3-3-2026');
    expect(confirmation.text).toContain(`http://pim.test/tickets/${id}`);
    const notice = filed.find((m) => to(m) === 'helpdesk@vcare.test')!;
    expect(notice.subject).toBe(`Nieuw ticket ${id}: Internet verbinding valt weg`);
    expect(notice.text).toContain('Organisatie: Huisartsenpost Oost');
    expect(notice.text).toContain('Contactpersoon: Lisa de Vries');
    expect(notice.text).toContain('Referentie klant: HAP-77');
    expect(notice.text).toContain('Wij hebben problemen dat de verbinding weg valt.');

    // 2. Staff reply: to the reporter only.
    expect(
      (await cli('ticket:reply', String(id), '--body', 'Wilt u de router herstarten?', '--staff-name', 'Roy')).code,
    ).toBe(0);
    const [reply] = await deliver(1);
    expect(to(reply!)).toBe(reporter.email);
    expect(reply!.subject).toBe(`Reactie op ticket ${id}: Internet verbinding valt weg`);
    expect(reply!.text).toContain('Roy van Vcare heeft gereageerd');
    expect(reply!.text).toContain('Wilt u de router herstarten?');

    // 3. Status change by staff: to the reporter.
    expect((await cli('ticket:status', String(id), 'WAITING_CUSTOMER')).code).toBe(0);
    const [waiting] = await deliver(1);
    expect(to(waiting!)).toBe(reporter.email);
    expect(waiting!.subject).toBe(`Ticket ${id}: status gewijzigd`);
    expect(waiting!.text).toContain('Status: Nieuw → Wachten op klant');
    expect(waiting!.text).toContain('Wij hebben een antwoord van u nodig');

    // 4. A colleague adds a note: the ticket resumes; the helpdesk hears of it, and the reporter
    // gets the "colleague's note" mail (never the author: their own change).
    const colleagueAgent = client(app);
    await logIn(colleagueAgent, colleague.email!, PASSWORD);
    expect(
      (
        await submitForm(colleagueAgent, `/tickets/${id}/notes/new`, `/tickets/${id}/notes`, {
          body: 'Router is herstart, helaas zonder resultaat.',
        })
      ).status,
    ).toBe(302);
    const noteMails = await deliver(2);
    const noteMail = noteMails.find((m) => to(m) === 'helpdesk@vcare.test');
    const toReporter = noteMails.find((m) => to(m) === reporter.email)!;
    expect(toReporter.subject).toBe(`Aanvulling op ticket ${id}: Internet verbinding valt weg`);
    expect(toReporter.text).toContain('Henk Bakker heeft een aanvulling toegevoegd aan ticket');
    expect(toReporter.text).toContain('Router is herstart, helaas zonder resultaat.');
    expect(noteMail!.subject).toBe(`Aanvulling op ticket ${id}: Internet verbinding valt weg`);
    expect(noteMail!.text).toContain('Henk Bakker heeft een aanvulling toegevoegd');
    expect(noteMail!.text).toContain('Router is herstart, helaas zonder resultaat.');
    expect(noteMail!.text).toContain('Status: Wachten op klant → In behandeling');
    const show = await cli('ticket:show', String(id));
    expect(show.out.join('\n')).toContain('WAITING_CUSTOMER -> IN_PROGRESS by Henk Bakker');

    // 5. Resolved by staff: to the reporter.
    expect((await cli('ticket:status', String(id), 'resolved')).code).toBe(0);
    const [resolved] = await deliver(1);
    expect(to(resolved!)).toBe(reporter.email);
    expect(resolved!.text).toContain('Status: In behandeling → Afgehandeld');

    // 6. A deadline change mails nobody.
    expect((await cli('ticket:deadline', String(id), '2026-03-10')).code).toBe(0);
    expect(await deliver(0)).toEqual([]);

    // The colleague never got a mail.
    expect(smtp.messages.filter((m) => to(m) === colleague.email)).toEqual([]);
  });

  it('SMTP down when a ticket is filed: the ticket is saved, the mails wait and go out when SMTP is back', async () => {
    const org = await makeOrg(db.prisma);
    const reporter = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_OWN_TICKETS'] });
    const agent = client(app);
    await logIn(agent, reporter.email!, PASSWORD);
    const res = await submitForm(agent, '/tickets/new', '/tickets/new', {
      organizationId: String(org.id),
      title: 'Terwijl de mailserver plat ligt',
      kind: '',
    });
    expect(res.status).toBe(302);
    const id = Number(res.headers.location!.split('/').pop());
    expect(await db.prisma.ticket.count({ where: { id } })).toBe(1);

    // A closed port: nothing listens there.
    const down = await startSmtp();
    const closedUrl = down.url;
    await down.close();
    const before = smtp.messages.length;
    expect(await deliverDue(db.prisma, smtpTransport(closedUrl), FROM)).toBe(0);
    const waiting = await db.prisma.mailOutbox.findMany({ where: { sentAt: null } });
    expect(waiting.map((m) => m.recipient).sort()).toEqual(['helpdesk@vcare.test', reporter.email].sort());
    expect(waiting.every((m) => m.attempts === 1 && m.lastError)).toBe(true);

    // SMTP is back; skip the back-off.
    await db.prisma.$executeRaw`UPDATE mail_outbox SET next_attempt_at = now() WHERE sent_at IS NULL`;
    const mails = await deliver(2);
    expect(mails.map(to).sort()).toEqual(['helpdesk@vcare.test', reporter.email].sort());
    expect(mails.find((m) => to(m) === reporter.email)!.subject).toBe(
      `Bevestiging ticket ${id}: Terwijl de mailserver plat ligt`,
    );
    expect(smtp.messages.length).toBe(before + 2);
  });
});
