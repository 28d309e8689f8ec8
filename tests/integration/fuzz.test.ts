import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import http from 'node:http';
import type { Express } from 'express';
import request from 'supertest';
import { createTestDb, type TestDb } from '../support/db.js';
import { csrfFrom, logIn, testApp } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { makeDocument, makeInvoice } from '../support/invoices-factories.js';
import { makeTicket } from '../support/tickets-factories.js';
import { listRoutes, type RouteInfo } from '../support/routes.js';
import { ROLES } from '../../src/auth/roles.js';

/**
 * Property-based fuzzing of every route: for each route of the mounted router and each kind of
 * person (anonymous, every role, the main contact), requests with hostile values in every path
 * parameter, query parameter and form field. No answer may be a 5xx, and a refused write
 * (4xx) must leave the data unchanged. Seeded: FUZZ_SEED=<n> replays a run, FUZZ_RUNS=<n> sets
 * the requests per route (default 20, writes twice that), FUZZ_BUDGET_MS the time for all routes
 * (default 40 s: each route stops at its share, so the file stays under a minute on two cores).
 */
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2_147_483_647;
const RUNS = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : 20;
/** The time all routes together may take; each route gets its share (a busy machine runs fewer requests). */
const BUDGET_MS = process.env.FUZZ_BUDGET_MS ? Number(process.env.FUZZ_BUDGET_MS) : 40_000;

let db: TestDb;
let app: Express;
let settle: () => Promise<void>;
let server: http.Server;
/**
 * A client of the one server all requests go to. Not supertest's server per request: Node 20's
 * keep-alive agent then now and again reuses a pooled connection to a port whose server just
 * closed and was reopened by the next request (ECONNRESET, more often on a busy machine).
 */
const client = () => request.agent(server);
const agents: { name: string; agent: ReturnType<typeof client>; csrf: string; roles: readonly string[] }[] = [];
const ids: Record<string, number> = {};
let tables: string[] = [];
let textColumns: string[] = [];

/** Text columns holding a control character (NUL cannot be stored at all: it would have been a 500). */
async function controlCharacters(): Promise<string[]> {
  const rows = await db.prisma.$queryRawUnsafe<{ col: string }[]>(`${textColumns.join(' UNION ')} LIMIT 5`);
  return rows.map((r) => r.col);
}

beforeAll(async () => {
  db = await createTestDb();
  ({ app, settle } = testApp(db));
  server = http.createServer(app);
  // Longer than any pause between two requests: the server never closes a connection the client is about to reuse.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const org = await makeOrg(db.prisma, { reportsInContract: true });
  const sub = await makeOrg(db.prisma, { parentId: org.id, reportsInContract: true });
  const people = [
    ...ROLES.map((role) => ({ name: role, roles: ['PORTAL_ACCESS' as const, role] })),
    { name: 'main contact', roles: [], main: true },
  ];
  const victim = await makePerson(db.prisma, sub.id, { roles: ['PORTAL_ACCESS'] });
  const ticket = await makeTicket(db.prisma, org.id, { reporterId: victim.id });
  const invoice = await makeInvoice(db.prisma, org.id);
  const doc = await makeDocument(db.prisma, { kind: 'REPORT', organizationId: org.id });
  Object.assign(ids, {
    organisations: sub.id,
    contacts: victim.id,
    tickets: ticket.id,
    invoices: invoice.id,
    documents: doc.id,
    logins: 1,
  });
  agents.push({ name: 'anonymous', agent: client(), csrf: 'none', roles: [] });
  for (const p of people) {
    const person = await makePerson(db.prisma, org.id, { roles: p.roles, main: 'main' in p });
    const agent = client();
    expect((await logIn(agent, person.email!, PASSWORD)).status).toBe(302);
    agents.push({
      name: p.name,
      agent,
      csrf: csrfFrom((await agent.get('/')).text),
      roles: 'main' in p ? [...ROLES, 'MAIN_CONTACT'] : p.roles,
    });
  }
  const rows = await db.prisma.$queryRaw<{ t: string }[]>`
    SELECT table_name AS t FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT IN ('session', 'login_throttles', '_prisma_migrations')
    ORDER BY table_name`;
  tables = rows.map((r) => r.t);
  const cols = await db.prisma.$queryRaw<{ t: string; c: string }[]>`
    SELECT table_name AS t, column_name AS c FROM information_schema.columns
    WHERE table_schema = 'public' AND data_type IN ('text', 'character varying') AND table_name NOT IN ('session', '_prisma_migrations')`;
  textColumns = cols.map(
    (x) => `SELECT '${x.t}.${x.c}' AS col FROM "${x.t}" WHERE "${x.c}" ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]'`,
  );
  console.log(`fuzz: seed ${SEED} (replay with FUZZ_SEED=${SEED}), ${RUNS} requests per route`);
}, 120_000);
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await db.drop();
});

