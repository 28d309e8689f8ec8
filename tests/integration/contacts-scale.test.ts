import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../../src/db/client.js';
import { loadActor, type Actor } from '../../src/auth/actor.js';
import { parseFilters } from '../../src/features/contacts/schema.js';
import {
  CONTACT_SORTS,
  countSql,
  listContacts,
  emailsSql,
  mainContactsSql,
  pageSql,
  selectedOrgIds,
  type ScopeOrg,
} from '../../src/features/contacts/list.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, logIn, testApp } from '../support/app.js';
import { makePerson, PASSWORD } from '../support/factories.js';
import { makeLargeCustomer } from '../support/contacts-factories.js';
import { explainSent, recordingPool } from '../support/plans.js';

let db: TestDb;
let actor: Actor;
let orgs: readonly ScopeOrg[];
let email: string;
/** The main contact of the other customer (a root and 20 subsidiaries, 5,000 contacts). */
let other: Actor;

beforeAll(async () => {
  db = await createTestDb();
  // Other customers share the table (a portal is multi-tenant), then the large one.
  const andere = await makeLargeCustomer(db.prisma, { subsidiaries: 20, contacts: 5_000, name: 'Andere klant' });
  const big = await makeLargeCustomer(db.prisma, { subsidiaries: 200, contacts: 20_000 });
  // What the web-access mark reads per row: the portal role of everyone with web access, open
  // invitations for some, a linked login for a few (the list stays one query, see list.ts).
  await db.prisma
    .$executeRaw`INSERT INTO contact_roles (contact_id, role) SELECT id, r::role FROM contacts, unnest(ARRAY['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA']) r WHERE web_access`;
  await db.prisma.$executeRaw`
    INSERT INTO password_tokens (contact_id, purpose, token_hash, expires_at)
    SELECT id, 'INVITE', md5(id::text), now() + interval '3 days' FROM contacts WHERE web_access AND id % 4 = 0`;
  await db.prisma.$executeRaw`
    INSERT INTO external_logins (contact_id, provider, subject) SELECT id, 'GOOGLE', 'sub-' || id FROM contacts WHERE web_access AND id % 7 = 0`;
  await db.prisma.$executeRawUnsafe('VACUUM ANALYZE contact_roles');
  await db.prisma.$executeRawUnsafe('VACUUM ANALYZE password_tokens');
  await db.prisma.$executeRawUnsafe('VACUUM ANALYZE external_logins');
  const main = await makePerson(db.prisma, big.rootId, { main: true, roles: [] });
  email = main.email!;
  actor = (await loadActor(db.prisma, main.id, main.sessionEpoch))!;
  const otherMain = await makePerson(db.prisma, andere.rootId, { main: true, roles: [] });
  other = (await loadActor(db.prisma, otherMain.id, otherMain.sessionEpoch))!;
  orgs = actor.orgs;
}, 120_000);
afterAll(() => db.drop());

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}
const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

async function explain(sql: Prisma.Sql): Promise<{ ms: number; seqScans: string[]; indexes: string[] }> {
  const [row] = await db.prisma.$queryRaw<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }] }[]>(
    Prisma.sql`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`,
  );
  const plan = row!['QUERY PLAN'][0];
  const all = nodes(plan.Plan);
  return {
    ms: plan['Execution Time'],
    seqScans: all
      .filter(
        (n) =>
          n['Node Type'] === 'Seq Scan' &&
          ['contacts', 'contact_roles', 'password_tokens', 'external_logins'].includes(n['Relation Name'] ?? ''),
      )
      .map((n) => n['Relation Name']!),
    indexes: [...new Set(all.map((n) => n['Index Name']).filter((x): x is string => !!x))],
  };
}

const SELECTIONS: Record<string, Record<string, string>> = {
  'default (own organisation, actief ja, organisatie actief ja)': {},
  'with subsidiaries': { subs: '1' },
  'every organisation, every state': { org: 'all', active: 'all', orgActive: 'all' },
  'with subsidiaries, name search': { subs: '1', name: 'jansen' },
  'with subsidiaries, any-field search': { subs: '1', q: 'hengelo', active: 'all' },
  'with subsidiaries, inactive': { subs: '1', active: 'no' },
};

