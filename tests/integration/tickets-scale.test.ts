import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, logIn, testApp, TestClock, visibleText } from '../support/app.js';
import { makePerson, PASSWORD } from '../support/factories.js';
import { explainSent, recordingPool } from '../support/plans.js';
import { loadActor, type Actor } from '../../src/auth/actor.js';
import { listTickets, type TicketListQuery } from '../../src/features/tickets/service.js';

/**
 * The scale: 200,000 tickets over 2,000 organisations, one of them with 20,000.
 * The grouped list and its counts must come from the indexes (no sequential scan of tickets)
 * and the page must stay fast. Timings are printed for the report.
 */
let db: TestDb;
let app: Express;
let bigOrg: number;
let reporterId: number;
const timings: string[] = [];

/** "Now" for the data and the app: a fixed moment, never the real clock. */
const NOW = new Date(Date.UTC(2026, 11, 7, 12));
const NOW_SQL = `'${NOW.toISOString()}'::timestamptz`;
/** The reopen period's start ("actueel" holds tickets resolved since). */
const CUTOFF = new Date(NOW.getTime() - 14 * 86_400_000);

// About 8% are current, spread over the seven open statuses; the rest is resolved history.
const STATUS_OF = `(CASE WHEN g % 12 = 0 THEN (ARRAY['NEW','IN_PROGRESS','WAITING_CUSTOMER','WAITING_SUPPLIER','SUPPORT_DESK_ACTION','PLANNED_INTERNAL','PLANNED_EXTERNAL'])[1 + (g / 12) % 7] ELSE 'RESOLVED' END)::ticket_status`;

/**
 * Inserts `count` tickets for the organisation expression `org` (over g); resolved ones over the
 * past year (a few within the 14 reopen days).
 */
const insertTickets = (where: string, org: string, count: number, reporter: string) =>
  db.pool
    .query(`INSERT INTO tickets (organization_id, reporter_id, title, kind, status, helpdesk, channel, reported_at, deadline, customer_reference, resolved_at)
       SELECT ${org}, ${reporter}, (ARRAY['Storing telefonie','Internet verbinding valt weg','Snom instellen','Headset defect','Wachtwoord vergeten'])[1 + g % 5] || ' ' || g,
              'INCIDENT', ${STATUS_OF}, 'Support Vtel', 'PORTAL', ${NOW_SQL} - make_interval(mins => g), ${NOW_SQL}::date, CASE WHEN g % 50 = 0 THEN 'REF-' || g END,
              CASE WHEN g % 12 = 0 THEN NULL ELSE ${NOW_SQL} - make_interval(days => g % 365) END
       FROM generate_series(1, ${count}) g ${where}`);

const CURRENT = `('NEW','IN_PROGRESS','WAITING_CUSTOMER','WAITING_SUPPLIER','SUPPORT_DESK_ACTION','PLANNED_INTERNAL','PLANNED_EXTERNAL')`;

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db, { clock: new TestClock(NOW.getTime()) }));
  const started = performance.now();
  const q = (sql: string, params: unknown[] = []) => db.pool.query(sql, params);
  const { rows } = await q(
    `INSERT INTO organizations (name) SELECT 'Organisatie ' || g FROM generate_series(1, 2000) g RETURNING id`,
  );
  const ids: number[] = rows.map((r: { id: number }) => r.id).sort((a: number, b: number) => a - b);
  bigOrg = ids[0]!;
  const reporter = await makePerson(db.prisma, bigOrg, {
    roles: ['PORTAL_ACCESS', 'MANAGE_OWN_TICKETS', 'MANAGE_ORG_TICKETS'],
  });
  reporterId = reporter.id;
  // 20,000 for the big organisation (2,000 of them by one person), 180,000 over the other 1,999.
  await insertTickets('', String(bigOrg), 20_000, `CASE WHEN g % 10 = 0 THEN ${reporterId} END`);
  await insertTickets('', `${ids[1]} + (g % 1999)`, 180_000, 'NULL');
  await q('VACUUM ANALYZE tickets');
  timings.push(`generated 200,000 tickets in ${(performance.now() - started).toFixed(0)} ms`);
}, 300_000);

