import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.js';
import { makePerson } from '../support/factories.js';
import { explainSent, recordingPool } from '../support/plans.js';
import { loadActor, type Actor } from '../../src/auth/actor.js';
import { Role } from '../../src/auth/roles.js';
import { INVOICE_SORTS, listInvoices } from '../../src/features/invoices/service.js';
import type { InvoiceFilter } from '../../src/features/invoices/filters.js';

/**
 * The invoices list page at the bench's 10x data for its demo customer: a root organisation
 * with 25 subsidiaries, 45,000 invoices, among 245,000. The page and its count are one pool
 * statement; over several organisations the page is a top-N per organisation, so no plan sorts
 * (or scans in order) the whole selection.
 */
let db: TestDb;
let manager: Actor;

beforeAll(async () => {
  db = await createTestDb();
  const q = (sql: string, params: unknown[] = []) => db.pool.query(sql, params);
  const root: number = (await q(`INSERT INTO organizations (name) VALUES ('Concern') RETURNING id`)).rows[0].id;
  const subs: number[] = (
    await q(
      `INSERT INTO organizations (parent_id, name) SELECT $1, 'Vestiging ' || g FROM generate_series(1, 25) g RETURNING id`,
      [root],
    )
  ).rows.map((r: { id: number }) => r.id);
  const others: number[] = (
    await q(`INSERT INTO organizations (name) SELECT 'Andere ' || g FROM generate_series(1, 100) g RETURNING id`)
  ).rows.map((r: { id: number }) => r.id);
  // Numbers rise with the dates and the organisations interleave (as the bench's generator does):
  // 9 in 49 for the customer (20,000 of its own, 1,000 per subsidiary), the rest for the others.
  const mine = `(ARRAY[${[...Array<number>(20).fill(root), ...subs].join(',')}]::int[])`;
  const theirs = `(ARRAY[${others.join(',')}]::int[])`;
  await q(
    `INSERT INTO invoices (number, organization_id, title, invoice_date, payment_term_days, amount_excl_vat, vat_amount, organization_name)
     SELECT 1000000 + i, CASE WHEN i % 49 < 9 THEN ${mine}[1 + (i / 49) % 45] ELSE ${theirs}[1 + i % 100] END,
            (ARRAY['Maandfactuur','Levering','Reparatie','Helpdesk'])[1 + i % 4] || ' ' || i,
            DATE '2015-01-01' + (i / 60), 30, (i % 50000) / 100.0, round((i % 50000) / 100.0 * 0.21, 2), 'Org ' || i % 7
       FROM generate_series(0, 244999) i`,
  );
  await q('VACUUM ANALYZE invoices');
  const person = await makePerson(db.prisma, root, { main: true, roles: [Role.SUBSIDIARY_ACCESS] });
  manager = (await loadActor(db.prisma, person.id, 0))!;
}, 120_000);

afterAll(() => db.drop());

const filter = (over: Partial<InvoiceFilter>): InvoiceFilter => ({
  subsidiaries: true,
  from: null,
  to: null,
  defaultRange: false,
  q: '',
  errors: {},
  ...over,
});

describe('the invoices list page at 10x data (26 organisations, 45,000 invoices)', () => {
  it("reads page and count in one pool statement, the page as a top-N per organisation for every sort: the count index-only, the page's rows bounded by organisations x page", async () => {
    expect(manager.orgIds).toHaveLength(26);
    const report: string[] = [];
    const cases: [string, InvoiceFilter][] = [
      ['all dates', filter({})],
      [
        'a half year',
        filter({ from: new Date(Date.UTC(2025, 0, 1)), to: new Date(Date.UTC(2025, 5, 30)), defaultRange: true }),
      ],
    ];
    for (const [label, f] of cases)
      for (const sort of INVOICE_SORTS)
        for (const dir of ['asc', 'desc'] as const)
          for (const page of [1, 5]) {
            const list = { q: '', sort, dir, page, perPage: 25, skip: (page - 1) * 25 };
            const rec = recordingPool(db.pool);
            const found = await listInvoices(db.prisma, manager, f, list, rec.pool);
            expect(found.total, label).toBeGreaterThan(list.skip + 25);
            expect(rec.sent).toHaveLength(1);
            expect(found).toEqual(await listInvoices(db.prisma, manager, f, list));
            for (const generic of [false, true]) {
              const orderedBy = {
                number: 'number',
                title: 'title',
                date: 'invoice_date',
                amount: 'amount',
                orgName: 'organization_name',
              }[sort];
              const plan = await explainSent(db.pool, rec.sent[0]!, { table: 'invoices', orderedBy }, generic);
              const what = `${label}, ${sort} ${dir}, page ${page}, ${generic ? 'generic' : 'custom'} plan`;
              report.push(`${what}: ${plan.ms.toFixed(1)} ms, sorted ${plan.largestSort}, read ${plan.heapRows}`);
              expect(plan.scans, what).not.toContain('Seq Scan');
              // Over all dates each organisation gives at most skip + 25 rows. Within a half year
              // a sort other than by date may read that half year's rows (about 2,000 here,
              // whatever the history): what no index orders, but bounded by the range, not the table.
              const bound = 26 * (list.skip + 25) + (f.from ? found.total : 0);
              expect(plan.largestSort, what).toBeLessThanOrEqual(bound);
              expect(plan.heapRows, what).toBeLessThanOrEqual(bound);
            }
          }
    console.log(report.join('\n'));
  }, 300_000);
});
