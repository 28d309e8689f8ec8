import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, logIn, submitForm, testApp, visibleText } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { binary, makeDocument } from '../support/invoices-factories.js';
import { runCli } from '../../src/cli/program.js';
import type { Role } from '../../src/auth/roles.js';

let db: TestDb;
let app: Express;
const people: Record<string, { email: string; id: number }> = {};
const docs: Record<string, { id: number; content: Buffer }> = {};

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db));
  const p = db.prisma;
  const orgA = await makeOrg(p, { name: 'Huisartsenpost Noord', reportsInContract: true });
  const orgB = await makeOrg(p, { name: 'Huisartsenpost Noord Dochter', parentId: orgA.id, reportsInContract: true });
  const orgN = await makeOrg(p, { name: 'Apotheek Zonder Rapportages' });
  const orgC = await makeOrg(p, { name: 'Kliniek Elders', reportsInContract: true });
  const person = async (key: string, orgId: number, roles: Role[], main = false) => {
    const c = await makePerson(p, orgId, { roles, main });
    people[key] = { email: c.email!, id: c.id };
  };
  await person('plainA', orgA.id, ['PORTAL_ACCESS']);
  await person('manualsA', orgA.id, ['PORTAL_ACCESS', 'VIEW_MANUALS']);
  await person('manualsTreeA', orgA.id, ['PORTAL_ACCESS', 'VIEW_MANUALS', 'SUBSIDIARY_ACCESS']);
  await person('reportsA', orgA.id, ['PORTAL_ACCESS', 'VIEW_REPORTS']);
  await person('reportsTreeA', orgA.id, ['PORTAL_ACCESS', 'VIEW_REPORTS', 'SUBSIDIARY_ACCESS']);
  await person('reportsB', orgB.id, ['PORTAL_ACCESS', 'VIEW_REPORTS', 'SUBSIDIARY_ACCESS']);
  await person('reportsN', orgN.id, ['PORTAL_ACCESS', 'VIEW_REPORTS', 'VIEW_MANUALS']);
  await person('mainN', orgN.id, [], true);
  await person('reportsC', orgC.id, ['PORTAL_ACCESS', 'VIEW_REPORTS', 'VIEW_MANUALS']);
  const doc = async (
    key: string,
    kind: 'MANUAL' | 'PRODUCT_INFO' | 'REPORT',
    organizationId: number | null,
    fileName: string,
    date = '2017-06-19',
  ) => {
    const content = Buffer.from(`%PDF-1.4\n% ${key} ${'x'.repeat(key.length * 700)}\n%%EOF\n`);
    const d = await makeDocument(p, { kind, organizationId, fileName, content, date });
    docs[key] = { id: d.id, content };
  };
  await doc('manualAll', 'MANUAL', null, 'Recorder Handleiding 1.0.pdf');
  await doc('manualA', 'MANUAL', orgA.id, 'Scheduler Handleiding_1.0.pdf', '2017-06-21');
  await doc('manualB', 'MANUAL', orgB.id, 'Dochter Handleiding.pdf');
  await doc('manualC', 'MANUAL', orgC.id, 'Kliniek Handleiding.pdf');
  await doc('productAll', 'PRODUCT_INFO', null, 'Brochure Vcare Operator.pdf');
  await doc('productC', 'PRODUCT_INFO', orgC.id, 'Brochure Kliniek.pdf');
  await doc('reportA', 'REPORT', orgA.id, 'week25 Patiënten vanaf 19-06-2017.pdf', '2017-06-26');
  await doc('reportB', 'REPORT', orgB.id, 'week25 Dochter.pdf', '2017-06-26');
  await doc('reportN', 'REPORT', orgN.id, 'week25 Apotheek.pdf', '2017-06-26');
  await doc('reportC', 'REPORT', orgC.id, 'week25 Kliniek.pdf', '2017-06-26');
});
afterAll(() => db.drop());

async function as(key: string) {
  const agent = client(app);
  expect((await logIn(agent, people[key]!.email, PASSWORD)).status, key).toBe(302);
  return agent;
}