afterAll(async () => {
  console.log(`tickets at scale:\n  ${timings.join('\n  ')}`);
  await db.drop();
});

async function explain(sql: string, params: unknown[]): Promise<string> {
  const { rows } = await db.pool.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
  return rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
}

describe('the grouped ticket list at 200,000 tickets', () => {
  it('has the volume the issue names', async () => {
    const { rows } = await db.pool.query(
      'SELECT count(*)::int AS n, count(DISTINCT organization_id)::int AS orgs, count(*) FILTER (WHERE organization_id = $1)::int AS big FROM tickets',
      [bigOrg],
    );
    expect(rows[0]).toEqual({ n: 200_000, orgs: 2_000, big: 20_000 });
  });

  it('counts per status for an organisation with one GROUP BY from the index (no sequential scan)', async () => {
    const plan = await explain(`SELECT status, count(*) FROM tickets WHERE organization_id = ANY($1) GROUP BY status`, [
      [bigOrg],
    ]);
    timings.push(`counts, all statuses, 20,000-ticket organisation:\n${plan.replace(/^/gm, '    ')}`);
    expect(plan).toMatch(/Index Only Scan using tickets_organization_id_status_/);
    expect(plan).not.toMatch(/Seq Scan on tickets/);
  });

  it('counts "Status: actueel" (open, plus resolved within the reopen period) from one index, without the table', async () => {
    // As Prisma sends it: each status a CAST of a text parameter, which PostgreSQL does not fold
    // into a constant (enum input is not immutable), so only an index holding every column of
    // the filter keeps the count off the table.
    const cast = (n: number) => `CAST($${n}::text AS ticket_status)`;
    const open = [
      'NEW',
      'IN_PROGRESS',
      'WAITING_CUSTOMER',
      'WAITING_SUPPLIER',
      'SUPPORT_DESK_ACTION',
      'PLANNED_INTERNAL',
      'PLANNED_EXTERNAL',
    ];
    const plan = await explain(
      `SELECT status, count(*) FROM tickets WHERE organization_id = ANY($1) AND (status IN (${open.map((_s, i) => cast(i + 3)).join(', ')})
         OR (status = ${cast(10)} AND resolved_at >= $2) OR (status = ${cast(10)} AND resolved_at IS NULL AND updated_at >= $2)) GROUP BY status`,
      [[bigOrg], CUTOFF, ...open, 'RESOLVED'],
    );
    timings.push(`counts, actueel, 20,000-ticket organisation:\n${plan.replace(/^/gm, '    ')}`);
    expect(plan).toMatch(/Index Only Scan using tickets_organization_id_status_resolved_at_updated_at_idx/);
    expect(plan).not.toMatch(/Seq Scan on tickets|Bitmap Heap Scan on tickets/);
  });

  it("counts for one person's own tickets from the reporter index", async () => {
    const plan = await explain(
      `SELECT status, count(*) FROM tickets WHERE reporter_id = $1 AND organization_id = ANY($2) AND status IN ${CURRENT} GROUP BY status`,
      [reporterId, [bigOrg]],
    );
    timings.push(`counts, own tickets:\n${plan.replace(/^/gm, '    ')}`);
    expect(plan).toMatch(/tickets_reporter_id_status_reported_at_id_idx/);
    expect(plan).not.toMatch(/Seq Scan on tickets/);
  });

  it('reads one page of the biggest group (Afgehandeld, ~18,000 rows) from the index, deep pages included', async () => {
    for (const offset of [0, 25 * 399]) {
      const plan = await explain(
        `SELECT id, title, status, reported_at FROM tickets WHERE organization_id = $1 AND status = 'RESOLVED' ORDER BY reported_at DESC, id DESC LIMIT 25 OFFSET ${offset}`,
        [bigOrg],
      );
      timings.push(`page at offset ${offset} of Afgehandeld:\n${plan.replace(/^/gm, '    ')}`);
      // The first page reads 25 index entries in order; a deep page may prefer a bitmap scan of
      // the group and a sort (about 10 ms for 18,000 rows), still from the index.
      if (offset === 0)
        expect(plan).toMatch(/Index Scan Backward using tickets_organization_id_status_reported_at_id_idx/);
      expect(plan).toMatch(/tickets_organization_id_status_/);
      expect(plan).not.toMatch(/Seq Scan on tickets/);
    }
  });

  it('searches title and customer reference with the trigram indexes', async () => {
    const plan = await explain(
      `SELECT status, count(*) FROM tickets WHERE organization_id = ANY($1) AND (title ILIKE $2 OR customer_reference ILIKE $2) GROUP BY status`,
      [[bigOrg], '%headset defect 1999%'],
    );
    timings.push(`search counts:\n${plan.replace(/^/gm, '    ')}`);
    expect(plan).not.toMatch(/Seq Scan on tickets/);
  });

  it('serves the list page for the 20,000-ticket organisation (timings printed), counts matching the database', async () => {
    const agent = client(app);
    expect(
      (await logIn(agent, (await db.prisma.contact.findUniqueOrThrow({ where: { id: reporterId } })).email!, PASSWORD))
        .status,
    ).toBe(302);
    await agent.get('/tickets'); // warm up
    for (const url of [
      '/tickets',
      '/tickets?status=all',
      '/tickets?status=all&page_RESOLVED=200',
      '/tickets?q=headset',
    ]) {
      const started = performance.now();
      const res = await agent.get(url);
      const ms = performance.now() - started;
      timings.push(`GET ${url}: ${ms.toFixed(0)} ms`);
      expect(res.status).toBe(200);
    }
    // The service alone (queries, no rendering), for the report.
    const actor = (await loadActor(db.prisma, reporterId, 0))!;
    for (const status of ['current', 'all'] as const) {
      const started = performance.now();
      await listTickets(db.prisma, actor, {
        status,
        reopenCutoff: CUTOFF,
        org: null,
        watching: false,
        q: '',
        dir: 'desc',
        pages: {},
      });
      timings.push(`listTickets(${status}) without rendering: ${(performance.now() - started).toFixed(0)} ms`);
    }
    const all = visibleText((await agent.get('/tickets?status=all')).text);
    expect(all).toContain('20000 gevonden');
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS n FROM tickets WHERE organization_id = $1 AND status = 'RESOLVED'`,
      [bigOrg],
    );
    expect(all).toContain(`Afgehandeld (${rows[0].n})`);

    // "Actueel" with groups too big for one query (each group its own page): per status the
    // count and the first page are what the rule says, recently resolved tickets included.
    const cutoff = CUTOFF;
    // Resolved two months ago, except 30 (two days ago, and not the most recently reported).
    await db.pool.query(
      `UPDATE tickets SET resolved_at = ${NOW_SQL} - interval '60 days' WHERE organization_id = $1 AND status = 'RESOLVED'`,
      [bigOrg],
    );
    await db.pool.query(
      `UPDATE tickets SET resolved_at = ${NOW_SQL} - interval '2 days' WHERE id IN (SELECT id FROM tickets WHERE organization_id = $1 AND status = 'RESOLVED' ORDER BY reported_at, id LIMIT 30)`,
      [bigOrg],
    );
    const manager = actor;
    const current = await listTickets(db.prisma, manager, {
      status: 'current',
      reopenCutoff: cutoff,
      org: bigOrg,
      watching: false,
      q: '',
      dir: 'desc',
      pages: {},
    });
    const expected = await db.pool.query(
      `SELECT status::text, count(*)::int AS n FROM tickets WHERE organization_id = $1
         AND (status <> 'RESOLVED' OR resolved_at >= $2 OR (resolved_at IS NULL AND updated_at >= $2)) GROUP BY status`,
      [bigOrg, cutoff],
    );
    expect(Object.fromEntries(current.groups.map((g) => [g.status, g.count]))).toEqual(
      Object.fromEntries(expected.rows.map((r) => [r.status, r.n])),
    );
    expect(current.groups.some((g) => g.count > 25)).toBe(true);
    const resolved = current.groups.find((g) => g.status === 'RESOLVED')!;
    expect(resolved.count).toBe(30);
    for (const g of current.groups) expect(g.rows.every((r) => r.status === g.status)).toBe(true);
    const shown = await db.pool.query(
      `SELECT count(*)::int AS n FROM tickets WHERE id = ANY($1) AND (resolved_at >= $2 OR (resolved_at IS NULL AND updated_at >= $2))`,
      [resolved.rows.map((r) => r.id), cutoff],
    );
    expect(resolved.rows).toHaveLength(25);
    expect(shown.rows[0].n).toBe(25);
  });
});

describe("the list page's statements on the pool, for a customer with 25 subsidiaries (10x data's demo customer)", () => {
  let manager: Actor;
  let inScope: number;

  beforeAll(async () => {
    // 5,000 tickets of the customer's own and 200 in each subsidiary, most of them resolved: the
    // bench's demo customer at 10x data. Its Afgehandeld group (about 9,000) is the one that
    // was sorted whole for every page.
    const q = (sql: string, params: unknown[] = []) => db.pool.query(sql, params);
    const root: number = (await q(`INSERT INTO organizations (name) VALUES ('Concern') RETURNING id`)).rows[0].id;
    const subs: number[] = (
      await q(
        `INSERT INTO organizations (parent_id, name) SELECT $1, 'Vestiging ' || g FROM generate_series(1, 25) g RETURNING id`,
        [root],
      )
    ).rows.map((r: { id: number }) => r.id);
    await insertTickets('', String(root), 5_000, 'NULL');
    await insertTickets('', `(ARRAY[${subs.join(',')}])[1 + g % 25]`, 5_000, 'NULL');
    await q('VACUUM ANALYZE tickets');
    const person = await makePerson(db.prisma, root, {
      roles: ['PORTAL_ACCESS', 'MANAGE_ORG_TICKETS', 'SUBSIDIARY_ACCESS'],
    });
    manager = (await loadActor(db.prisma, person.id, 0))!;
    inScope = 10_000;
  }, 120_000);

  const query = (over: Partial<TicketListQuery>): TicketListQuery => ({
    status: 'current',
    reopenCutoff: CUTOFF,
    org: null,
    watching: false,
    q: '',
    dir: 'desc',
    pages: {},
    ...over,
  });

  it('reads each status group as a top-N per organisation: no sort of a whole group, O(organisations x page) rows read, in two statements', async () => {
    expect(manager.orgIds).toHaveLength(26);
    const cases: [string, TicketListQuery][] = [
      ['actueel', query({})],
      ['alle', query({ status: 'all' })],
      ['alle, Afgehandeld page 40', query({ status: 'all', pages: { RESOLVED: 40 } })],
      ['alle, oldest first', query({ status: 'all', dir: 'asc' })],
      ['Afgehandeld', query({ status: 'RESOLVED' })],
    ];
    for (const [label, q] of cases) {
      const rec = recordingPool(db.pool);
      const list = await listTickets(db.prisma, manager, q, rec.pool);
      expect(list.total, label).toBeGreaterThan(25);
      // The counts with (for a small list) its rows, then every group's page: two statements.
      expect(rec.sent, label).toHaveLength(2);
      const skip = ((q.pages.RESOLVED ?? 1) - 1) * 25;
      for (const sent of rec.sent)
        for (const generic of [false, true]) {
          const plan = await explainSent(db.pool, sent, { table: 'tickets', orderedBy: 'reported_at' }, generic);
          timings.push(
            `pool, ${label}${generic ? ' (generic plan)' : ''}: ${plan.ms.toFixed(1)} ms\n${plan.text.replace(/^/gm, '    ')}`,
          );
          const what = `${label}, ${generic ? 'generic' : 'custom'} plan`;
          expect(plan.scans, what).not.toContain('Seq Scan');
          // The counts read the index only; rows come from the table only for the pages: at most
          // each of the 26 organisations' first skip + 25 per group, never a whole group.
          expect(plan.heapRows, what).toBeLessThanOrEqual(26 * (skip + 25) * 8);
          expect(plan.largestSort, what).toBeLessThanOrEqual(26 * (skip + 25));
        }
    }
    // What the merge read is what one sort of the group would give (list-reads.test.ts compares every case).
    const all = await listTickets(db.prisma, manager, query({ status: 'all', pages: { RESOLVED: 3 } }));
    const viaPool = await listTickets(db.prisma, manager, query({ status: 'all', pages: { RESOLVED: 3 } }), db.pool);
    expect(viaPool).toEqual(all);
    expect(all.total).toBe(inScope);
  }, 120_000);
});
