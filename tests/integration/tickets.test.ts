import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, csrfFrom, logIn, submitForm, testApp, visibleText, TestClock } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { makeTicket } from '../support/tickets-factories.js';
import type { Role } from '../../src/auth/roles.js';

let db: TestDb;
let app: Express;
let clock: TestClock;

beforeAll(async () => {
  db = await createTestDb();
  // Friday 24 April 2026 12:00 in Amsterdam: the next Monday is Koningsdag.
  clock = new TestClock(Date.parse('2026-04-24T12:00:00+02:00'));
  ({ app } = testApp(db, { clock }));
});
afterAll(() => db.drop());

async function agentFor(email: string) {
  const agent = client(app);
  expect((await logIn(agent, email, PASSWORD)).status).toBe(302);
  return agent;
}

const person = (orgId: number, roles: Role[], extra: Parameters<typeof makePerson>[2] = {}) =>
  makePerson(db.prisma, orgId, { roles: ['PORTAL_ACCESS', ...roles], ...extra });

/** The ticket numbers in the list page's rows. */
const listedIds = (html: string) =>
  [...html.matchAll(/<tr>\s*<td><a href="\/tickets\/(\d+)">/g)].map((m) => Number(m[1]));

describe('scope: own, organisation, subsidiary, another organisation', () => {
  let org: { id: number };
  let sub: { id: number };
  let other: { id: number };
  let own: { id: number; email: string | null };
  let orgWide: { email: string | null };
  let withSubs: { email: string | null };
  const t: Record<string, number> = {};

  beforeAll(async () => {
    org = await makeOrg(db.prisma);
    sub = await makeOrg(db.prisma, { parentId: org.id });
    other = await makeOrg(db.prisma);
    own = await person(org.id, ['MANAGE_OWN_TICKETS']);
    orgWide = await person(org.id, ['MANAGE_ORG_TICKETS']);
    withSubs = await person(org.id, ['MANAGE_ORG_TICKETS', 'SUBSIDIARY_ACCESS']);
    const colleague = await person(org.id, ['MANAGE_OWN_TICKETS']);
    const subPerson = await person(sub.id, ['MANAGE_OWN_TICKETS']);
    const stranger = await person(other.id, ['MANAGE_ORG_TICKETS']);
    t.mine = (await makeTicket(db.prisma, org.id, { reporterId: own.id })).id;
    t.colleague = (await makeTicket(db.prisma, org.id, { reporterId: colleague.id })).id;
    t.sub = (await makeTicket(db.prisma, sub.id, { reporterId: subPerson.id })).id;
    t.other = (await makeTicket(db.prisma, other.id, { reporterId: stranger.id })).id;
  });

  async function expectScope(email: string | null, visible: number[], hidden: number[]) {
    const agent = await agentFor(email!);
    const list = await agent.get('/tickets?status=all');
    expect(list.status).toBe(200);
    expect(listedIds(list.text).sort()).toEqual([...visible].sort());
    for (const id of visible) expect((await agent.get(`/tickets/${id}`)).status).toBe(200);
    for (const id of hidden) {
      expect((await agent.get(`/tickets/${id}`)).status, `GET ${id}`).toBe(404);
      expect((await agent.get(`/tickets/${id}/print`)).status).toBe(404);
      expect((await agent.get(`/tickets/${id}/notes/new`)).status).toBe(404);
      const before = await db.prisma.ticketNote.count();
      const page = await agent.get('/tickets');
      const post = await agent
        .post(`/tickets/${id}/notes`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), body: 'mag niet' });
      expect(post.status, `POST note ${id}`).toBe(404);
      expect(await db.prisma.ticketNote.count()).toBe(before);
    }
  }

  it('MANAGE_OWN_TICKETS sees only the tickets they reported', () =>
    expectScope(own.email, [t.mine!], [t.colleague!, t.sub!, t.other!]));
  it('MANAGE_ORG_TICKETS sees every ticket of the own organisation, not the subsidiary', () =>
    expectScope(orgWide.email, [t.mine!, t.colleague!], [t.sub!, t.other!]));
  it('with SUBSIDIARY_ACCESS the subsidiary tickets too, and can filter on the organisation', async () => {
    await expectScope(withSubs.email, [t.mine!, t.colleague!, t.sub!], [t.other!]);
    const agent = await agentFor(withSubs.email!);
    const filtered = await agent.get(`/tickets?status=all&org=${sub.id}`);
    expect(listedIds(filtered.text)).toEqual([t.sub]);
    // An organisation outside the scope is ignored, never shown.
    expect(listedIds((await agent.get(`/tickets?status=all&org=${other.id}`)).text).sort()).toEqual(
      [t.mine, t.colleague, t.sub].sort(),
    );
  });
  it('a ticket number that is not a number is a 404, not a 500', async () => {
    const agent = await agentFor(own.email!);
    expect((await agent.get('/tickets/abc')).status).toBe(404);
    expect((await agent.get('/tickets/99999999999')).status).toBe(404);
  });
});

