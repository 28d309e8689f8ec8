import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { PDFParse } from 'pdf-parse';
import { parse as parseCsv } from 'csv-parse/sync';
import type TestAgent from 'supertest/lib/agent.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, logIn, testApp, visibleText } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';

let db: TestDb;
let app: Express;

/** The tree: main org with two subsidiaries (one inactive) and a grandchild; another tenant beside it. */
let main: { id: number; name: string };
let subA: { id: number; name: string };
let subB: { id: number; name: string };
let grandchild: { id: number; name: string };
let other: { id: number; name: string };
const people: Record<'main' | 'viewOnly' | 'withSubs' | 'other', { email: string }> = {} as never;

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db));
  main = await db.prisma.organization.create({
    data: {
      name: 'Demo Pim (Persoonlijke Informatie Manager)',
      postalStreet: 'Pantheon 2',
      postalPostcode: '7521 PR',
      postalCity: 'Enschede',
      postalCountry: 'Nederland',
      visitStreet: 'Hengelosestraat 10',
      visitPostcode: '7521 AK',
      visitCity: 'Enschede',
      visitCountry: 'Nederland',
      phone: '0884800900',
      fax: '0884800909',
      email: 'support@vtel.nl',
    },
  });
  subA = await db.prisma.organization.create({
    data: {
      name: 'Demo Pim Dochter Almelo',
      parentId: main.id,
      postalStreet: 'Marktstraat 1',
      postalCity: 'Almelo',
      postalCountry: 'Nederland',
      phone: '0546123456',
      email: 'almelo@vtel.nl',
    },
  });
  subB = await db.prisma.organization.create({
    data: {
      name: 'Demo Pim Dochter Borne',
      parentId: main.id,
      active: false,
      postalCity: 'Borne',
      postalCountry: 'Nederland',
    },
  });
  grandchild = await db.prisma.organization.create({
    data: { name: 'Demo Pim Kleindochter Delden', parentId: subA.id, postalCity: 'Delden', postalCountry: 'Nederland' },
  });
  other = await makeOrg(db.prisma, { name: 'Andere Huisartsenpost' });
  const jan = await makePerson(db.prisma, main.id, { main: true, firstName: 'Jan', lastName: 'Jansen', roles: [] });
  await db.prisma.contact.update({ where: { id: jan.id }, data: { gender: 'MALE' } });
  people.main = jan as { email: string };
  people.viewOnly = (await makePerson(db.prisma, main.id, { roles: ['PORTAL_ACCESS', 'VIEW_ORGANIZATION'] })) as {
    email: string;
  };
  people.withSubs = (await makePerson(db.prisma, main.id, {
    roles: ['PORTAL_ACCESS', 'VIEW_ORGANIZATION', 'SUBSIDIARY_ACCESS'],
  })) as { email: string };
  people.other = (await makePerson(db.prisma, other.id, { main: true, roles: [] })) as { email: string };
});
afterAll(() => db.drop());

async function as(who: keyof typeof people): Promise<TestAgent> {
  const agent = client(app);
  expect((await logIn(agent, people[who].email, PASSWORD)).status).toBe(302);
  return agent;
}

/** The rows of the list as a reader sees them: name, active, address, contact. */
function listRows(html: string): { id: number; name: string; cells: string[]; icon: string }[] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => {
    const row = m[1]!;
    const link = /<a href="\/organisations\/(\d+)">(?:<bdi>)?([^<]+)(?:<\/bdi>)?<\/a>/.exec(row)!;
    const cells = [...row.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((c) => visibleText(c[1]!));
    return { id: Number(link[1]), name: link[2]!, cells, icon: /alt="([^"]+)"/.exec(row)![1]! };
  });
}

