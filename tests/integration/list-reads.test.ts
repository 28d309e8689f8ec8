import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.js';
import { makeOrg, makePerson } from '../support/factories.js';
import { makeInvoice } from '../support/invoices-factories.js';
import { loadActor, type Actor } from '../../src/auth/actor.js';
import { Role } from '../../src/auth/roles.js';
import { CONTACT_SORTS, listContacts } from '../../src/features/contacts/list.js';
import { parseFilters } from '../../src/features/contacts/schema.js';
import { INVOICE_SORTS, listInvoices } from '../../src/features/invoices/service.js';
import type { InvoiceFilter } from '../../src/features/invoices/filters.js';
import { listActivatedApplications, listCurrentAnnouncements } from '../../src/features/dashboard/service.js';
import { makeTicket } from '../support/tickets-factories.js';
import { listTickets, type TicketListQuery } from '../../src/features/tickets/service.js';
import { TICKET_STATUSES } from '../../src/features/tickets/schema.js';
import type { TicketStatus } from '../../src/generated/prisma/enums.js';
import { recordingPool } from '../support/plans.js';
import { listOrganisations } from '../../src/features/organisations/service.js';

/**
 * The list pages' hot reads run on the pg pool (src/db/read.ts) when the services have it and
 * through Prisma otherwise: both must give the very same rows, in the same order, with the
 * same types (Decimal amounts, UTC-midnight days), and stay inside the person's scope.
 */
let db: TestDb;
let main: Actor;
let foreignOrgId: number;
let subOrgId: number;
let ownOnly: Actor;
let noTicketRole: Actor;
let someTicketId: number;
/** "Now" for the tickets' reopen rule: resolved at or after it counts as current. */
const cutoff = new Date(Date.UTC(2026, 10, 1));