describe('GET /tickets: grouped by status with counts', () => {
  let viewer: { email: string | null };
  let orgId: number;

  beforeAll(async () => {
    const org = await makeOrg(db.prisma, { name: 'Demo Pim (Persoonlijke Informatie Manager)' });
    orgId = org.id;
    viewer = await person(org.id, ['MANAGE_ORG_TICKETS']);
    const plan: [string, number][] = [
      ['NEW', 3],
      ['IN_PROGRESS', 2],
      ['WAITING_CUSTOMER', 1],
      ['PLANNED_EXTERNAL', 1],
      ['RESOLVED', 30],
    ];
    const day = 86_400_000;
    for (const [status, count] of plan) {
      for (let i = 0; i < count; i++) {
        // Two resolved tickets within the reopen period (14 days), 28 long ago.
        const resolvedAt =
          status === 'RESOLVED'
            ? new Date(clock.now().getTime() - (i < 2 ? (i === 0 ? 1 : 14) * day : 15 * day))
            : null;
        await makeTicket(db.prisma, org.id, {
          status: status as 'NEW',
          resolvedAt,
          title: `${status} melding ${i}`,
          customerReference: status === 'NEW' && i === 0 ? 'PO-4711' : null,
        });
      }
    }
  });

  const headings = (html: string) => [...html.matchAll(/<h2 id="group-(\w+)">([^<]+)<\/h2>/g)].map((m) => m[2]);

  it('"Status: actueel" by default: every open ticket plus those resolved within the reopen period (they can still get a note), in the manual\'s order', async () => {
    const agent = await agentFor(viewer.email!);
    const res = await agent.get('/tickets');
    expect(res.status).toBe(200);
    expect(headings(res.text)).toEqual([
      'Nieuw (3)',
      'In behandeling (2)',
      'Wachten op klant (1)',
      'Gepland extern (1)',
      'Afgehandeld (2)',
    ]);
    const text = visibleText(res.text);
    expect(text).toContain('9 gevonden Status › actueel Organisatie › Demo Pim (Persoonlijke Informatie Manager)');
    // The two are exactly the resolved tickets a note can still reopen.
    const recent = await db.prisma.ticket.findMany({
      where: {
        organizationId: orgId,
        status: 'RESOLVED',
        resolvedAt: { gte: new Date(clock.now().getTime() - 14 * 86_400_000) },
      },
      select: { id: true },
    });
    expect(recent).toHaveLength(2);
    for (const { id } of recent) expect(listedIds(res.text)).toContain(id);
    // The explanation of each status, as in the manual.
    expect(text).toContain(
      'Wachten op klant Wij hebben een antwoord van u nodig om de ticket verder in behandeling te nemen',
    );
    expect(text).toContain(
      'Gepland extern Een Vcare Engineer heeft een externe actie op de planning staan om uw ticket op te lossen',
    );
    const db_ = await db.prisma.ticket.groupBy({
      by: ['status'],
      where: { organizationId: orgId },
      _count: { _all: true },
    });
    expect(Object.fromEntries(db_.map((g) => [g.status, g._count._all]))).toEqual({
      NEW: 3,
      IN_PROGRESS: 2,
      WAITING_CUSTOMER: 1,
      PLANNED_EXTERNAL: 1,
      RESOLVED: 30,
    });
  });

  it('all statuses, one status, and a search on title, number and customer reference, with chips', async () => {
    const agent = await agentFor(viewer.email!);
    const all = await agent.get('/tickets?status=all');
    expect(headings(all.text)).toEqual([
      'Nieuw (3)',
      'In behandeling (2)',
      'Wachten op klant (1)',
      'Gepland extern (1)',
      'Afgehandeld (30)',
    ]);
    const one = await agent.get('/tickets?status=RESOLVED');
    expect(headings(one.text)).toEqual(['Afgehandeld (30)']);
    expect(visibleText(one.text)).toContain('30 gevonden Status › Afgehandeld');
    const byRef = await agent.get('/tickets?q=po-47');
    expect(headings(byRef.text)).toEqual(['Nieuw (1)']);
    expect(visibleText(byRef.text)).toContain('Zoekterm › po-47');
    const byTitle = await agent.get('/tickets?status=all&q=in_progress%20melding');
    expect(headings(byTitle.text)).toEqual(['In behandeling (2)']);
    const some = await db.prisma.ticket.findFirstOrThrow({
      where: { organizationId: orgId, status: 'WAITING_CUSTOMER' },
    });
    expect(listedIds((await agent.get(`/tickets?q=${some.id}`)).text)).toEqual([some.id]);
    // LIKE wildcards are searched for literally.
    expect(headings((await agent.get('/tickets?status=all&q=%25')).text)).toEqual([]);
  });

  it('each group pages on its own (page_RESOLVED), 25 rows a page', async () => {
    const agent = await agentFor(viewer.email!);
    const first = await agent.get('/tickets?status=all');
    expect(first.text).toContain('page_RESOLVED=2');
    const second = await agent.get('/tickets?status=all&page_RESOLVED=2');
    const ids = listedIds(second.text);
    // 7 current tickets plus the last 5 resolved ones.
    expect(ids).toHaveLength(12);
    expect(visibleText(second.text)).toContain('26 tot en met 30 van 30');
  });
});

