import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDb, type TestDb } from '../support/db.js';
import { seedDemo, DEMO_ORGANIZATION } from '../../src/demo/seed.js';
import { countRows, loadScaleData } from '../../scripts/bench/scale-data.js';

/**
 * The benchmark's data generator (npm run bench -- --scale N) at a small scale: the promised
 * counts, the demo organisation's share, rows that hang together, and the indexes rebuilt.
 */
let db: TestDb;
let c: pg.Client;
let indexesBefore: string[];

const indexes = async () =>
  (
    await c.query<{ def: string }>(
      `SELECT indexdef AS def FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname`,
    )
  ).rows.map((r) => r.def);

beforeAll(async () => {
  db = await createTestDb();
  await seedDemo(db.prisma);
  c = new pg.Client({ connectionString: db.url });
  await c.connect();
  indexesBefore = await indexes();
  await loadScaleData(c, 0.05);
}, 120_000);

afterAll(async () => {
  await c.end();
  await db.drop();
});

describe('bench scale data (scale 0.05 on the demo data)', () => {
  it('has scale x (200 organisations, 20,000 contacts, 200,000 invoices, 50,000 tickets) plus the demo rows', async () => {
    const { all, demo } = await countRows(c);
    // The demo: 2 organisations, 7 contacts, 8 invoices with a line each, 4 tickets, Jan's 11 and Lisa's 4 roles.
    expect(all).toMatchObject({
      organizations: 10,
      contacts: 1000 + 7,
      invoices: 10_000 + 8,
      invoice_lines: 10_000 + 8,
      tickets: 2500 + 4,
    });
    expect(all.ticket_notes).toBeGreaterThan(2000);
    expect(all.contact_roles).toBeGreaterThan(1000);
    // 1% of every table in the demo organisation itself, besides the demo's own rows.
    expect(demo).toEqual({ subsidiaries: 1, contacts: 6 + 10, invoices: 8 + 100, tickets: 4 + 25 });
  });

  it('builds organisation trees: main organisations with subsidiaries, every new main organisation with a main contact of its own', async () => {
    const { rows } = await c.query<{ mains: number; subs: number; mains_without_contact: number }>(
      `
      SELECT count(*) FILTER (WHERE parent_id IS NULL)::int AS mains, count(*) FILTER (WHERE parent_id IS NOT NULL)::int AS subs,
             count(*) FILTER (WHERE parent_id IS NULL AND main_contact_id IS NULL)::int AS mains_without_contact
        FROM organizations WHERE name <> $1`,
      [DEMO_ORGANIZATION],
    );
    expect(rows[0]!.mains).toBeGreaterThan(0);
    expect(rows[0]!.subs).toBeGreaterThan(rows[0]!.mains);
    expect(rows[0]!.mains_without_contact).toBe(0);
    const foreign = await c.query(
      `SELECT count(*)::int AS n FROM organizations o JOIN contacts m ON m.id = o.main_contact_id WHERE m.organization_id <> o.id`,
    );
    expect(foreign.rows[0].n).toBe(0);
  });

  it("keeps rows consistent: reporters and note authors of the ticket's organisation, invoice names of their organisation, lower-case unique addresses", async () => {
    const q = async (sql: string) => (await c.query(sql)).rows[0].n as number;
    expect(
      await q(
        `SELECT count(*)::int AS n FROM tickets t JOIN contacts r ON r.id = t.reporter_id WHERE r.organization_id <> t.organization_id`,
      ),
    ).toBe(0);
    expect(await q(`SELECT count(*)::int AS n FROM tickets WHERE reporter_id IS NULL`)).toBe(0);
    expect(
      await q(
        `SELECT count(*)::int AS n FROM ticket_notes n JOIN tickets t ON t.id = n.ticket_id JOIN contacts a ON a.id = n.author_id WHERE a.organization_id <> t.organization_id`,
      ),
    ).toBe(0);
    expect(
      await q(
        `SELECT count(*)::int AS n FROM invoices i JOIN organizations o ON o.id = i.organization_id WHERE i.organization_name <> o.name`,
      ),
    ).toBe(0);
    expect(
      await q(`SELECT count(*)::int AS n FROM tickets WHERE (status = 'RESOLVED') <> (resolved_at IS NOT NULL)`),
    ).toBe(0);
    expect(await q(`SELECT count(*)::int AS n FROM tickets WHERE status <> 'RESOLVED'`)).toBeGreaterThan(0);
    expect(await q(`SELECT count(DISTINCT email)::int - count(*)::int AS n FROM contacts`)).toBe(0);
  });

  it("spreads every organisation's invoices over the years, numbers rising with the date", async () => {
    const { rows } = await c.query(
      `
      SELECT min(invoice_date) AS first, max(invoice_date) AS last FROM invoices
       WHERE organization_id = (SELECT id FROM organizations WHERE name = $1) AND number >= 1000000`,
      [DEMO_ORGANIZATION],
    );
    expect(rows[0].first.getUTCFullYear()).toBe(2015);
    expect(rows[0].last.getUTCFullYear()).toBeGreaterThanOrEqual(new Date().getUTCFullYear() - 1);
    const disorder = await c.query(
      `SELECT count(*)::int AS n FROM invoices a JOIN invoices b ON b.number = a.number + 1 WHERE b.invoice_date < a.invoice_date AND a.number >= 1000000`,
    );
    expect(disorder.rows[0].n).toBe(0);
  });

  it('rebuilds exactly the indexes the migrations made', async () => {
    expect(await indexes()).toEqual(indexesBefore);
  });
});
