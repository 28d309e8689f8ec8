import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, csrfFrom, logIn, testApp } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { listRoutes } from '../support/routes.js';
import { ROLES, type Role } from '../../src/auth/roles.js';
import { PAGES, type Page } from '../../src/auth/pages.js';

let db: TestDb;
let app: Express;

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db));
});
afterAll(() => db.drop());

/** A concrete URL for a route pattern (ids that exist nowhere: guards run before lookups). */
const concrete = (path: string) =>
  path.replace(/:(\w+)/g, (_m, name: string) => (name === 'token' ? 'x'.repeat(43) : '999999'));

describe('route guards', () => {
  it('every route declares its access with a guard as its first handler', () => {
    const routes = listRoutes(app);
    expect(routes.length).toBeGreaterThan(5);
    const undeclared = routes.filter((r) => r.access === undefined).map((r) => `${r.method} ${r.path}`);
    expect(undeclared).toEqual([]);
  });

  it("every guarded route takes its guard from the page table, and every page of the table is mounted with the table's access", () => {
    const routes = listRoutes(app);
    const byHand = routes
      .filter((r) => r.access !== 'PUBLIC' && r.page === undefined)
      .map((r) => `${r.method} ${r.path}`);
    expect(byHand).toEqual([]);
    for (const [name, page] of Object.entries(PAGES as Record<string, Page>)) {
      const mounted = routes.find((r) => r.method === 'GET' && r.path === page.path);
      expect(mounted, `${name} (${page.path}) is mounted`).toBeDefined();
      expect(mounted!.page, `${page.path} uses the guard of ${name}`).toBe(name);
      expect(mounted!.access, `${page.path} enforces the table's access`).toEqual(
        page.mainContactOnly ? 'MAIN_CONTACT' : page.role,
      );
    }
  });

  it('the public routes are exactly the login, reset, health and signed mail-link pages, and the API reference', () => {
    const pub = listRoutes(app)
      .filter((r) => r.access === 'PUBLIC')
      .map((r) => r.path);
    for (const p of pub)
      expect(p).toMatch(
        /^\/(login|logout|password\/|healthz|readyz|auth\/|api\/docs$|mail\/(unsubscribe|verdict)\/:token$)/,
      );
  });

  it('an anonymous visitor is sent to the login page from every guarded GET, and refused on every guarded POST', async () => {
    for (const r of listRoutes(app).filter((x) => x.access !== 'PUBLIC')) {
      const url = concrete(r.path);
      if (r.method === 'GET') {
        const res = await client(app).get(url);
        expect(res.status, `GET ${r.path}`).toBe(302);
        expect(res.headers.location, `GET ${r.path}`).toMatch(/^\/login\?returnTo=/);
      } else {
        // Without a session there is no CSRF token either: refused before anything happens.
        const res = await client(app).post(url).type('form').send({});
        expect([401, 403], `${r.method} ${r.path}`).toContain(res.status);
      }
    }
  });
});

describe('the role matrix (every guarded GET without parameters)', () => {
  const people: Record<string, { email: string }> = {};
  let otherOrgMain: { email: string };

  beforeAll(async () => {
    const org = await makeOrg(db.prisma, { reportsInContract: true });
    for (const role of ROLES) {
      // Each role on its own, and each role with the access to log in at all.
      people[`${role} alone`] = (await makePerson(db.prisma, org.id, { roles: [role] })) as { email: string };
      people[`PORTAL_ACCESS + ${role}`] = (await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', role] })) as {
        email: string;
      };
    }
    people['main contact'] = (await makePerson(db.prisma, org.id, { roles: [], main: true })) as { email: string };
    const other = await makeOrg(db.prisma);
    otherOrgMain = (await makePerson(db.prisma, other.id, { roles: [], main: true })) as { email: string };
  });

  it('only PORTAL_ACCESS lets a person log in; a role alone does not', async () => {
    for (const role of ROLES) {
      const res = await logIn(client(app), people[`${role} alone`]!.email, PASSWORD);
      expect(res.status, role).toBe(role === 'PORTAL_ACCESS' ? 302 : 401);
    }
  });

  it(
    'each page answers exactly the people whose roles allow it; the main contact sees all',
    { timeout: 120_000 },
    async () => {
      const pages = listRoutes(app).filter(
        (r) => r.method === 'GET' && r.access && r.access !== 'PUBLIC' && !r.path.includes(':'),
      );
      expect(pages.length).toBeGreaterThan(0);
      const who: [string, ReadonlySet<Role>][] = [
        ...ROLES.map(
          (role) => [`PORTAL_ACCESS + ${role}`, new Set<Role>(['PORTAL_ACCESS', role])] as [string, ReadonlySet<Role>],
        ),
        ['main contact', new Set(ROLES)],
      ];
      for (const [name, roles] of who) {
        const agent = client(app);
        expect((await logIn(agent, people[name]!.email, PASSWORD)).status, name).toBe(302);
        for (const page of pages) {
          const res = await agent.get(page.path);
          // The main-contact pages answer the main contact only, whatever roles someone holds;
          // a list of roles opens the page with any one of them.
          const allowed =
            page.access === 'MAIN_CONTACT'
              ? name === 'main contact'
              : (Array.isArray(page.access) ? page.access : [page.access as Role]).some((r) => roles.has(r));
          expect(res.status, `${name} GET ${page.path}`).toBe(allowed ? 200 : 403);
        }
      }
    },
  );

  it('a malformed or out-of-range id in any URL is a 404 (GET and POST), never a server error', async () => {
    const agent = client(app);
    expect((await logIn(agent, people['main contact']!.email, PASSWORD)).status).toBe(302);
    const csrf = csrfFrom((await agent.get('/')).text);
    const withIds = listRoutes(app).filter((r) => r.access !== 'PUBLIC' && r.path.includes(':id'));
    expect(withIds.length).toBeGreaterThan(5);
    for (const r of withIds) {
      for (const bad of ['2147483648', '99999999999', 'abc', '-1', '1e3', '0']) {
        const url = r.path.replace(':id', bad);
        const res =
          r.method === 'GET' ? await agent.get(url) : await agent.post(url).type('form').send({ _csrf: csrf });
        expect(res.status, `${r.method} ${url}`).toBe(404);
      }
    }
  });

  it('a contact of another organisation is its own tenant: logs in, sees only its own data', async () => {
    const agent = client(app);
    expect((await logIn(agent, otherOrgMain.email, PASSWORD)).status).toBe(302);
    expect((await agent.get('/')).status).toBe(200);
  });
});
