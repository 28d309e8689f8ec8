import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type TestAgent from 'supertest/lib/agent.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, csrfFrom, logIn, submitForm, testApp, visibleText, TestClock } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { makeTicket } from '../support/tickets-factories.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { deliverDue, smtpTransport } from '../../src/mail/mailer.js';
import { runCli } from '../../src/cli/program.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FILES } from '../support/files.js';
import type { Role } from '../../src/auth/roles.js';

let db: TestDb;
let app: Express;
let smtp: TestSmtp;
const clock = new TestClock(Date.parse('2026-04-22T10:00:00+02:00'));

beforeAll(async () => {
  db = await createTestDb();
  smtp = await startSmtp();
  ({ app } = testApp(db, { clock }));
});
afterAll(async () => {
  await smtp.close();
  await db.drop();
});

async function agentFor(email: string | null) {
  const agent = client(app);
  expect((await logIn(agent, email!, PASSWORD)).status).toBe(302);
  return agent;
}
const person = (orgId: number, roles: Role[], lastName?: string) =>
  makePerson(db.prisma, orgId, { roles: ['PORTAL_ACCESS', ...roles], lastName });
const post = async (agent: TestAgent, path: string, fields: Record<string, string>) => {
  const page = await agent.get('/tickets');
  return agent
    .post(path)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), ...fields });
};
const watchersOf = async (ticketId: number) =>
  (await db.prisma.ticketWatcher.findMany({ where: { ticketId }, orderBy: { contactId: 'asc' } })).map(
    (w) => w.contactId,
  );
const listed = (html: string) => [...html.matchAll(/<tr>\s*<td><a href="\/tickets\/(\d+)">/g)].map((m) => Number(m[1]));