describe('the contacts list at scale (200 subsidiaries, 20,000 contacts, plus another customer)', () => {
  it('answers every sort, direction, filter, the count and a deep page from an index: no sequential scan of contacts (nor of what the web-access mark reads)', async () => {
    const report: string[] = [];
    const mainIds = orgs.map((o) => o.mainContactId).filter((x): x is number => x !== null);
    for (const [label, query] of Object.entries(SELECTIONS)) {
      const f = parseFilters(query, actor.organizationId);
      const orgIds = selectedOrgIds(actor, f);
      const count = await explain(countSql(orgIds, f));
      expect(count.seqScans, `${label}: count`).toEqual([]);
      report.push(`${label} | count | ${count.ms.toFixed(1)} ms | ${count.indexes.join(', ')}`);
      const emails = await explain(emailsSql(orgIds, f));
      expect(emails.seqScans, `${label}: e-mail addresses`).toEqual([]);
      report.push(`${label} | e-mail addresses | ${emails.ms.toFixed(1)} ms | ${emails.indexes.join(', ')}`);
      for (const sort of CONTACT_SORTS) {
        for (const dir of ['asc', 'desc'] as const) {
          for (const skip of [0, 500]) {
            // "Hoofdcontact" reads the main contacts, then the others by name (see readPage).
            const sqls =
              sort === 'main'
                ? [mainContactsSql(orgIds, mainIds, f, dir), pageSql(orgIds, mainIds, f, 'name', dir, 25, skip, true)]
                : [pageSql(orgIds, mainIds, f, sort, dir, 25, skip)];
            for (const sql of sqls) {
              const page = await explain(sql);
              expect(page.seqScans, `${label}: ${sort} ${dir} skip ${skip}`).toEqual([]);
              report.push(
                `${label} | ${sort} ${dir} skip ${skip} | ${page.ms.toFixed(1)} ms | ${page.indexes.join(', ')}`,
              );
            }
          }
        }
      }
    }
    console.log(report.join('\n'));
  }, 120_000);

  it('serves the list page with subsidiaries through the app (timings printed)', async () => {
    const { app } = testApp(db);
    const agent = client(app);
    expect((await logIn(agent, email, PASSWORD)).status).toBe(302);
    const times: string[] = [];
    for (const url of [
      '/contacts',
      '/contacts?subs=1',
      '/contacts?subs=1&sort=organization',
      '/contacts?subs=1&sort=main&page=40',
      '/contacts?org=all&active=all&orgActive=all&q=almelo',
    ]) {
      await agent.get(url); // the first request compiles the templates
      const t0 = performance.now();
      const res = await agent.get(url);
      times.push(`${url}: ${(performance.now() - t0).toFixed(0)} ms`);
      expect(res.status, url).toBe(200);
    }
    console.log(times.join('\n'));
  }, 60_000);

  it("reads the list page's one pool statement (page and count) by name as a top-N per organisation: no sort of the selection", async () => {
    const report: string[] = [];
    const cases: [string, Actor, Record<string, string>, number][] = [
      ['own organisation (about 100 contacts)', actor, {}, 1],
      ['20 active organisations (about 4,500 contacts)', other, { subs: '1' }, 20],
      ['21 organisations, every state (5,000 contacts)', other, { subs: '1', active: 'all', orgActive: 'all' }, 21],
    ];
    for (const [label, who, query, orgCount] of cases) {
      const f = parseFilters(query, who.organizationId);
      expect(selectedOrgIds(who, f), label).toHaveLength(orgCount);
      for (const dir of ['asc', 'desc'] as const)
        for (const skip of [0, 50]) {
          const rec = recordingPool(db.pool);
          const page = await listContacts(db.prisma, who, f, { sort: 'name', dir, take: 25, skip }, rec.pool);
          expect(page.total, label).toBeGreaterThan(skip + 25);
          expect(rec.sent, label).toHaveLength(1);
          for (const generic of [false, true]) {
            const plan = await explainSent(
              db.pool,
              rec.sent[0]!,
              { table: 'contacts', orderedBy: 'last_name' },
              generic,
            );
            const what = `${label}, ${dir}, skip ${skip}, ${generic ? 'generic' : 'custom'} plan`;
            report.push(`${what}: ${plan.ms.toFixed(1)} ms, sorted ${plan.largestSort}, read ${plan.heapRows}`);
            expect(plan.scans, what).not.toContain('Seq Scan');
            // Each organisation gives at most skip + 25 live rows (its inactive ones skipped on the way).
            expect(plan.largestSort, what).toBeLessThanOrEqual(orgCount * (skip + 25));
            expect(plan.heapRows, what).toBeLessThanOrEqual(orgCount * (skip + 25) * 1.2 + 25);
          }
        }
    }
    // A search reads its matches from the trigram index once, for the count and the page both.
    for (const generic of [false, true]) {
      const search = parseFilters({ subs: '1', q: 'hengelo', active: 'all' }, actor.organizationId);
      const rec = recordingPool(db.pool);
      const found = await listContacts(
        db.prisma,
        actor,
        search,
        { sort: 'name', dir: 'asc', take: 25, skip: 0 },
        rec.pool,
      );
      expect(found.total).toBeGreaterThan(25);
      expect(rec.sent).toHaveLength(1);
      const plan = await explainSent(db.pool, rec.sent[0]!, { table: 'contacts', orderedBy: 'last_name' }, generic);
      report.push(`any-field search, ${generic ? 'generic' : 'custom'} plan: ${plan.ms.toFixed(1)} ms`);
      expect(plan.scans).not.toContain('Seq Scan');
      expect(plan.text.match(/Bitmap Index Scan on contacts_any_field_trgm_idx/g)).toHaveLength(1);
    }
    console.log(report.join('\n'));
  }, 120_000);
});