beforeAll(async () => {
  db = await createTestDb();
  const a = await makeOrg(db.prisma, { name: 'Moeder' });
  const sub = await makeOrg(db.prisma, { name: 'Dochter', parentId: a.id });
  const b = await makeOrg(db.prisma, { name: 'Vreemd' });
  foreignOrgId = b.id;
  const me = await makePerson(db.prisma, a.id, { main: true, roles: [Role.SUBSIDIARY_ACCESS] });
  for (let i = 0; i < 7; i++) await makePerson(db.prisma, i % 2 ? a.id : sub.id);
  await makePerson(db.prisma, b.id);
  const titles = ['Maandfactuur', 'Licentie 50%', 'Onderhoud', 'maandfactuur juli'];
  for (let i = 0; i < 12; i++)
    await makeInvoice(db.prisma, i % 3 ? a.id : sub.id, {
      title: titles[i % titles.length],
      date: `2017-0${1 + (i % 9)}-1${i % 10}`,
      amountExclVat: `${100 + ((i * 37) % 11)}.${i}5`,
      vatAmount: `${i}.10`,
      organizationName: i % 2 ? 'Moeder' : 'Dochter',
    });
  await makeInvoice(db.prisma, b.id, { title: 'Maandfactuur' });
  main = (await loadActor(db.prisma, me.id, 0))!;
  subOrgId = sub.id;
  const own = await makePerson(db.prisma, a.id, { roles: [Role.PORTAL_ACCESS, Role.MANAGE_OWN_TICKETS] });
  const plain = await makePerson(db.prisma, a.id);
  // More than a page (25) of NEW and RESOLVED tickets, so both the one-query and per-group reads run.
  const statuses: TicketStatus[] = [...TICKET_STATUSES];
  for (let i = 0; i < 90; i++) {
    const status: TicketStatus = i < 30 ? 'NEW' : i < 62 ? 'RESOLVED' : statuses[i % statuses.length]!;
    const orgId = i % 5 === 0 ? sub.id : a.id;
    const t = await makeTicket(db.prisma, orgId, {
      status,
      // Equal times in pairs, so the id decides the order.
      reportedAt: new Date(Date.UTC(2026, 0, 1 + Math.floor(i / 2), 9)),
      resolvedAt: status === 'RESOLVED' ? new Date(Date.UTC(2026, 9 + (i % 3), 15)) : null,
      reporterId: i % 3 === 0 ? own.id : me.id,
      title: i % 7 === 0 ? `Storing 50% ${i}` : `Melding ${i}`,
      customerReference: i % 11 === 0 ? `REF-${i}` : null,
      kind: i % 6 === 0 ? null : 'INCIDENT',
    });
    // Resolved without a resolution date: the rule reads the last change instead.
    if (status === 'RESOLVED' && i % 4 === 0)
      await db.prisma.ticket.update({
        where: { id: t.id },
        data: { resolvedAt: null, updatedAt: new Date(Date.UTC(2026, i % 8 === 0 ? 11 : 5, 1)) },
      });
    if (i % 10 === 1) await db.prisma.ticketWatcher.create({ data: { ticketId: t.id, contactId: own.id } });
    if (i === 40) someTicketId = t.id;
  }
  for (let i = 0; i < 5; i++) await makeTicket(db.prisma, b.id, { title: `Melding vreemd ${i}`, status: 'NEW' });
  ownOnly = (await loadActor(db.prisma, own.id, 0))!;
  noTicketRole = (await loadActor(db.prisma, plain.id, 0))!;
  for (const [i, name] of ['Recorder', 'Operator', 'Scheduler', 'Walldisplay'].entries()) {
    const app = await db.prisma.application.create({
      data: {
        code: name.toLowerCase(),
        name,
        descriptionNl: name,
        descriptionEn: name,
        url: 'https://x.test',
        position: i % 2,
      },
    });
    if (i < 3) await db.prisma.applicationActivation.create({ data: { contactId: me.id, applicationId: app.id } });
  }
  const day = (d: number) => new Date(Date.UTC(2026, 11, d, 9));
  const texts = { titleNl: 'Onderhoud', bodyNl: 'Vanavond', titleEn: null, bodyEn: null };
  await db.prisma.announcement.createMany({
    data: [
      { kind: 'NEWS', ...texts, publishedAt: day(1) },
      {
        kind: 'MAINTENANCE',
        ...texts,
        publishedAt: day(2),
        expiresAt: day(9),
        titleEn: 'Maintenance',
        bodyEn: 'Tonight',
      },
      { kind: 'OUTAGE', ...texts, publishedAt: day(3), expiresAt: day(4) },
      { kind: 'NEWS', ...texts, publishedAt: day(5), organizationId: a.id },
      { kind: 'NEWS', ...texts, publishedAt: day(6), organizationId: b.id },
      { kind: 'NEWS', ...texts, publishedAt: day(20) },
    ],
  });
}, 120_000);

afterAll(async () => {
  await db?.close();
});

describe('contacts list on the pool', () => {
  it('gives what Prisma gives for every sort, both directions, filters and pages', async () => {
    const queries = [
      {},
      { subs: '1' },
      { subs: '1', active: 'all' },
      { subs: '1', name: 'a' },
      { q: 'x' },
      { org: String(foreignOrgId) },
    ];
    for (const q of queries)
      for (const sort of CONTACT_SORTS)
        for (const dir of ['asc', 'desc'] as const)
          for (const [take, skip] of [
            [50, 0],
            [3, 2],
            [3, 30],
          ] as const) {
            const filters = parseFilters(q, main.organizationId);
            const page = { sort, dir, take, skip };
            const viaPrisma = await listContacts(db.prisma, main, filters, page);
            const viaPool = await listContacts(db.prisma, main, filters, page, db.pool);
            expect(viaPool).toEqual(viaPrisma);
          }
  });
});