describe('Betrokkenen', () => {
  let org: { id: number };
  let sub: { id: number };
  let other: { id: number };
  let reporter: { id: number; email: string | null };
  let colleague: { id: number; email: string | null };
  let subPerson: { id: number; email: string | null };
  let stranger: { id: number; email: string | null };
  let ticket: { id: number };

  beforeAll(async () => {
    org = await makeOrg(db.prisma);
    sub = await makeOrg(db.prisma, { parentId: org.id });
    other = await makeOrg(db.prisma);
    reporter = await person(org.id, ['MANAGE_OWN_TICKETS'], 'Reporter');
    colleague = await person(org.id, ['MANAGE_OWN_TICKETS'], 'Sanders');
    subPerson = await person(sub.id, ['MANAGE_OWN_TICKETS'], 'Dochter');
    stranger = await person(other.id, ['MANAGE_ORG_TICKETS'], 'Vreemd');
    ticket = await makeTicket(db.prisma, org.id, { reporterId: reporter.id, title: 'Telefonie storing' });
  });

  it('the reporter finds a colleague in the picker and adds them; the colleague sees the ticket, filters on it, and adds a note', async () => {
    const agent = await agentFor(reporter.email);
    const picker = await agent.get(`/tickets/${ticket.id}/watchers?q=sanders`);
    expect(picker.status).toBe(200);
    expect(visibleText(picker.text)).toContain('Test Sanders');
    // Only the ticket's organisation: neither the subsidiary's nor another customer's people.
    const all = visibleText((await agent.get(`/tickets/${ticket.id}/watchers`)).text);
    expect(all).not.toContain('Dochter');
    expect(all).not.toContain('Vreemd');
    const res = await post(agent, `/tickets/${ticket.id}/watchers`, { contactId: String(colleague.id) });
    expect(res.status).toBe(303);
    expect(await watchersOf(ticket.id)).toEqual([colleague.id]);

    const cc = await agentFor(colleague.email);
    expect((await cc.get(`/tickets/${ticket.id}`)).status).toBe(200);
    expect(listed((await cc.get('/tickets?status=all&watching=1')).text)).toEqual([ticket.id]);
    const note = await submitForm(cc, `/tickets/${ticket.id}/notes/new`, `/tickets/${ticket.id}/notes`, {
      body: 'Bij ons ook.',
    });
    expect(note.status).toBe(302);
    // A Betrokkene may not manage the others.
    expect((await cc.get(`/tickets/${ticket.id}/watchers`)).status).toBe(403);
  });

  it('someone of another organisation cannot be added, nor add, nor see: 404 and nothing changes', async () => {
    const before = await watchersOf(ticket.id);
    const agent = await agentFor(reporter.email);
    expect((await post(agent, `/tickets/${ticket.id}/watchers`, { contactId: String(stranger.id) })).status).toBe(404);
    // A subsidiary's person is no candidate for the parent's ticket (they could not see it).
    expect((await post(agent, `/tickets/${ticket.id}/watchers`, { contactId: String(subPerson.id) })).status).toBe(404);
    const outsider = await agentFor(stranger.email);
    expect((await outsider.get(`/tickets/${ticket.id}/watchers`)).status).toBe(404);
    expect((await post(outsider, `/tickets/${ticket.id}/watchers`, { contactId: String(stranger.id) })).status).toBe(
      404,
    );
    expect((await post(outsider, `/tickets/${ticket.id}/watchers/${colleague.id}/remove`, {})).status).toBe(404);
    expect(await watchersOf(ticket.id)).toEqual(before);
  });

  it('staff replies reach the reporter and the Betrokkene, each with a one-click unsubscribe', async () => {
    const before = smtp.messages.length;
    await db.prisma.mailOutbox.updateMany({ where: { sentAt: null }, data: { sentAt: new Date() } });
    const out: string[] = [];
    const code = await runCli(['ticket:reply', String(ticket.id), '--body', 'Wij kijken ernaar.'], {
      prisma: db.prisma,
      out: (l) => out.push(l),
      err: () => {},
      now: () => clock.now(),
      baseUrl: 'http://pim.test',
    });
    expect(code).toBe(0);
    expect(out[0]).toMatch(/\(2 mailed\)$/);
    expect(await deliverDue(db.prisma, smtpTransport(smtp.url), 'PIM <noreply@pim.test>')).toBe(2);
    const mails = (await smtp.waitFor(before + 2)).slice(before);
    expect(mails.map((m) => (m.to && !Array.isArray(m.to) ? m.to.text : '')).sort()).toEqual(
      [reporter.email, colleague.email].sort(),
    );
    for (const m of mails) {
      const header = (key: string) => m.headerLines.find((h) => h.key === key)?.line;
      expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
      expect(header('list-unsubscribe')?.replace(/\r\n\s*/g, ' ')).toMatch(
        /^List-Unsubscribe: <http:\/\/pim\.test\/mail\/unsubscribe\/[\w-]+\.[\w-]{43}>$/,
      );
      expect(m.text).toContain('Wij kijken ernaar.');
    }
  });

  it('at most 20 Betrokkenen', async () => {
    const manager = await person(org.id, ['MANAGE_ORG_TICKETS'], 'Manager');
    const t = await makeTicket(db.prisma, org.id, { reporterId: reporter.id });
    const people = await Promise.all(
      Array.from({ length: 21 }, (_, i) => person(org.id, ['MANAGE_OWN_TICKETS'], `Collega${i}`)),
    );
    await db.prisma.ticketWatcher.createMany({
      data: people.slice(0, 20).map((p) => ({ ticketId: t.id, contactId: p.id })),
    });
    const agent = await agentFor(manager.email);
    const res = await post(agent, `/tickets/${t.id}/watchers`, { contactId: String(people[20]!.id) });
    expect(res.status).toBe(422);
    expect(visibleText(res.text)).toContain('Er zijn al 20 betrokkenen');
    expect((await watchersOf(t.id)).length).toBe(20);
  });

  it('losing the role or the organisation takes the ticket away on the next request; taking oneself off too', async () => {
    const a = await person(org.id, ['MANAGE_OWN_TICKETS'], 'Weg1');
    const b = await person(org.id, ['MANAGE_OWN_TICKETS'], 'Weg2');
    const c = await person(org.id, ['MANAGE_OWN_TICKETS'], 'Weg3');
    await db.prisma.ticketWatcher.createMany({
      data: [a, b, c].map((p) => ({ ticketId: ticket.id, contactId: p.id })),
    });
    const [agentA, agentB, agentC] = [await agentFor(a.email), await agentFor(b.email), await agentFor(c.email)];
    for (const ag of [agentA, agentB, agentC]) expect((await ag.get(`/tickets/${ticket.id}`)).status).toBe(200);

    await db.prisma.contactRole.delete({ where: { contactId_role: { contactId: a.id, role: 'MANAGE_OWN_TICKETS' } } });
    expect((await agentA.get(`/tickets/${ticket.id}`)).status).toBe(403);

    await db.prisma.contact.update({ where: { id: b.id }, data: { organizationId: other.id } });
    expect((await agentB.get(`/tickets/${ticket.id}`)).status).toBe(404);

    const off = await post(agentC, `/tickets/${ticket.id}/watchers/${c.id}/remove`, {});
    expect(off.status).toBe(303);
    expect(off.headers.location).toBe('/tickets');
    expect((await agentC.get(`/tickets/${ticket.id}`)).status).toBe(404);
    expect(await watchersOf(ticket.id)).not.toContain(c.id);
  });

  it("the Betrokkene is told when added; their mails speak of the reporter's ticket and for the ticket's helpdesk; a reply names its files", async () => {
    const o = await makeOrg(db.prisma);
    const lisa = await makePerson(db.prisma, o.id, {
      roles: ['PORTAL_ACCESS', 'MANAGE_OWN_TICKETS'],
      firstName: 'Lisa',
      lastName: 'de Vries',
    });
    const henk = await makePerson(db.prisma, o.id, {
      roles: ['PORTAL_ACCESS', 'MANAGE_OWN_TICKETS'],
      firstName: 'Henk',
      lastName: 'Bakker',
    });
    const kim = await makePerson(db.prisma, o.id, {
      roles: ['PORTAL_ACCESS', 'MANAGE_ORG_TICKETS'],
      firstName: 'Kim',
      lastName: 'Sanders',
    });
    const t = await makeTicket(db.prisma, o.id, { reporterId: lisa.id, title: 'Factuur klopt niet' });
    await db.prisma.ticket.update({ where: { id: t.id }, data: { helpdesk: 'Administratie Vcare' } });
    await db.prisma.mailOutbox.updateMany({ where: { sentAt: null }, data: { sentAt: clock.now() } });
    const deliver = async (n: number) => {
      const before = smtp.messages.length;
      expect(await deliverDue(db.prisma, smtpTransport(smtp.url), 'PIM <noreply@pim.test>')).toBe(n);
      return (await smtp.waitFor(before + n)).slice(before);
    };
    const to = (m: { to?: unknown }) => (m.to && !Array.isArray(m.to) ? (m.to as { text: string }).text : '');

    // Kim (organisation tickets) adds Henk to Lisa's ticket: Henk hears of it, nobody else.
    expect(
      (await post(await agentFor(kim.email), `/tickets/${t.id}/watchers`, { contactId: String(henk.id) })).status,
    ).toBe(303);
    const [added] = await deliver(1);
    expect(to(added!)).toBe(henk.email);
    expect(added!.subject).toBe(`U bent betrokkene bij ticket ${t.id}: Factuur klopt niet`);
    expect(added!.text).toContain('Beste Henk Bakker');
    expect(added!.text).toContain(
      `Kim Sanders heeft u als betrokkene toegevoegd aan het ticket van Lisa de Vries, ${t.id} (Factuur klopt niet).`,
    );
    expect(added!.text).toContain(`http://pim.test/tickets/${t.id}`);
    expect(added!.text).toContain('Administratie Vcare');

    // A reply with files: both hear of it, the files by name; Henk's mail is about Lisa's ticket.
    const dir = mkdtempSync(path.join(tmpdir(), 'pim-watcher-mail-'));
    const pdf = path.join(dir, 'factuur-correctie.pdf');
    writeFileSync(pdf, FILES.pdf());
    const cli = (...argv: string[]) =>
      runCli(argv, {
        prisma: db.prisma,
        out: () => {},
        err: () => {},
        now: () => clock.now(),
        baseUrl: 'http://pim.test',
      });
    expect(
      await cli('ticket:reply', String(t.id), '--body', 'Zie de correctie.', '--staff-name', 'Ellen', '--attach', pdf),
    ).toBe(0);
    const replies = await deliver(2);
    const forLisa = replies.find((m) => to(m) === lisa.email)!;
    const forHenk = replies.find((m) => to(m) === henk.email)!;
    expect(forLisa.text).toContain(`Ellen van Vcare heeft gereageerd op uw ticket ${t.id} (Factuur klopt niet):`);
    expect(forHenk.text).toContain(
      `Ellen van Vcare heeft gereageerd op het ticket van Lisa de Vries, ${t.id} (Factuur klopt niet):`,
    );
    expect(forHenk.text).not.toContain('uw ticket');
    for (const m of replies) {
      expect(m.text).toContain('Bijgevoegde bestanden (te openen bij het ticket in PIM):\n- factuur-correctie.pdf');
      expect(m.text).toContain('Met vriendelijke groet,\nAdministratie Vcare\nVcare connect');
      expect(m.text).not.toContain('Support Vtel');
    }

    // The status mail too.
    expect(await cli('ticket:status', String(t.id), 'IN_PROGRESS')).toBe(0);
    const status = await deliver(2);
    expect(status.find((m) => to(m) === lisa.email)!.text).toContain(`De status van uw ticket ${t.id}`);
    const henkStatus = status.find((m) => to(m) === henk.email)!.text!;
    expect(henkStatus).toContain(
      `De status van het ticket van Lisa de Vries, ${t.id} (Factuur klopt niet), is gewijzigd.`,
    );
    expect(henkStatus).toContain('U kunt het ticket volgen in PIM:');
    expect(henkStatus).not.toContain('uw ticket');
    expect(henkStatus).toContain('Administratie Vcare');
  });
});