describe('POST /tickets/new', () => {
  let reporter: { id: number; email: string | null };
  let orgId: number;

  beforeAll(async () => {
    const org = await makeOrg(db.prisma, { name: 'Demo Pim (Persoonlijke Informatie Manager)' });
    orgId = org.id;
    reporter = await person(org.id, ['MANAGE_OWN_TICKETS'], { firstName: 'Jan', lastName: 'Jansen' });
    await db.prisma.contact.update({ where: { id: reporter.id }, data: { phone: '0884800900' } });
  });

  it("shows the manual's form with the reporter filled in from the person", async () => {
    const agent = await agentFor(reporter.email!);
    const res = await agent.get('/tickets/new');
    expect(res.status).toBe(200);
    const text = visibleText(res.text);
    expect(text).toContain('Organisatie * Demo Pim (Persoonlijke Informatie Manager)');
    expect(text).toContain('Contactpersoon * Jan Jansen');
    expect(text).toContain('Telnr. vast 0884800900');
    expect(text).toContain('Datum gemeld * 24-4-2026 om 12:00');
    for (const kind of ['maak een keuze', 'Incident / Storing', 'Wijziging', 'Vraag', 'Wens', 'Service verzoek'])
      expect(text).toContain(kind);
  });

  it('refuses a form without title, with a bad phone and an unknown kind: 422, every message, the values kept, nothing saved', async () => {
    const agent = await agentFor(reporter.email!);
    const before = await db.prisma.ticket.count();
    const res = await submitForm(agent, '/tickets/new', '/tickets/new', {
      organizationId: String(orgId),
      title: '  ',
      description: 'Mijn omschrijving <b>vet</b>',
      alternativePhone: 'bel me',
      kind: 'BOGUS',
      customerReference: 'x'.repeat(101),
    });
    expect(res.status).toBe(422);
    const text = visibleText(res.text);
    expect(text).toContain('Geef een titel aan uw ticket.');
    expect(text).toContain('Vul een geldig telefoonnummer in');
    expect(text).toContain('Kies een soort uit de lijst.');
    expect(text).toContain('De referentie mag hooguit 100 tekens lang zijn.');
    expect(res.text).toContain('Mijn omschrijving &lt;b&gt;vet&lt;/b&gt;');
    expect(res.text).toContain('value="bel me"');
    expect(await db.prisma.ticket.count()).toBe(before);
  });

  it("refuses an organisation outside the person's scope (404, nothing saved)", async () => {
    const agent = await agentFor(reporter.email!);
    const other = await makeOrg(db.prisma);
    const before = await db.prisma.ticket.count();
    const res = await submitForm(agent, '/tickets/new', '/tickets/new', {
      organizationId: String(other.id),
      title: 'Elders',
      kind: '',
    });
    expect(res.status).toBe(404);
    expect(await db.prisma.ticket.count()).toBe(before);
  });

  it('saves a ticket: status Nieuw, channel portal, deadline after Koningsdag, helpdesk; mails queued for reporter and helpdesk', async () => {
    const agent = await agentFor(reporter.email!);
    const mailsBefore = await db.prisma.mailOutbox.count();
    const res = await submitForm(agent, '/tickets/new', '/tickets/new', {
      organizationId: String(orgId),
      title: 'Storing telefonie',
      description: 'Niemand kan bellen.',
      alternativePhone: '06 12345678',
      kind: 'INCIDENT',
      customerReference: 'REF-1',
    });
    expect(res.status).toBe(302);
    const id = Number(/^\/tickets\/(\d+)$/.exec(res.headers.location!)?.[1]);
    const t = await db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    expect(t).toMatchObject({
      organizationId: orgId,
      reporterId: reporter.id,
      title: 'Storing telefonie',
      status: 'NEW',
      channel: 'PORTAL',
      kind: 'INCIDENT',
      helpdesk: 'Support Vtel',
      alternativePhone: '06 12345678',
      customerReference: 'REF-1',
    });
    // Friday 24 April + 1 working day: Monday 27 April is Koningsdag, so Tuesday 28 April.
    expect(t.deadline!.toISOString().slice(0, 10)).toBe('2026-04-28');
    expect(t.reportedAt.toISOString()).toBe(clock.now().toISOString());
    const mails = await db.prisma.mailOutbox.findMany({ orderBy: { id: 'asc' }, skip: mailsBefore });
    expect(mails.map((m) => m.recipient)).toEqual([reporter.email, 'support@vcareconnect.nl']);
    expect(await db.prisma.auditEvent.count({ where: { kind: 'ticket.created', subjectId: String(id) } })).toBe(1);

    const page = await agent.get(res.headers.location!);
    const text = visibleText(page.text);
    expect(text).toContain(`Uw ticket ${id} is opgeslagen.`);
    expect(text).toContain(`Ticket: ${id} - Storing telefonie`);
    expect(text).toContain('Datum gemeld 24-4-2026 12:00');
    expect(text).toContain('Helpdesk Support Vtel');
    expect(text).toContain('Binnenkomst Klantportaal PIM');
    expect(text).toContain('Datum deadline 28-4-2026');
    expect(text).toContain('Geen aanvullingen bij dit ticket aanwezig.');
  });
});