describe('invoices list on the pool', () => {
  const filter = (over: Partial<InvoiceFilter>): InvoiceFilter => ({
    subsidiaries: false,
    from: null,
    to: null,
    defaultRange: false,
    q: '',
    errors: {},
    ...over,
  });

  it('gives what Prisma gives for every sort, both directions, filters and pages, never a foreign invoice', async () => {
    const filters = [
      filter({}),
      filter({ subsidiaries: true }),
      filter({ subsidiaries: true, from: new Date('2017-03-01T00:00:00Z'), to: new Date('2017-06-13T00:00:00Z') }),
      filter({ subsidiaries: true, q: 'maand' }),
      filter({ subsidiaries: true, q: '50%' }),
      filter({ subsidiaries: true, q: '1' }),
      filter({ orgId: foreignOrgId }),
    ];
    for (const f of filters)
      for (const sort of INVOICE_SORTS)
        for (const dir of ['asc', 'desc'] as const)
          for (const [perPage, page] of [
            [50, 1],
            [4, 2],
            [4, 9],
          ] as const) {
            const list = { q: f.q, sort, dir, page, perPage, skip: (page - 1) * perPage };
            const viaPrisma = await listInvoices(db.prisma, main, f, list);
            const viaPool = await listInvoices(db.prisma, main, f, list, db.pool);
            expect(viaPool).toEqual(viaPrisma);
            expect(viaPool.rows.map((r) => r.organizationName)).not.toContain('Vreemd');
          }
    const all = await listInvoices(db.prisma, main, filter({ subsidiaries: true }), {
      q: '',
      sort: 'number',
      dir: 'asc',
      page: 1,
      perPage: 50,
      skip: 0,
    });
    expect(all.total).toBe(12);
  });
});

describe('dashboard reads on the pool', () => {
  it("give the same tiles and the same announcements in force as Prisma, only the own organisation's", async () => {
    const viaPrisma = await listActivatedApplications(db.prisma, main);
    expect(viaPrisma).toHaveLength(3);
    expect(await listActivatedApplications(db.prisma, main, db.pool)).toEqual(viaPrisma);
    for (const d of [1, 3, 5, 8, 10, 25]) {
      const now = new Date(Date.UTC(2026, 11, d, 12));
      for (const take of [10, 2]) {
        const prismaRows = await listCurrentAnnouncements(db.prisma, main, now, take);
        expect(await listCurrentAnnouncements(db.prisma, main, now, take, db.pool)).toEqual(prismaRows);
      }
    }
    const at8 = await listCurrentAnnouncements(db.prisma, main, new Date(Date.UTC(2026, 11, 8, 12)), 10, db.pool);
    expect(at8.map((a) => a.publishedAt.getUTCDate())).toEqual([5, 2, 1]);
  });
});

describe('tickets list on the pool', () => {
  const query = (over: Partial<TicketListQuery>): TicketListQuery => ({
    status: 'current',
    reopenCutoff: cutoff,
    org: null,
    q: '',
    dir: 'desc',
    pages: {},
    ...over,
  });

  it('gives what Prisma gives for every status group, both directions, filters and pages, never a foreign ticket', async () => {
    const pagings: TicketListQuery['pages'][] = [{}, { NEW: 2, RESOLVED: 2 }, { RESOLVED: 9 }];
    const filters: Partial<TicketListQuery>[] = [
      {},
      { org: main.organizationId },
      { org: subOrgId },
      { org: foreignOrgId },
      { watching: true },
      { q: 'melding' },
      { q: '50%' },
      { q: `#${someTicketId}` },
      { q: 'ref-' },
    ];
    const seen = async (actor: Actor, q: TicketListQuery) => {
      const viaPrisma = await listTickets(db.prisma, actor, q);
      const viaPool = await listTickets(db.prisma, actor, q, db.pool);
      expect(viaPool).toEqual(viaPrisma);
      const orgs = viaPool.groups.flatMap((g) => g.rows.map((r) => r.organizationId));
      expect(orgs).not.toContain(foreignOrgId);
      return viaPool;
    };
    for (const status of ['current', 'all', ...TICKET_STATUSES] as const)
      for (const dir of ['asc', 'desc'] as const)
        for (const pages of pagings) await seen(main, query({ status, dir, pages }));
    for (const actor of [main, ownOnly, noTicketRole])
      for (const f of filters)
        for (const status of ['current', 'all', 'RESOLVED'] as const)
          for (const dir of ['asc', 'desc'] as const)
            await seen(actor, query({ ...f, status, dir, pages: { NEW: 2 } }));

    const all = await seen(main, query({ status: 'all' }));
    expect(all.total).toBe(90);
    // More than a page: the per-group reads ran.
    expect(all.groups.find((g) => g.status === 'RESOLVED')!.count).toBeGreaterThan(25);
    const current = await seen(main, query({}));
    expect(current.total).toBeGreaterThan(58);
    expect(current.total).toBeLessThan(90);
    expect((await seen(main, query({ org: foreignOrgId, status: 'all' }))).total).toBe(0);
    expect((await seen(noTicketRole, query({ status: 'all' }))).total).toBe(0);
    const own = await seen(ownOnly, query({ status: 'all' }));
    expect(own.total).toBeGreaterThan(0);
    expect(own.total).toBeLessThan(90);
  });
});

