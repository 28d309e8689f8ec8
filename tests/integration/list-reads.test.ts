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

/**
 * The list pages' hot reads run on the pg pool (src/db/read.ts) when the services have it and
 * through Prisma otherwise: both must give the very same rows, in the same order, with the
 * same types (Decimal amounts, UTC-midnight days), and stay inside the person's scope.
 */
let db: TestDb;
let main: Actor;
let foreignOrgId: number;

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