/** A checksum per table a write could touch (not sessions or throttle counters), as "table:md5|…". */
async function checksum(): Promise<string> {
  // A download is a read that leaves an audit event, written as its response ends (after it, for
  // a streamed one): those events are not writes the property judges.
  const where = (t: string) => (t === 'audit_events' ? ` WHERE x.kind NOT LIKE '%.downloaded'` : '');
  const parts = tables.map(
    (t) =>
      `'${t}:' || (SELECT coalesce(md5(string_agg(md5(x::text), ',' ORDER BY md5(x::text))), '') FROM "${t}" x${where(t)})`,
  );
  const [row] = await db.prisma.$queryRawUnsafe<{ sum: string }[]>(`SELECT concat_ws('|', ${parts.join(', ')}) AS sum`);
  return row!.sum;
}

/** The tables whose checksum differs between two checksum() results. */
function changedTables(a: string, b: string): string[] {
  const before = new Set(a.split('|'));
  return b
    .split('|')
    .filter((p) => !before.has(p))
    .map((p) => p.split(':')[0]!);
}

/** Raw, already-encoded fragments: broken percent-encoding, invalid UTF-8, NUL, odd encodings. */
const rawFragment = fc.constantFrom(
  '%',
  '%E0%A4%A',
  '%FF',
  '%C0%AF',
  '%ED%A0%80',
  '%00',
  '%1B%5B31m',
  '%C2%85',
  '%EF%BF%BF',
  '%0D%0A',
  '%09',
  '+',
  '%2B',
  '%25',
  '%252e%252e%252f',
  '..%2F..%2F',
  '%u0041',
  '%E2%80%AE',
  '%F0%9F%98%80',
  '%EF%BB%BF',
  '%3Cscript%3E',
  '%27%3B--',
);

/** Ordinary values a form or list might take: these let a request get past the edge. */
const plain = fc.oneof(
  fc.constantFrom(
    '',
    '0',
    '1',
    '-1',
    '2',
    'all',
    'asc',
    'desc',
    'ja',
    'nee',
    'yes',
    'no',
    'on',
    'NEW',
    'RESOLVED',
    'INCIDENT',
    'MANAGE_CONTACTS',
    'en',
    'nl',
    '1-7-2017',
    '2017-07-01',
    '/',
  ),
  fc.string({ maxLength: 20 }),
  fc.emailAddress(),
);

/** Decoded values of the wrong kind, too long, or with control characters. */
const hostile = fc.oneof(
  fc.constantFrom(
    ' ',
    '1e999',
    'NaN',
    '2147483648',
    '99999999999999999999',
    '0x10',
    'true',
    '[]',
    '{}',
    'null',
    '31-02-2017',
    '0000-00-00',
  ),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({
    unit: fc.constantFrom('\u0000', '\u001b', '\u0085', '\t', '\n', '\r', '\u007f', 'a', 'é', '\u2028', '\ufeff'),
    maxLength: 12,
  }),
  fc.constantFrom(300, 3_000).map((n) => 'x'.repeat(n)),
  fc.nat({ max: 2_000 }).map((n) => `${'a'.repeat(n)}@example.nl`),
);

/** One value as it goes on the wire: encoded, or with a raw fragment spliced in. */
const wireOf = (long: fc.Arbitrary<string>, plainWeight: number) =>
  fc.oneof(
    { weight: plainWeight, arbitrary: plain.map((v) => encode(v)) },
    {
      weight: 2,
      arbitrary: fc.oneof({ weight: 5, arbitrary: hostile }, { weight: 1, arbitrary: long }).map((v) => encode(v)),
    },
    { weight: 1, arbitrary: fc.tuple(plain, rawFragment).map(([v, f]) => encode(v) + f) },
  );