describe('the detail page', () => {
  it('hides empty fields, and headings whose fields are all empty, until "Toon lege velden"; the print page follows it, without the menu', async () => {
    const org = await makeOrg(db.prisma);
    const p = await person(org.id, ['MANAGE_ORG_TICKETS']);
    const t = await makeTicket(db.prisma, org.id, {
      reporterId: p.id,
      title: 'Snom instellen',
      kind: 'QUESTION',
      reportedAt: new Date('2017-07-13T09:05:00Z'),
    });
    const agent = await agentFor(p.email!);
    const plain = visibleText((await agent.get(`/tickets/${t.id}`)).text);
    expect(plain).toContain('Datum gemeld 13-7-2017 11:05');
    expect(plain).toContain('Soort Vraag');
    expect(plain).not.toContain('Referentie klant');
    expect(plain).not.toContain('Extra informatie');
    expect(plain).toContain('Toon lege velden');
    const full = visibleText((await agent.get(`/tickets/${t.id}?empty=1`)).text);
    expect(full).toContain('Extra informatie Referentie klant');
    expect(full).toContain('Afwijkend telnr.');
    const print = await agent.get(`/tickets/${t.id}/print`);
    expect(print.status).toBe(200);
    expect(print.text).not.toContain('class="menu"');
    expect(visibleText(print.text)).not.toContain('Extra informatie');
    expect(visibleText((await agent.get(`/tickets/${t.id}/print?empty=1`)).text)).toContain(
      'Extra informatie Referentie klant',
    );
    // A filled-in reference shows its heading without "Toon lege velden".
    const withRef = await makeTicket(db.prisma, org.id, { reporterId: p.id, customerReference: 'PO-4711' });
    expect(visibleText((await agent.get(`/tickets/${withRef.id}`)).text)).toContain(
      'Extra informatie Referentie klant PO-4711',
    );
  });

  it('the print page has an "Afdrukken" button for its script (hidden until the script shows it), loaded with the CSP nonce', async () => {
    const org = await makeOrg(db.prisma);
    const p = await person(org.id, ['MANAGE_ORG_TICKETS']);
    const t = await makeTicket(db.prisma, org.id, { reporterId: p.id });
    const res = await (await agentFor(p.email!)).get(`/tickets/${t.id}/print`);
    expect(res.text).toMatch(
      /<button type="button" class="button button--green" data-print hidden>Afdrukken<\/button>/,
    );
    const nonce = /script-src[^;]*'nonce-([^']+)'/.exec(res.headers['content-security-policy'] ?? '')?.[1];
    expect(nonce).toBeTruthy();
    expect(res.text).toContain(`<script src="/js/print.js" nonce="${nonce}" defer></script>`);
  });
});