describe('Downloads › Handleidingen', () => {
  it("lists the manuals for every customer and the person's organisation: type, name, size, date", async () => {
    const res = await (await as('manualsA')).get('/downloads/manuals');
    expect(res.status).toBe(200);
    const text = visibleText(res.text);
    expect(text).toContain('Hier kunt u de gebruikers- en beheerdershandleidingen downloaden van onze applicaties.');
    for (const h of ['Type', 'Naam', 'Grootte', 'Datum']) expect(text).toContain(h);
    expect(text).toMatch(/PDF Recorder Handleiding 1\.0\.pdf \d+ kB 19-6-2017/);
    expect(text).toContain('Scheduler Handleiding_1.0.pdf');
    expect(text).not.toContain('Kliniek Handleiding');
    expect(text).not.toContain('Dochter Handleiding');
    expect(visibleText((await (await as('manualsTreeA')).get('/downloads/manuals')).text)).toContain(
      'Dochter Handleiding',
    );
  });

  it('is in the menu under Downloads only for people with VIEW_MANUALS, and refused (403) to others', async () => {
    const withRole = await (await as('manualsA')).get('/');
    expect(visibleText(withRole.text)).toMatch(/Downloads Handleidingen Productinformatie/);
    const plain = await as('plainA');
    expect(visibleText((await plain.get('/')).text)).not.toContain('Handleidingen');
    expect((await plain.get('/downloads/manuals')).status).toBe(403);
  });
});

describe('Downloads › Productinformatie', () => {
  it("shows the manual's text with the sales department's contact, and the brochures, to everyone who may log in", async () => {
    const res = await (await as('plainA')).get('/downloads/product-information');
    expect(res.status).toBe(200);
    const text = visibleText(res.text);
    expect(text).toContain('Wenst u meer informatie over onze producten en diensten?');
    expect(text).toContain('Of neem contact op met de afdeling verkoop:');
    expect(text).toContain('Via e-mail: verkoop@vcareconnect.nl');
    expect(text).toContain('Telefonisch: 088 4 800 900 (optie 1)');
    expect(text).toContain('Brochure Vcare Operator.pdf');
    expect(text).not.toContain('Brochure Kliniek.pdf');
  });

  it('shows the text staff set with the CLI, rendered safely (no HTML, no javascript: links)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pim-content-'));
    const nl = path.join(dir, 'nl.md');
    writeFileSync(
      nl,
      '## Nieuw: Vcare Operator 3\n\n**Bel ons** via [verkoop](mailto:verkoop@vcareconnect.nl).\n\n<script>alert(1)</script>\n\n[klik](javascript:alert(1))\n',
    );
    const out: string[] = [];
    const run = (...argv: string[]) =>
      runCli(argv, {
        prisma: db.prisma,
        out: (l) => out.push(l),
        err: (l) => out.push(l),
        now: () => new Date(),
        baseUrl: 'http://pim.test',
      });
    expect(await run('product-info:set', '--nl', nl)).toBe(0);
    const res = await (await as('plainA')).get('/downloads/product-information');
    expect(res.text).toContain('<h2>Nieuw: Vcare Operator 3</h2>');
    expect(res.text).toContain('<strong>Bel ons</strong>');
    expect(res.text).toContain('<a href="mailto:verkoop@vcareconnect.nl">verkoop</a>');
    expect(res.text).not.toContain('<script>alert(1)</script>');
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.text).not.toMatch(/href="javascript:/i);
    expect(visibleText(res.text)).not.toContain('Of neem contact op met de afdeling verkoop:');
    // English falls back to the Dutch text when staff wrote none.
    expect((await (await as('plainA')).get('/downloads/product-information?lang=en')).text).toContain(
      'Nieuw: Vcare Operator 3',
    );
    expect(await db.prisma.auditEvent.count({ where: { kind: 'pageContent.updated' } })).toBe(1);
    expect(await run('product-info:set', '--reset')).toBe(0);
    expect(visibleText((await (await as('plainA')).get('/downloads/product-information')).text)).toContain(
      'Of neem contact op met de afdeling verkoop:',
    );
  });
});

