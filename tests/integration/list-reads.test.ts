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