/** In a URL (whose headers stay under Node's 16 KB) and in a form body (up to 200 KB). */
const wire = wireOf(fc.constant('y'.repeat(1_200)), 12);
const bodyWire = wireOf(
  fc.constantFrom(20_000, 150_000).map((n) => 'z'.repeat(n)),
  5,
);

function encode(v: string): string {
  try {
    return encodeURIComponent(v);
  } catch {
    return '%ED%A0%80'; // a lone surrogate: encodeURIComponent refuses it, so send its UTF-8 bytes
  }
}

const QUERY_KEYS = [
  'q',
  'sort',
  'dir',
  'page',
  'org',
  'subs',
  'from',
  'to',
  'dates',
  'status',
  'active',
  'orgActive',
  'name',
  'kind',
  'person',
  'tab',
  'empty',
  'lang',
  'returnTo',
  'format',
  'page_NEW',
  'error',
  'code',
  'state',
];

/** Field names of the forms a route's page shows (the GET of the same path, or its /new, /edit). */
async function fieldsFor(path: string): Promise<string[]> {
  const main = agents.at(-1)!.agent;
  for (const candidate of [path, `${path}/new`, `${path}/edit`, path.replace(/\/notes$/, '/notes/new')]) {
    const res = await main.get(candidate);
    if (res.status === 200 && res.type === 'text/html') {
      const names = [...res.text.matchAll(/<(?:input|select|textarea|button)\b[^>]*\sname="([^"]+)"/g)]
        .map((m) => m[1]!)
        .filter((n) => n !== '_csrf');
      if (names.length) return [...new Set(names)];
    }
  }
  return ['username', 'password', 'email', 'title', 'body', 'optIn', 'roles'];
}

/** True when a person with `roles` passes the route's guard. */
function mayUse(roles: readonly string[], route: RouteInfo): boolean {
  if (route.access === 'PUBLIC' || route.access === undefined) return true;
  return [route.access].flat().some((r) => roles.includes(r));
}

function concrete(route: RouteInfo, param: (name: string, resource: string) => string): string {
  return route.path.replace(/:(\w+)/g, (_m, name: string) => param(name, route.path.split('/')[1] ?? ''));
}

/** Runs one route's property; a failure names the run's seed (FUZZ_SEED) and the route. */
async function assertWithSeed(route: RouteInfo, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    const e = err as Error;
    e.message = `fuzz failed: replay with FUZZ_SEED=${SEED} FUZZ_ROUTE="${route.method} ${route.path}"\n${e.message}`;
    throw e;
  }
}