describe('Downloads › Rapportages', () => {
  it("shows the manual's text, the opt-in checkbox and the organisation's reports", async () => {
    const res = await (await as('reportsA')).get('/downloads/reports');
    expect(res.status).toBe(200);
    const text = visibleText(res.text);
    expect(text).toContain('Wanneer u gebruik maakt van onze rapportagediensten');
    expect(text).toContain('Ja, ik wil een melding ontvangen');
    expect(text).toContain('week25 Patiënten vanaf 19-06-2017.pdf');
    expect(text).not.toContain('week25 Dochter.pdf');
    expect(text).not.toContain('week25 Kliniek.pdf');
    expect(res.text).toMatch(/<label for="f-optIn">Ja, ik wil een melding ontvangen<\/label>/);
  });

  it("with SUBSIDIARY_ACCESS includes the subsidiaries' reports; from the subsidiary never the parent's", async () => {
    const tree = visibleText((await (await as('reportsTreeA')).get('/downloads/reports')).text);
    expect(tree).toContain('week25 Patiënten');
    expect(tree).toContain('week25 Dochter.pdf');
    const sub = visibleText((await (await as('reportsB')).get('/downloads/reports')).text);
    expect(sub).toContain('week25 Dochter.pdf');
    expect(sub).not.toContain('week25 Patiënten');
  });

  it("is hidden (menu) and refused (403) where the organisation's contract has no reports, even to a person with the role and to the main contact", async () => {
    for (const key of ['reportsN', 'mainN']) {
      const agent = await as(key);
      const home = visibleText((await agent.get('/')).text);
      expect(home, key).not.toContain('Rapportages');
      expect((await agent.get('/downloads/reports')).status, key).toBe(403);
      expect((await agent.get(`/documents/${docs.reportN!.id}`)).status, key).toBe(404);
    }
    expect(visibleText((await (await as('reportsA')).get('/')).text)).toContain('Rapportages');
  });

  it('saves the checkbox per person (post/redirect/get, audit event); unticking turns it off', async () => {
    const agent = await as('reportsA');
    const on = await submitForm(agent, '/downloads/reports', '/downloads/reports', { optIn: '1' });
    expect(on.status).toBe(303);
    expect(on.headers.location).toBe('/downloads/reports');
    const page = await agent.get('/downloads/reports');
    expect(visibleText(page.text)).toContain('U ontvangt voortaan een e-mailbericht');
    expect(page.text).toMatch(/id="f-optIn" name="optIn" type="checkbox" value="1" checked/);
    expect((await db.prisma.contact.findUniqueOrThrow({ where: { id: people.reportsA!.id } })).reportMailOptIn).toBe(
      true,
    );
    expect(await db.prisma.contact.count({ where: { reportMailOptIn: true } })).toBe(1);
    expect(
      await db.prisma.auditEvent.count({ where: { kind: 'contact.report_mail_opt_in', actorId: people.reportsA!.id } }),
    ).toBe(1);
    await submitForm(agent, '/downloads/reports', '/downloads/reports', {});
    expect((await db.prisma.contact.findUniqueOrThrow({ where: { id: people.reportsA!.id } })).reportMailOptIn).toBe(
      false,
    );
  });

  it('refuses the opt-in to a person whose contract has no reports, and changes nothing', async () => {
    const agent = await as('reportsN');
    const page = await agent.get('/');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const res = await agent.post('/downloads/reports').type('form').send({ _csrf: token, optIn: '1' });
    expect(res.status).toBe(403);
    expect((await db.prisma.contact.findUniqueOrThrow({ where: { id: people.reportsN!.id } })).reportMailOptIn).toBe(
      false,
    );
  });
});

describe('GET /documents/:id', () => {
  it('authorises per document: kind, organisation, role and contract; anything else is 404', async () => {
    const matrix: Record<string, Record<string, number>> = {
      plainA: { manualAll: 404, manualA: 404, productAll: 200, productC: 404, reportA: 404 },
      manualsA: { manualAll: 200, manualA: 200, manualB: 404, manualC: 404, productAll: 200, reportA: 404 },
      manualsTreeA: { manualB: 200, reportB: 404 },
      reportsA: { reportA: 200, reportB: 404, reportC: 404, reportN: 404, manualAll: 404 },
      reportsTreeA: { reportA: 200, reportB: 200, reportC: 404 },
      reportsB: { reportB: 200, reportA: 404 },
      reportsN: { reportN: 404, manualAll: 200 },
      mainN: { reportN: 404, manualAll: 200, manualC: 404 },
      reportsC: { reportC: 200, reportA: 404, manualC: 200, productC: 200, manualA: 404 },
    };
    for (const [who, expected] of Object.entries(matrix)) {
      const agent = await as(who);
      for (const [key, status] of Object.entries(expected)) {
        const res = await agent.get(`/documents/${docs[key]!.id}`).buffer(true).parse(binary);
        expect(res.status, `${who} ${key}`).toBe(status);
        if (status === 200) expect(Buffer.compare(res.body as Buffer, docs[key]!.content), `${who} ${key}`).toBe(0);
      }
      for (const id of ['999999', 'x', '-1']) expect((await agent.get(`/documents/${id}`)).status).toBe(404);
    }
  });

  it('names the file per RFC 6266 (accents as filename*=UTF-8), never cached, never sniffed', async () => {
    const res = await (await as('reportsA')).get(`/documents/${docs.reportA!.id}`).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="week25 Patienten vanaf 19-06-2017.pdf"; filename*=UTF-8''week25%20Pati%C3%ABnten%20vanaf%2019-06-2017.pdf`,
    );
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});