describe('statements per list page on the pool', () => {
  it('reads page and total in one statement (contacts, invoices), and an empty page past the end still has its total', async () => {
    const subs = parseFilters({ subs: '1' }, main.organizationId);
    const total = (await listContacts(db.prisma, main, subs, { sort: 'name', dir: 'asc', take: 50, skip: 0 })).total;
    expect(total).toBeGreaterThan(3);
    for (const sort of CONTACT_SORTS.filter((s) => s !== 'main'))
      for (const skip of [0, total + 10]) {
        const rec = recordingPool(db.pool);
        const page = await listContacts(db.prisma, main, subs, { sort, dir: 'desc', take: 3, skip }, rec.pool);
        expect(rec.sent, sort).toHaveLength(1);
        expect(page.total, sort).toBe(total);
        expect(page.rows, sort).toHaveLength(skip ? 0 : 3);
      }
    const f: InvoiceFilter = { subsidiaries: true, from: null, to: null, defaultRange: false, q: '', errors: {} };
    for (const page of [1, 9]) {
      const rec = recordingPool(db.pool);
      const list = { q: '', sort: 'date' as const, dir: 'desc' as const, page, perPage: 4, skip: (page - 1) * 4 };
      const found = await listInvoices(db.prisma, main, f, list, rec.pool);
      expect(rec.sent).toHaveLength(1);
      expect(found.total).toBe(12);
      expect(found.rows).toHaveLength(page === 1 ? 4 : 0);
    }
  });

  it('reads the ticket list in one statement when every group fits a page, two otherwise', async () => {
    const q = (over: Partial<TicketListQuery>): TicketListQuery => ({
      status: 'all',
      reopenCutoff: cutoff,
      org: null,
      q: '',
      dir: 'desc',
      pages: {},
      ...over,
    });
    for (const [query, statements] of [
      [q({}), 2],
      [q({ status: 'current' }), 2],
      [q({ status: 'IN_PROGRESS' }), 1],
      [q({ org: foreignOrgId }), 1],
    ] as const) {
      const rec = recordingPool(db.pool);
      const list = await listTickets(db.prisma, main, query, rec.pool);
      expect(rec.sent, JSON.stringify(query)).toHaveLength(statements);
      expect(list).toEqual(await listTickets(db.prisma, main, query));
    }
  });
});

describe('organisations list on the pool', () => {
  it('gives what Prisma gives for both directions, the filters and pages, in one statement, an empty page with its total', async () => {
    // More subsidiaries: one with a name that is already there (the id decides), an inactive one.
    for (const [name, active] of [
      ['Dochter', true],
      ['Zuid', true],
      ['Oud', false],
    ] as const)
      await makeOrg(db.prisma, { name, parentId: main.organizationId, active });
    const me = (await loadActor(db.prisma, main.id, 0))!;
    expect(me.orgIds).toHaveLength(5);
    for (const active of [null, true, false])
      for (const q of ['', 'dochter', '50%'])
        for (const dir of ['asc', 'desc'] as const)
          for (const [perPage, page] of [
            [25, 1],
            [2, 2],
            [2, 9],
          ] as const) {
            const list = { q, sort: 'name' as const, dir, page, perPage, skip: (page - 1) * perPage };
            const viaPrisma = await listOrganisations(db.prisma, me, list, { active });
            const rec = recordingPool(db.pool);
            const viaPool = await listOrganisations(db.prisma, me, list, { active }, rec.pool);
            expect(viaPool).toEqual(viaPrisma);
            expect(rec.sent).toHaveLength(1);
            expect(viaPool.rows.map((r) => r.name)).not.toContain('Vreemd');
          }
    const past = await listOrganisations(
      db.prisma,
      me,
      { q: '', sort: 'name', dir: 'asc', page: 9, perPage: 2, skip: 16 },
      { active: null },
      db.pool,
    );
    expect(past).toEqual({ total: 5, rows: [] });
  });
});
