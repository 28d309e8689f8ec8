/**
 * Invoice numbers rise with the invoice date and organisations interleave, as in real life.
 *
 * Scale check of the invoice list: 500,000 invoices across 2,000 organisations, then the
 * list's queries (date range, each sort, a deep page) with EXPLAIN ANALYZE and the real
 * service's timing. `npx tsx scripts/bench-invoices.ts` (a throw-away embedded PostgreSQL),
 * or BENCH_DATABASE_URL=postgres://... for a server where the user may create databases.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embedded.js';
import { migrate } from '../src/db/migrator.js';
import { openDb } from '../src/db/client.js';
import { listInvoices, type InvoiceSort } from '../src/features/invoices/service.js';
import type { InvoiceFilter } from '../src/features/invoices/filters.js';
import { PER_PAGE } from '../src/http/list.js';
import { ROLES } from '../src/auth/roles.js';

const ORGS = 2000;
const CHAIN = 50; // organisation 1 and its 49 subsidiaries
const BIG_SHARE = 5; // every 5th invoice is organisation 1's: 100,000 invoices
const TOTAL = 500_000;

async function main() {
  let server: EmbeddedServer | undefined;
  let dir: string | undefined;
  let admin = process.env.BENCH_DATABASE_URL;
  if (!admin) {
    dir = mkdtempSync(path.join(tmpdir(), 'pim-bench-'));
    server = await startEmbeddedPostgres({
      dir: path.join(dir, 'data'),
      port: 56000 + Math.floor(Math.random() * 2000),
      persistent: false,
    });
    admin = server.url('postgres');
  }
  const u = new URL(admin);
  const name = `pim_bench_${Date.now()}`;
  const a = new pg.Client({ connectionString: admin });
  await a.connect();
  await a.query(`CREATE DATABASE ${name}`);
  u.pathname = `/${name}`;
  const url = u.toString();
  await migrate(url);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const time = async (label: string, sql: string) => {
    const t = Date.now();
    await c.query(sql);
    console.log(`${label}: ${Date.now() - t} ms`);
  };
  try {
    await time(
      `${ORGS} organisations`,
      `
      INSERT INTO organizations (id, parent_id, name, updated_at)
      SELECT i, CASE WHEN i BETWEEN 2 AND ${CHAIN} THEN 1 END, 'Organisatie ' || i, now() FROM generate_series(1, ${ORGS}) i;
      SELECT setval('organizations_id_seq', ${ORGS});`,
    );
    await time(
      `${TOTAL} invoices`,
      `
      INSERT INTO invoices (number, organization_id, title, invoice_date, amount_excl_vat, vat_amount, organization_name)
      SELECT 1000000 + i,
             CASE WHEN i % ${BIG_SHARE} = 0 THEN 1 ELSE 2 + (i % ${ORGS - 1}) END,
             (ARRAY['Maandfactuur','Levering','Reparatie','Helpdesk','Abonnement'])[1 + i % 5] || ' ' || i,
             DATE '2015-01-01' + (i::bigint * 4018 / ${TOTAL})::int,
             ((i::bigint * 104729) % 500000) / 100.0, round(((i::bigint * 104729) % 500000) / 100.0 * 0.21, 2),
             'Organisatie ' || CASE WHEN i % ${BIG_SHARE} = 0 THEN 1 ELSE 2 + (i % ${ORGS - 1}) END
      FROM generate_series(1, ${TOTAL}) i`,
    );
    await time('ANALYZE', 'ANALYZE');

    const db = openDb(url, 2);
    const half = { from: new Date(Date.UTC(2024, 0, 1)), to: new Date(Date.UTC(2024, 5, 30)) };
    const chain = Array.from({ length: CHAIN }, (_, i) => i + 1);
    const cases: {
      label: string;
      orgIds: number[];
      range: boolean;
      sort: InvoiceSort;
      dir: 'asc' | 'desc';
      page: number;
    }[] = [
      {
        label: 'big org, half year, number desc, page 1',
        orgIds: [1],
        range: true,
        sort: 'number',
        dir: 'desc',
        page: 1,
      },
      {
        label: 'big org, half year, number desc, page 180',
        orgIds: [1],
        range: true,
        sort: 'number',
        dir: 'desc',
        page: 180,
      },
      {
        label: 'big org, half year, title asc, page 180',
        orgIds: [1],
        range: true,
        sort: 'title',
        dir: 'asc',
        page: 180,
      },
      {
        label: 'big org, half year, amount desc, page 180',
        orgIds: [1],
        range: true,
        sort: 'amount',
        dir: 'desc',
        page: 180,
      },
      {
        label: 'chain of 50 orgs, half year, date asc, page 200',
        orgIds: chain,
        range: true,
        sort: 'date',
        dir: 'asc',
        page: 200,
      },
      {
        label: 'big org, all dates, number desc, page 400 (deepest)',
        orgIds: [1],
        range: false,
        sort: 'number',
        dir: 'desc',
        page: 400,
      },
      {
        label: 'big org, all dates, title asc, page 400 (deepest)',
        orgIds: [1],
        range: false,
        sort: 'title',
        dir: 'asc',
        page: 400,
      },
      {
        label: 'small org, all dates, orgName asc, page 1',
        orgIds: [777],
        range: false,
        sort: 'orgName',
        dir: 'asc',
        page: 1,
      },
    ];
    const col: Record<InvoiceSort, string> = {
      number: 'number',
      title: 'title',
      date: 'invoice_date',
      amount: 'amount_excl_vat',
      orgName: 'organization_name',
    };
    for (const k of cases) {
      const filter: InvoiceFilter = {
        subsidiaries: true,
        from: k.range ? half.from : null,
        to: k.range ? half.to : null,
        defaultRange: k.range,
        q: '',
        errors: {},
      };
      // A person of the first organisation, with the others as a chain of subsidiaries below it.
      const orgs = k.orgIds.map((id, i) => ({
        id,
        name: '',
        parentId: i ? k.orgIds[i - 1]! : null,
        active: true,
        mainContactId: null,
      }));
      const actor = {
        id: 0,
        organizationId: k.orgIds[0]!,
        organizationName: '',
        firstName: null,
        displayName: '',
        email: '',
        isMainContact: true,
        reportsInContract: true,
        roles: new Set(ROLES),
        orgIds: k.orgIds,
        orgs,
        sessionEpoch: 0,
      };
      const list = { q: '', sort: k.sort, dir: k.dir, page: k.page, perPage: PER_PAGE, skip: (k.page - 1) * PER_PAGE };
      await listInvoices(db.prisma, actor, filter, list); // warm
      const t = performance.now();
      const { total } = await listInvoices(db.prisma, actor, filter, list);
      const ms = performance.now() - t;
      const where = `organization_id IN (${k.orgIds.join(',')})${k.range ? ` AND invoice_date >= '2024-01-01' AND invoice_date <= '2024-06-30'` : ''}`;
      const order = k.sort === 'number' ? `number ${k.dir}` : `${col[k.sort]} ${k.dir}, number ${k.dir}`;
      const plan = await c.query(
        `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) SELECT id, number, title, invoice_date, amount_excl_vat, vat_amount, organization_name FROM invoices WHERE ${where} ORDER BY ${order} LIMIT ${PER_PAGE} OFFSET ${list.skip}`,
      );
      const count = await c.query(
        `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) SELECT count(*) FROM invoices WHERE ${where}`,
      );
      const lines = (r: pg.QueryResult) =>
        r.rows.map((x: Record<string, string>) => `    ${x['QUERY PLAN']}`).join('\n');
      console.log(
        `\n## ${k.label}: ${total} rows, listInvoices (page + count) ${ms.toFixed(1)} ms\n  page:\n${lines(plan)}\n  count:\n${lines(count)}`,
      );
      if (/Seq Scan on invoices/.test(lines(plan) + lines(count))) console.log('  !! sequential scan on invoices');
    }
    await db.close();
  } finally {
    await c.end();
    await a.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await a.end();
    if (server) await server.stop().catch(() => {});
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