describe('GET /organisations', () => {
  it('shows the main organisation and its active subsidiaries, "Actief › ja" as a removable chip, with distinct icons', async () => {
    const agent = await as('main');
    const res = await agent.get('/organisations');
    expect(res.status).toBe(200);
    const text = visibleText(res.text);
    expect(text).toContain('3 gevonden');
    expect(text).toContain('Actief › ja');
    const rows = listRows(res.text);
    expect(rows.map((r) => r.name)).toEqual([main.name, subA.name, grandchild.name]);
    expect(rows[0]!.icon).toBe('Hoofdorganisatie');
    expect(rows[1]!.icon).toBe('Dochterorganisatie');
    expect(rows[0]!.cells[1]).toBe('Pantheon 2, Enschede, Nederland');
    expect(rows[0]!.cells[2]).toBe('0884800900 support@vtel.nl');
    expect(res.text).toContain('href="/organisations?active=all"');
    expect(text).not.toContain(other.name);
  });

  it('filters on Actief nee and all, searches by name, and sorts by name both ways', async () => {
    const agent = await as('main');
    expect(listRows((await agent.get('/organisations?active=no')).text).map((r) => r.name)).toEqual([subB.name]);
    const all = await agent.get('/organisations?active=all');
    expect(visibleText(all.text)).toContain('4 gevonden');
    expect(visibleText(all.text)).not.toContain('Actief ›');
    const search = await agent.get('/organisations?active=all&q=dochter');
    expect(listRows(search.text).map((r) => r.name)).toEqual([subA.name, subB.name, grandchild.name]);
    expect(visibleText(search.text)).toContain('Zoeken › dochter');
    expect(search.text).toContain('href="/organisations?active=all"'); // the search chip removes the search only
    const desc = await agent.get('/organisations?active=all&sort=name&dir=desc');
    expect(listRows(desc.text).map((r) => r.name)).toEqual(
      [main.name, grandchild.name, subB.name, subA.name].sort().reverse(),
    );
  });

  it('without SUBSIDIARY_ACCESS, shows only the own organisation', async () => {
    const agent = await as('viewOnly');
    const rows = listRows((await agent.get('/organisations?active=all')).text);
    expect(rows.map((r) => r.name)).toEqual([main.name]);
  });

  it('pages through many subsidiaries', async () => {
    const big = await makeOrg(db.prisma, { name: 'Groot 000' });
    for (let i = 1; i <= 30; i++)
      await makeOrg(db.prisma, { name: `Groot ${String(i).padStart(3, '0')}`, parentId: big.id });
    const boss = await makePerson(db.prisma, big.id, { main: true, roles: [] });
    const agent = client(app);
    await logIn(agent, boss.email!, PASSWORD);
    const p1 = await agent.get('/organisations');
    expect(listRows(p1.text)).toHaveLength(25);
    expect(visibleText(p1.text)).toContain('31 gevonden');
    const p2 = await agent.get('/organisations?page=2');
    expect(listRows(p2.text).map((r) => r.name)).toEqual([
      'Groot 025',
      'Groot 026',
      'Groot 027',
      'Groot 028',
      'Groot 029',
      'Groot 030',
    ]);
  });
});

