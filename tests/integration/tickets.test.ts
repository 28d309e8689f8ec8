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
const listedIds = (html: string) => [...html.matchAll(/<tr>\s*<td><a href="\/tickets\/(\d+)">/g)].map((m) => Number(m[1]));

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
      const post = await agent.post(`/tickets/${id}/notes`).type('form').send({ _csrf: csrfFrom(page.text), body: 'mag niet' });
      expect(post.status, `POST note ${id}`).toBe(404);
      expect(await db.prisma.ticketNote.count()).toBe(before);
    }
  }

  it('MANAGE_OWN_TICKETS sees only the tickets they reported', () => expectScope(own.email, [t.mine!], [t.colleague!, t.sub!, t.other!]));
  it('MANAGE_ORG_TICKETS sees every ticket of the own organisation, not the subsidiary', () =>
    expectScope(orgWide.email, [t.mine!, t.colleague!], [t.sub!, t.other!]));
  it('with SUBSIDIARY_ACCESS the subsidiary tickets too, and can filter on the organisation', async () => {
    await expectScope(withSubs.email, [t.mine!, t.colleague!, t.sub!], [t.other!]);
    const agent = await agentFor(withSubs.email!);
    const filtered = await agent.get(`/tickets?status=all&org=${sub.id}`);
    expect(listedIds(filtered.text)).toEqual([t.sub]);
    // An organisation outside the scope is ignored, never shown.
    expect(listedIds((await agent.get(`/tickets?status=all&org=${other.id}`)).text).sort()).toEqual([t.mine, t.colleague, t.sub].sort());
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
    const plan: [string, number][] = [['NEW', 3], ['IN_PROGRESS', 2], ['WAITING_CUSTOMER', 1], ['PLANNED_EXTERNAL', 1], ['RESOLVED', 30]];
    for (const [status, count] of plan) {
      for (let i = 0; i < count; i++) {
        await makeTicket(db.prisma, org.id, { status: status as 'NEW', title: `${status} melding ${i}`, customerReference: status === 'NEW' && i === 0 ? 'PO-4711' : null });
      }
    }
  });

  const headings = (html: string) => [...html.matchAll(/<h2 id="group-(\w+)">([^<]+)<\/h2>/g)].map((m) => m[2]);

  it('"Status: actueel" by default: every group but Afgehandeld, in the manual\'s order, counts as in the database', async () => {
    const agent = await agentFor(viewer.email!);
    const res = await agent.get('/tickets');
    expect(res.status).toBe(200);
    expect(headings(res.text)).toEqual(['Nieuw (3)', 'In behandeling (2)', 'Wachten op klant (1)', 'Gepland extern (1)']);
    const text = visibleText(res.text);
    expect(text).toContain('7 gevonden Status › actueel Organisatie › Demo Pim (Persoonlijke Informatie Manager)');
    // The explanation of each status, as in the manual.
    expect(text).toContain('Wachten op klant Wij hebben een antwoord van u nodig om de ticket verder in behandeling te nemen');
    expect(text).toContain('Gepland extern Een Vcare Engineer heeft een externe actie op de planning staan om uw ticket op te lossen');
    const db_ = await db.prisma.ticket.groupBy({ by: ['status'], where: { organizationId: orgId }, _count: { _all: true } });
    expect(Object.fromEntries(db_.map((g) => [g.status, g._count._all]))).toEqual({ NEW: 3, IN_PROGRESS: 2, WAITING_CUSTOMER: 1, PLANNED_EXTERNAL: 1, RESOLVED: 30 });
  });

  it('all statuses, one status, and a search on title, number and customer reference, with chips', async () => {
    const agent = await agentFor(viewer.email!);
    const all = await agent.get('/tickets?status=all');
    expect(headings(all.text)).toEqual(['Nieuw (3)', 'In behandeling (2)', 'Wachten op klant (1)', 'Gepland extern (1)', 'Afgehandeld (30)']);
    const one = await agent.get('/tickets?status=RESOLVED');
    expect(headings(one.text)).toEqual(['Afgehandeld (30)']);
    expect(visibleText(one.text)).toContain('30 gevonden Status › Afgehandeld');
    const byRef = await agent.get('/tickets?q=po-47');
    expect(headings(byRef.text)).toEqual(['Nieuw (1)']);
    expect(visibleText(byRef.text)).toContain('Zoekterm › po-47');
    const byTitle = await agent.get('/tickets?status=all&q=in_progress%20melding');
    expect(headings(byTitle.text)).toEqual(['In behandeling (2)']);
    const some = await db.prisma.ticket.findFirstOrThrow({ where: { organizationId: orgId, status: 'WAITING_CUSTOMER' } });
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