describe('follow-up notes (aanvullingen)', () => {
  let orgId: number;
  let p: { id: number; email: string | null };

  beforeAll(async () => {
    const org = await makeOrg(db.prisma);
    orgId = org.id;
    p = await person(org.id, ['MANAGE_OWN_TICKETS'], { firstName: 'Lisa', lastName: 'de Vries' });
  });

  async function postNote(ticketId: number, body: string) {
    const agent = await agentFor(p.email!);
    return submitForm(agent, `/tickets/${ticketId}/notes/new`, `/tickets/${ticketId}/notes`, { body });
  }

  it("the page without JavaScript shows the manual's form; an empty note is refused with 422", async () => {
    const t = await makeTicket(db.prisma, orgId, { reporterId: p.id, title: 'Storing telefonie' });
    const agent = await agentFor(p.email!);
    const page = await agent.get(`/tickets/${t.id}/notes/new`);
    expect(visibleText(page.text)).toContain(`Hoort bij ticket * ${t.id} - Storing telefonie`);
    expect(visibleText(page.text)).toContain('Vul hier uw aanvullende informatie in.');
    const res = await postNote(t.id, '   ');
    expect(res.status).toBe(422);
    expect(visibleText(res.text)).toContain('Vul uw aanvullende informatie in.');
    expect(await db.prisma.ticketNote.count({ where: { ticketId: t.id } })).toBe(0);
  });

  it('stores notes with author and time, shown in order; the helpdesk is mailed, the customer is not', async () => {
    const t = await makeTicket(db.prisma, orgId, { reporterId: p.id, status: 'IN_PROGRESS' });
    const mailsBefore = await db.prisma.mailOutbox.count();
    expect((await postNote(t.id, 'Eerste aanvulling')).status).toBe(302);
    clock.advance(60_000);
    expect((await postNote(t.id, 'Tweede aanvulling')).status).toBe(302);
    const notes = await db.prisma.ticketNote.findMany({ where: { ticketId: t.id }, orderBy: { createdAt: 'asc' } });
    expect(notes.map((n) => [n.body, n.authorId])).toEqual([
      ['Eerste aanvulling', p.id],
      ['Tweede aanvulling', p.id],
    ]);
    // Each postNote logs in from a new browser, which mails the
    // person "Nieuwe login"; the notes mail only the helpdesk.
    const mails = (await db.prisma.mailOutbox.findMany({ skip: mailsBefore, orderBy: { id: 'asc' } })).filter(
      (m) => !m.subject.startsWith('Nieuwe login'),
    );
    expect(mails.map((m) => m.recipient)).toEqual(['support@vcareconnect.nl', 'support@vcareconnect.nl']);
    const text = visibleText((await (await agentFor(p.email!)).get(`/tickets/${t.id}`)).text);
    expect(text.indexOf('Eerste aanvulling')).toBeLessThan(text.indexOf('Tweede aanvulling'));
    expect(text).toContain('Lisa de Vries, 24-4-2026 12:00');
    expect((await db.prisma.ticket.findUniqueOrThrow({ where: { id: t.id } })).status).toBe('IN_PROGRESS');
  });

  it('a note on a ticket waiting for the customer puts it back to In behandeling, audited', async () => {
    const t = await makeTicket(db.prisma, orgId, { reporterId: p.id, status: 'WAITING_CUSTOMER' });
    const res = await postNote(t.id, 'Hier is het antwoord');
    expect(res.status).toBe(302);
    expect((await db.prisma.ticket.findUniqueOrThrow({ where: { id: t.id } })).status).toBe('IN_PROGRESS');
    const audit = await db.prisma.auditEvent.findFirstOrThrow({
      where: { kind: 'ticket.status_changed', subjectId: String(t.id) },
    });
    expect(audit.before).toEqual({ status: 'WAITING_CUSTOMER' });
    expect(audit.after).toMatchObject({ status: 'IN_PROGRESS' });
    expect(audit.actorId).toBe(p.id);
  });

  it('a resolved ticket reopens with a note within the reopen days', async () => {
    const t = await makeTicket(db.prisma, orgId, {
      reporterId: p.id,
      status: 'RESOLVED',
      resolvedAt: new Date(clock.now().getTime() - 13 * 86_400_000),
    });
    const agent = await agentFor(p.email!);
    expect(visibleText((await agent.get(`/tickets/${t.id}`)).text)).toContain(
      'Met een aanvulling neemt Vcare het opnieuw in behandeling.',
    );
    expect((await postNote(t.id, 'Het probleem is terug')).status).toBe(302);
    const after = await db.prisma.ticket.findUniqueOrThrow({ where: { id: t.id } });
    expect(after.status).toBe('IN_PROGRESS');
    expect(after.resolvedAt).toBeNull();
  });

  it('after the reopen days the form says to file a new ticket, and the POST is refused with nothing saved', async () => {
    const t = await makeTicket(db.prisma, orgId, {
      reporterId: p.id,
      status: 'RESOLVED',
      resolvedAt: new Date(clock.now().getTime() - 15 * 86_400_000),
    });
    const agent = await agentFor(p.email!);
    const detail = visibleText((await agent.get(`/tickets/${t.id}`)).text);
    expect(detail).toContain('kan niet meer worden aangevuld. Maak een nieuw ticket aan.');
    expect(detail).not.toContain('Aanvulling toevoegen');
    const before = {
      notes: await db.prisma.ticketNote.count(),
      mails: await db.prisma.mailOutbox.count(),
      audits: await db.prisma.auditEvent.count(),
    };
    const page = await agent.get('/tickets');
    const res = await agent
      .post(`/tickets/${t.id}/notes`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), body: 'Te laat' });
    expect(res.status).toBe(409);
    expect(visibleText(res.text)).toContain('Maak een nieuw ticket aan.');
    expect({
      notes: await db.prisma.ticketNote.count(),
      mails: await db.prisma.mailOutbox.count(),
      audits: await db.prisma.auditEvent.count(),
    }).toEqual(before);
    expect((await db.prisma.ticket.findUniqueOrThrow({ where: { id: t.id } })).status).toBe('RESOLVED');
  });
});