describe('GET /organisations/:id', () => {
  it("shows the manual's details and the sentence that changes go through Vcare", async () => {
    const agent = await as('main');
    const res = await agent.get(`/organisations/${main.id}`);
    expect(res.status).toBe(200);
    const text = visibleText(res.text);
    for (const s of [
      `Organisatie: ${main.name}`,
      'Organisatie',
      'Dochters',
      'Hoofdcontactpersoon',
      'Dhr. Jan Jansen',
      people.main.email,
      'Postadres Pantheon 2 7521 PR Enschede Nederland',
      'Bezoekadres Hengelosestraat 10 7521 AK Enschede Nederland',
      'Telefoon 0884800900',
      'Fax 0884800909',
      'Email support@vtel.nl',
      'Indien u wijzigingen in deze gegevens wilt doorgeven vragen wij u contact op te nemen met Vcare.',
    ])
      expect(text).toContain(s);
    expect(res.text).toContain(`/organisations/${main.id}/overview.pdf`);
    expect(res.text).toContain(`/organisations/${main.id}/overview.csv`);
  });

  it('the Dochters tab lists the direct subsidiaries', async () => {
    const agent = await as('main');
    const text = visibleText((await agent.get(`/organisations/${main.id}?tab=subsidiaries`)).text);
    expect(text).toContain(subA.name);
    expect(text).toContain(subB.name);
    expect(text).not.toContain(grandchild.name);
  });

  it('without SUBSIDIARY_ACCESS the Dochters tab says which role is needed', async () => {
    const agent = await as('viewOnly');
    const text = visibleText((await agent.get(`/organisations/${main.id}?tab=subsidiaries`)).text);
    expect(text).toContain('Opgelet!');
    expect(text).not.toContain(subA.name);
  });

  it("another tenant's organisation and a subsidiary without SUBSIDIARY_ACCESS are 404, detail and downloads alike", async () => {
    const viewOnly = await as('viewOnly');
    const mainAgent = await as('main');
    for (const suffix of ['', '/overview.pdf', '/overview.csv']) {
      expect((await viewOnly.get(`/organisations/${subA.id}${suffix}`)).status, `sub ${suffix}`).toBe(404);
      expect((await viewOnly.get(`/organisations/${other.id}${suffix}`)).status, `other ${suffix}`).toBe(404);
      expect((await mainAgent.get(`/organisations/${other.id}${suffix}`)).status, `main->other ${suffix}`).toBe(404);
      expect((await mainAgent.get(`/organisations/abc${suffix}`)).status).toBe(404);
      expect((await mainAgent.get(`/organisations/99999999999${suffix}`)).status).toBe(404);
    }
    // With SUBSIDIARY_ACCESS the same subsidiary is there.
    const withSubs = await as('withSubs');
    expect((await withSubs.get(`/organisations/${subA.id}`)).status).toBe(200);
  });

  it('a person without VIEW_ORGANIZATION is refused the pages and downloads', async () => {
    const p = await makePerson(db.prisma, main.id, { roles: ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA'] });
    const agent = client(app);
    await logIn(agent, p.email!, PASSWORD);
    for (const path of [
      '/organisations',
      `/organisations/${main.id}`,
      `/organisations/${main.id}/overview.pdf`,
      `/organisations/${main.id}/overview.csv`,
    ]) {
      expect((await agent.get(path)).status, path).toBe(403);
    }
  });
});

describe('overview downloads', () => {
  it('the CSV holds the organisation and every visible subsidiary, as the list shows them', async () => {
    const agent = await as('main');
    const res = await agent.get(`/organisations/${main.id}/overview.csv`).buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename=/);
    expect(res.headers['cache-control']).toBe('no-store');
    const raw = Buffer.isBuffer(res.body) ? res.body.toString('utf8') : res.text;
    expect(raw.startsWith('\uFEFF')).toBe(true);
    const rows = parseCsv<Record<string, string>>(raw, { bom: true, delimiter: ';', columns: true });
    // Tree order: the organisation, then each subsidiary followed by its own subsidiaries.
    expect(rows.map((r) => r['Organisatienaam'])).toEqual([main.name, subA.name, grandchild.name, subB.name]);
    const list = listRows((await agent.get('/organisations?active=all')).text);
    for (const shown of list) {
      const row = rows.find((r) => r['Organisatienaam'] === shown.name)!;
      expect(row, shown.name).toBeDefined();
      expect(row['Actief']).toBe(shown.cells[0]!.endsWith('ja') ? 'ja' : 'nee');
      expect([row['Postadres'], row['Plaats'], row['Land']].filter(Boolean).join(', ')).toBe(shown.cells[1]);
      expect([row['Telefoon'], row['Email']].filter(Boolean).join(' ')).toBe(shown.cells[2]);
      expect(row['Soort']).toBe(shown.icon);
    }
    expect(rows[0]!['Hoofdcontactpersoon']).toBe('Jan Jansen');
    expect(rows[0]!['Fax']).toBe('0884800909');
  });

  it('the PDF holds the same organisations with their addresses', async () => {
    const agent = await as('main');
    const res = await agent
      .get(`/organisations/${main.id}/overview.pdf`)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const text = (await new PDFParse({ data: res.body as Buffer }).getText()).text.replace(/\s+/g, ' ');
    const list = listRows((await agent.get('/organisations?active=all')).text);
    expect(list).toHaveLength(4);
    for (const shown of list) {
      expect(text).toContain(shown.name);
      expect(text).toContain(shown.icon);
    }
    expect(text).toContain('Postadres: Pantheon 2, 7521 PR Enschede, Nederland');
    expect(text).toContain('Telefoon: 0884800900');
    expect(text).toContain('Hoofdcontactpersoon: Jan Jansen');
    expect(text.indexOf(subA.name)).toBeLessThan(text.indexOf(grandchild.name));
    expect(text.indexOf(grandchild.name)).toBeLessThan(text.indexOf(subB.name));
  });

  it('the download of a subsidiary covers that subsidiary and below, and neutralises formulas in the CSV', async () => {
    await db.prisma.organization.update({ where: { id: grandchild.id }, data: { email: '=HYPERLINK("http://x")' } });
    const agent = await as('withSubs');
    const res = await agent.get(`/organisations/${subA.id}/overview.csv`).buffer(true);
    const rows = parseCsv<Record<string, string>>(res.text, { bom: true, delimiter: ';', columns: true });
    expect(rows.map((r) => r['Organisatienaam'])).toEqual([subA.name, grandchild.name]);
    expect(rows[1]!['Email']).toBe('\'=HYPERLINK("http://x")');
    await db.prisma.organization.update({ where: { id: grandchild.id }, data: { email: null } });
  });
});

describe('scale', () => {
  it('the list query is index-backed with 200 subsidiaries among 5,000 organisations (EXPLAIN)', async () => {
    const root = await makeOrg(db.prisma, { name: 'Schaal hoofd' });
    await db.prisma.$executeRaw`INSERT INTO organizations (name, parent_id, active, updated_at)
      SELECT 'Schaal ' || g, ${root.id}, g % 7 <> 0, now() FROM generate_series(1, 200) g`;
    await db.prisma
      .$executeRaw`INSERT INTO organizations (name, active, updated_at) SELECT 'Ander ' || g, true, now() FROM generate_series(1, 5000) g`;
    await db.prisma.$executeRaw`ANALYZE organizations`;
    const ids = (
      await db.prisma.organization.findMany({
        where: { OR: [{ id: root.id }, { parentId: root.id }] },
        select: { id: true },
      })
    ).map((o) => o.id);
    const plan = (
      await db.prisma.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(
        `EXPLAIN ANALYZE SELECT id, name FROM organizations WHERE id = ANY($1::int[]) AND active = true AND name ILIKE '%schaal%' ORDER BY name ASC, id ASC LIMIT 25 OFFSET 25`,
        ids,
      )
    )
      .map((r) => r['QUERY PLAN'])
      .join('\n');
    expect(plan).not.toMatch(/Seq Scan on organizations/);
    expect(plan).toMatch(/Index|Bitmap/);
  });
});