describe('hostile requests against every route', () => {
  it('never answer 5xx, and a refused write changes nothing', async () => {
    const all = listRoutes(app).filter((r) => !['/logout'].includes(r.path));
    expect(all.length).toBeGreaterThan(20);
    // FUZZ_ROUTE="GET /path/:id" replays one route (with FUZZ_SEED, its runs are the same as in the full run).
    const routes = process.env.FUZZ_ROUTE ? all.filter((r) => `${r.method} ${r.path}` === process.env.FUZZ_ROUTE) : all;
    let requests = 0;
    const statuses: Record<number, number> = {};
    for (const route of routes) {
      const index = all.indexOf(route);
      const fields =
        route.method === 'POST'
          ? await fieldsFor(concrete(route, (_n, res) => String(ids[res === 'profile' ? 'logins' : res] ?? 1)))
          : [];
      // Mostly people who may use the route (so requests reach its code), sometimes anyone.
      const allowed = agents.map((a, i) => (mayUse(a.roles, route) ? i : -1)).filter((i) => i >= 0);
      const request = fc.record({
        who: allowed.length
          ? fc.oneof(
              { weight: 4, arbitrary: fc.constantFrom(...allowed) },
              { weight: 1, arbitrary: fc.nat({ max: agents.length - 1 }) },
            )
          : fc.nat({ max: agents.length - 1 }),
        params: fc.dictionary(fc.constant('id'), fc.oneof(fc.constant('valid'), wire), { maxKeys: 1 }),
        token: fc.oneof({ weight: 6, arbitrary: fc.constant('valid') }, { weight: 1, arbitrary: wire }),
        query: fc.array(
          fc.tuple(
            fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...QUERY_KEYS) }, { weight: 1, arbitrary: wire }),
            wire,
          ),
          { maxLength: 4 },
        ),
        body: fc.array(fc.tuple(fields.length ? fc.constantFrom(...fields) : fc.constant('x'), bodyWire), {
          maxLength: 8,
        }),
        cookie: fc.option(
          fc.tuple(
            fc.constantFrom('pim_device', 'pim_browser', 'pim.sid'),
            wire.filter((v) => v.length < 4_000),
          ),
          { freq: 5 },
        ),
        header: fc.option(
          fc.tuple(
            fc.constantFrom('Accept-Language', 'X-Request-Id', 'X-CSRF-Token'),
            fc.string({ maxLength: 200 }).map((s) => s.replace(/[^\x20-\x7e]/g, '?')),
          ),
          { freq: 3 },
        ),
      });
      const deadline = Date.now() + BUDGET_MS / all.length;
      await assertWithSeed(route, () =>
        fc.assert(
          fc.asyncProperty(request, async (r) => {
            // Past the route's share of time the remaining runs send nothing. Not fast-check's
            // interruptAfterTimeLimit: it abandons a request under way, which then goes on in the
            // background beside the next route's requests (connection resets, and its write landing
            // in another request's checksum).
            if (Date.now() > deadline) return;
            const person = agents[r.who]!;
            const path = concrete(route, (name, res) => {
              if (name === 'token') return r.params.id && r.params.id !== 'valid' ? r.params.id : 'x'.repeat(43);
              return r.params.id && r.params.id !== 'valid'
                ? r.params.id
                : String(ids[res === 'profile' ? 'logins' : res] ?? 1);
            });
            const query = r.query.map(([k, v]) => `${k}=${v}`).join('&');
            const url = query ? `${path}?${query}` : path;
            // A damaged session cookie is sent by a stranger, not by a person whose session it would end.
            const agent = r.cookie?.[0] === 'pim.sid' ? client() : person.agent;
            const token = r.token === 'valid' ? encodeURIComponent(person.csrf) : r.token;
            const body = [`_csrf=${token}`, ...r.body.map(([k, v]) => `${k}=${v}`)].join('&');
            const build = () => {
              let req = route.method === 'GET' ? agent.get(url) : agent.post(url).type('form');
              if (r.cookie) req = req.set('Cookie', `${r.cookie[0]}=${r.cookie[1]}`);
              if (r.header) req = req.set(r.header[0], r.header[1]);
              return route.method === 'GET' ? req : req.send(body);
            };
            // A GET may write too (the app's setup page keeps a pending authenticator secret), so a
            // refused write is judged against the data just before it, not after the previous write.
            const sum = route.method === 'POST' ? await checksum() : '';
            const res = await build();
            await settle();
            requests++;
            statuses[res.status] = (statuses[res.status] ?? 0) + 1;
            const what = `${person.name}: ${route.method} ${url}${route.method === 'POST' ? ` body ${body.slice(0, 500)}` : ''}${r.cookie ? ` cookie ${r.cookie.join('=')}` : ''}${r.header ? ` ${r.header.join(': ')}` : ''}`;
            expect(res.status, `${res.status} for ${what}`).toBeLessThan(500);
            if (route.method === 'POST') {
              const after = await checksum();
              if (res.status >= 400 && after !== sum) {
                const last = await db.prisma.auditEvent.findFirst({
                  orderBy: { id: 'desc' },
                  select: { kind: true, actorLabel: true, at: true },
                });
                expect(
                  changedTables(sum, after),
                  `a refused write changed data: ${res.status} for ${what} (last audit event ${JSON.stringify(last)})`,
                ).toEqual([]);
              }
              if (after !== sum)
                expect(
                  await controlCharacters(),
                  `a control character is in the database (found after ${what})`,
                ).toEqual([]);
            }
          }),
          // Writes get twice the runs: that is where hostile text could reach the database.
          {
            seed: SEED + index,
            numRuns: route.method === 'POST' ? 2 * RUNS : RUNS,
            endOnFailure: true,
            verbose: 0,
          },
        ),
      );
    }
    console.log(
      `fuzz: ${requests} requests over ${routes.length} routes, none 5xx; answers ${JSON.stringify(statuses)}`,
    );
  }, 180_000);
});
