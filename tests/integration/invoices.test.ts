import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, logIn, testApp, TestClock, visibleText } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { binary, makeInvoice, pdfText, readZip } from '../support/invoices-factories.js';
import type { Role } from '../../src/auth/roles.js';

let db: TestDb;
let app: Express;
let orgA: { id: number; name: string };
let orgB: { id: number; name: string };
let orgC: { id: number; name: string };
const people: Record<string, string> = {};
const ids: Record<string, number> = {};

const DEMO: [number, string][] = [
  [105000, 'Test Helpdesk - maand Juni 2017'],
  [105001, 'Test Reparatie Swich op locatie 04-07-17'],
  [105002, 'Test Levering Iphone 7 32gb Silver'],
  [105003, 'Test Vcare Recorder HAP maand Juli'],
  [105004, 'Test Vcare Walldisplay HAP maand Juli'],
  [105005, 'Test Vcare Scheduler HAP maand Juli'],
  [105006, 'Test Vcare Operator HAP maand Juli'],
  [105035, 'Test Maandfactuur augustus 2017'],
];
const STORED_PDF = Buffer.concat([
  Buffer.from('%PDF-1.4\n'),
  Buffer.from([0, 1, 2, 255, 254, 10]),
  Buffer.from('stored by staff\n%%EOF\n'),
]);

beforeAll(async () => {
  db = await createTestDb();
  // The default period is the last six calendar months: on 15-12-2017, "vanaf 1-7-2017 tot en met 15-12-2017".
  ({ app } = testApp(db, { clock: new TestClock(Date.parse('2017-12-15T10:00:00Z')) }));
  const p = db.prisma;
  orgA = await makeOrg(p, { name: 'Demo Pim (Persoonlijke Informatie Manager)' });
  orgB = await makeOrg(p, { name: 'Demo Pim Dochter', parentId: orgA.id });
  orgC = await makeOrg(p, { name: 'Apotheek Elders' });
  const person = async (key: string, orgId: number, roles: Role[]) => {
    people[key] = (await makePerson(p, orgId, { roles })).email!;
  };
  await person('finance', orgA.id, ['PORTAL_ACCESS', 'VIEW_INVOICES']);
  await person('financeTree', orgA.id, ['PORTAL_ACCESS', 'VIEW_INVOICES', 'SUBSIDIARY_ACCESS']);
  await person('noRole', orgA.id, ['PORTAL_ACCESS', 'SUBSIDIARY_ACCESS']);
  await person('financeSub', orgB.id, ['PORTAL_ACCESS', 'VIEW_INVOICES', 'SUBSIDIARY_ACCESS']);
  await person('financeC', orgC.id, ['PORTAL_ACCESS', 'VIEW_INVOICES']);
  for (const [number, title] of DEMO) {
    const amount = number === 105035 ? '1234.56' : number === 105000 ? '99.00' : '0.00';
    const inv = await makeInvoice(p, orgA.id, {
      number,
      title,
      amountExclVat: amount,
      pdf: number === 105002 ? STORED_PDF : undefined,
    });
    ids[number] = inv.id;
  }
  ids.h1 = (await makeInvoice(p, orgA.id, { number: 104900, title: 'Voorjaarsfactuur', date: '2017-03-01' })).id;
  ids.sub = (await makeInvoice(p, orgB.id, { number: 105100, title: 'Factuur dochter', date: '2017-07-10' })).id;
  ids.other = (await makeInvoice(p, orgC.id, { number: 105200, title: 'Factuur andere klant' })).id;
  ids.lines = (
    await makeInvoice(p, orgA.id, {
      number: 106000,
      title: 'Levering juli',
      date: '2016-07-06',
      organizationName: 'Demo Pim (Persoonlijke Informatie Manager)',
      amountExclVat: '1462.47',
      vatAmount: '302.45',
      lines: [
        { description: 'Helpdesk juni', quantity: '1', unitPrice: '125.50', vatRate: '21', amount: '125.50' },
        { description: 'Iphone 7 32gb Silver', quantity: '2', unitPrice: '649.00', vatRate: '21', amount: '1298.00' },
        { description: 'Handboek telefonie', quantity: '3', unitPrice: '12.99', vatRate: '9', amount: '38.97' },
      ],
    })
  ).id;
});
afterAll(() => db.drop());

async function as(key: string) {
  const agent = client(app);
  expect((await logIn(agent, people[key]!, PASSWORD)).status).toBe(302);
  return agent;
}

/** Invoice numbers in the table, top to bottom. */
const numbersIn = (html: string) => [...html.matchAll(/<th scope="row">(\d+)<\/th>/g)].map((m) => Number(m[1]));

describe('GET /invoices', () => {
  it("shows the last six calendar months by default: number descending, Dutch amounts, the finance department's contact", async () => {
    const res = await (await as('finance')).get('/invoices');
    expect(res.status).toBe(200);
    const text = visibleText(res.text);
    expect(text).toContain('8 gevonden');
    expect(text).toContain('Organisatie › Demo Pim (Persoonlijke Informatie Manager)');
    expect(text).toContain('Factuurdatum › vanaf 1-7-2017 tot en met 15-12-2017');
    expect(numbersIn(res.text)).toEqual([105035, 105006, 105005, 105004, 105003, 105002, 105001, 105000]);
    for (const h of [
      'Factuurnr',
      'Factuurtitel',
      'Factuurdatum',
      'Factuurbedrag excl. BTW',
      'Organisatienaam op factuur',
      'Download',
    ])
      expect(text).toContain(h);
    expect(text).toContain(
      '105035 Test Maandfactuur augustus 2017 6-7-2017 € 1.234,56 Demo Pim (Persoonlijke Informatie Manager)',
    );
    expect(text).toContain('€ 0,00');
    expect(text).toContain('administratie@vcareconnect.nl of telefonisch op 088 4 800 900 (optie 4)');
    expect(res.text).toContain('aria-sort="descending"');
    // Neither the subsidiary's (no SUBSIDIARY_ACCESS) nor another customer's invoices.
    expect(text).not.toContain('105100');
    expect(text).not.toContain('105200');
  });

  it('with SUBSIDIARY_ACCESS includes the subsidiaries ("ook dochterorganisaties ... ja"), and can leave them out or pick one', async () => {
    const agent = await as('financeTree');
    const all = await agent.get('/invoices');
    expect(visibleText(all.text)).toContain('9 gevonden');
    expect(visibleText(all.text)).toContain(
      'ook dochterorganisaties van Demo Pim (Persoonlijke Informatie Manager) › ja',
    );
    expect(numbersIn(all.text)).toContain(105100);
    expect(numbersIn((await agent.get('/invoices?subs=nee')).text)).not.toContain(105100);
    expect(numbersIn((await agent.get(`/invoices?org=${orgB.id}`)).text)).toEqual([105100]);
    // An organisation outside the scope is not a way in: the person's own is shown.
    const outside = await agent.get(`/invoices?org=${orgC.id}&dates=all`);
    expect(numbersIn(outside.text)).not.toContain(105200);
    expect(visibleText(outside.text)).toContain('Organisatie › Demo Pim (Persoonlijke Informatie Manager)');
  });

  it('a person at the subsidiary sees only the subsidiary, never the parent', async () => {
    const res = await (await as('financeSub')).get(`/invoices?org=${orgA.id}&dates=all`);
    expect(numbersIn(res.text)).toEqual([105100]);
  });

  it('filters on a date range, on all dates, and searches number and title; chips can be removed', async () => {
    const agent = await as('finance');
    const h1 = await agent.get('/invoices?from=2017-01-01&to=30-6-2017');
    expect(numbersIn(h1.text)).toEqual([104900]);
    expect(visibleText(h1.text)).toContain('Factuurdatum › vanaf 1-1-2017 tot en met 30-6-2017');
    expect(h1.text).toMatch(/href="\/invoices"[^>]*class="chip__remove"|class="chip__remove" href="\/invoices"/);
    expect(numbersIn((await agent.get('/invoices?dates=all')).text)).toHaveLength(10);
    expect(numbersIn((await agent.get('/invoices?q=105003')).text)).toEqual([105003]);
    const q = await agent.get('/invoices?q=walldisplay');
    expect(numbersIn(q.text)).toEqual([105004]);
    expect(visibleText(q.text)).toContain('Zoeken › walldisplay');
    // Wildcards are searched for literally: "%" is not "everything".
    expect(numbersIn((await agent.get('/invoices?dates=all&q=%25')).text)).toEqual([]);
    expect(numbersIn((await agent.get('/invoices?dates=all&q=_')).text)).toEqual([]);
  });

  it('takes the day first, as the hint says, however it is typed: 01022017 is 1 February 2017', async () => {
    const agent = await as('finance');
    const expected = numbersIn((await agent.get('/invoices?from=2017-02-01&to=2017-06-30')).text);
    for (const [from, to] of <[string, string][]>[
      ['1-2-2017', '30-6-2017'],
      ['01-02-2017', '30-06-2017'],
      ['01022017', '30062017'],
      ['1/2/2017', '30.6.2017'],
    ]) {
      const res = await agent.get(`/invoices?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
      expect(res.status, from).toBe(200);
      expect(numbersIn(res.text), from).toEqual(expected);
      expect(visibleText(res.text)).toContain('vanaf 1-2-2017 tot en met 30-6-2017');
    }
    // A text field with the hint, never a native date field (its order is the browser's, not the hint's).
    const page = (await agent.get('/invoices?from=01022017')).text;
    expect(page).not.toContain('type="date"');
    expect(page).toMatch(/<input id="f-from" name="from" type="text"[^>]* inputmode="numeric"[^>]* value="1-2-2017"/);
    expect(visibleText(page)).toContain('Bijvoorbeeld 1-7-2026 of 01072026');
    // 13 as a month is not a date (not 1 January of the next year), and a period backwards is refused too.
    for (const bad of [
      'from=01132017',
      'from=32-1-2017',
      'from=2017-13-01',
      'from=1-7-17',
      'from=1-7-2017&to=1-6-2017',
    ]) {
      const res = await agent.get(`/invoices?${bad}`);
      expect(res.status, bad).toBe(422);
      expect(res.text).toMatch(/<title>Fout: Facturen/);
    }
  });

  it('refuses a date that is not a date with 422 and the message, keeping what was typed', async () => {
    const res = await (await as('finance')).get('/invoices?from=31-2-2017');
    expect(res.status).toBe(422);
    expect(visibleText(res.text)).toContain('Er is een probleem Vul een geldige datum in');
    expect(res.text).toContain('value="31-2-2017"');
  });

  it('sorts on every column, both ways', async () => {
    const agent = await as('finance');
    for (const sort of ['number', 'title', 'date', 'amount', 'orgName']) {
      for (const dir of ['asc', 'desc']) {
        const res = await agent.get(`/invoices?sort=${sort}&dir=${dir}`);
        expect(res.status, `${sort} ${dir}`).toBe(200);
        expect(res.text).toContain(`aria-sort="${dir === 'asc' ? 'ascending' : 'descending'}"`);
      }
    }
    const byAmount = numbersIn((await agent.get('/invoices?sort=amount&dir=desc')).text);
    expect(byAmount.slice(0, 2)).toEqual([105035, 105000]);
    const byTitle = numbersIn((await agent.get('/invoices?sort=title&dir=asc')).text);
    expect(byTitle[0]).toBe(105000); // "Test Helpdesk ..."
  });

  it('when the default period holds no invoice, says so and offers the period of the most recent invoice in one click', async () => {
    const { app: laterApp } = testApp(db, { clock: new TestClock(Date.parse('2026-11-29T10:00:00Z')) });
    const agent = client(laterApp);
    await logIn(agent, people.finance!, PASSWORD);
    const empty = await agent.get('/invoices');
    const text = visibleText(empty.text);
    expect(text).toContain('0 gevonden');
    expect(text).toContain('Er zijn geen facturen in de periode vanaf 1-6-2026 tot en met 29-11-2026.');
    expect(text).toContain('De meest recente factuur is van 6-7-2017.');
    const link =
      /<a class="button button--orange" href="([^"]+)">Toon de facturen vanaf 1-2-2017 tot en met 6-7-2017<\/a>/.exec(
        empty.text,
      );
    expect(link?.[1]).toBe('/invoices?from=2017-02-01&amp;to=2017-07-06');
    const res = await agent.get(link![1]!.replace(/&amp;/g, '&'));
    expect(numbersIn(res.text)).toEqual([105035, 105006, 105005, 105004, 105003, 105002, 105001, 105000, 104900]);
    // A person whose organisations have no invoice at all is told that, with no link.
    const none = await makeOrg(db.prisma, { name: 'Nieuwe klant' });
    const fresh = client(laterApp);
    await logIn(
      fresh,
      (await makePerson(db.prisma, none.id, { roles: ['PORTAL_ACCESS', 'VIEW_INVOICES'] })).email!,
      PASSWORD,
    );
    const nothing = visibleText((await fresh.get('/invoices')).text);
    expect(nothing).toContain('Er zijn nog geen facturen.');
    expect(nothing).not.toContain('Toon de facturen');
  });

  it('is refused (403) without VIEW_INVOICES', async () => {
    const agent = await as('noRole');
    for (const url of ['/invoices', '/invoices/export.csv', '/invoices/export.zip', `/invoices/${ids[105035]}/pdf`])
      expect((await agent.get(url)).status, url).toBe(403);
  });
});

describe('GET /invoices/:id/pdf', () => {
  it('generates a Dutch invoice: vendor, customer, number, date, due date, each line, VAT per rate, totals that add up', async () => {
    const res = await (await as('finance')).get(`/invoices/${ids.lines}/pdf`).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe('attachment; filename="factuur-106000.pdf"');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const body = res.body as Buffer;
    expect(body.subarray(0, 5).toString()).toBe('%PDF-');
    const text = (await pdfText(body)).replace(/\s+/g, ' ');
    for (const s of [
      'Factuur',
      'Vcare connect',
      'Postbus 176, 7500 AD Enschede',
      'Pantheon 2, 7521 PR Enschede',
      'Factuurnummer 106000',
      'Factuurdatum 6-7-2016',
      'Betalingstermijn 30 dagen',
      'Vervaldatum 5-8-2016',
      'Demo Pim (Persoonlijke Informatie Manager)',
      'Pantheon 2',
      '7521 PR Enschede',
      'Helpdesk juni 1 € 125,50 21% € 125,50',
      'Iphone 7 32gb Silver 2 € 649,00 21% € 1.298,00',
      'Handboek telefonie 3 € 12,99 9% € 38,97',
      'Totaal excl. BTW € 1.462,47',
      'BTW 9% over € 38,97 € 3,51',
      'BTW 21% over € 1.423,50 € 298,94',
      'Totaal incl. BTW € 1.764,92',
    ]) {
      expect(text, s).toContain(s);
    }
    // The amounts add up: lines to the total excl. VAT, plus VAT per rate to the total.
    const cents = (s: string) => Number(s.replace(/[€ .]/g, '').replace(',', ''));
    expect(12550 + 2 * 64900 + 3 * 1299).toBe(cents('€ 1.462,47'));
    expect(cents('€ 1.462,47') + cents('€ 3,51') + cents('€ 298,94')).toBe(cents('€ 1.764,92'));
  });

  it('serves the PDF staff stored, byte for byte', async () => {
    const res = await (await as('finance')).get(`/invoices/${ids[105002]}/pdf`).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(Buffer.compare(res.body as Buffer, STORED_PDF)).toBe(0);
    expect(res.headers['content-disposition']).toBe('attachment; filename="factuur-105002.pdf"');
  });

  it('opens in the browser with ?view=1 (stored or generated); the list offers view, download and the e-invoice', async () => {
    const agent = await as('finance');
    for (const id of [ids[105002], ids.lines]) {
      const res = await agent.get(`/invoices/${id}/pdf?view=1`).buffer(true).parse(binary);
      expect(res.status).toBe(200);
      expect(res.headers['content-disposition']).toMatch(/^inline; filename="factuur-\d+\.pdf"$/);
      expect((res.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
    }
    const list = await agent.get('/invoices?dates=all');
    const cell = new RegExp(
      `<a class="download-link" href="/invoices/${ids[105002]}/pdf\\?view=1"[^>]*>Pdf bekijken</a></li>\\s*` +
        `<li><a class="download-link" href="/invoices/${ids[105002]}/pdf"[^>]*>Pdf downloaden</a></li>\\s*` +
        `<li><a class="download-link" href="/invoices/${ids[105002]}/ubl"[^>]*>E-factuur \\(UBL\\)</a>`,
    );
    expect(list.text).toMatch(cell);
    expect(visibleText(list.text)).not.toMatch(/\bUBL\b(?! ?\))/);
  });

  it('answers 404 outside the scope: another customer, a subsidiary without SUBSIDIARY_ACCESS, a parent, or no such id', async () => {
    expect((await (await as('financeC')).get(`/invoices/${ids[105035]}/pdf`)).status).toBe(404);
    expect((await (await as('finance')).get(`/invoices/${ids.sub}/pdf`)).status).toBe(404);
    expect((await (await as('financeSub')).get(`/invoices/${ids[105035]}/pdf`)).status).toBe(404);
    const agent = await as('finance');
    for (const id of ['999999', 'abc', '0', '1e3'])
      expect((await agent.get(`/invoices/${id}/pdf`)).status, id).toBe(404);
    // ... and the subsidiary's invoice with SUBSIDIARY_ACCESS.
    expect((await (await as('financeTree')).get(`/invoices/${ids.sub}/pdf`)).status).toBe(200);
  });
});

describe('exports of the filtered list', () => {
  it('CSV: the filtered rows, Dutch Excel format', async () => {
    const res = await (await as('finance')).get('/invoices/export.csv?q=Test');
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="facturen.csv"');
    expect(res.headers['cache-control']).toBe('no-store');
    const lines = res.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('Factuurnr;Factuurtitel;Factuurdatum;Factuurbedrag excl. BTW;BTW;Organisatienaam op factuur');
    expect(lines).toHaveLength(9);
    expect(lines[1]).toBe(
      '105035;Test Maandfactuur augustus 2017;6-7-2017;1234,56;21,00;Demo Pim (Persoonlijke Informatie Manager)',
    );
  });

  it('ZIP: one PDF and one UBL e-invoice per invoice of the filtered list, stored PDFs byte for byte', async () => {
    const res = await (await as('financeTree')).get('/invoices/export.zip').buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toBe('attachment; filename="facturen.zip"');
    expect(res.headers['cache-control']).toBe('no-store');
    const entries = readZip(res.body as Buffer);
    expect([...entries.keys()].sort()).toEqual(
      [
        ...DEMO.map(([n]) => `factuur-${n}.pdf`),
        'factuur-105100.pdf',
        ...DEMO.map(([n]) => `factuur-${n}.xml`),
        'factuur-105100.xml',
      ].sort(),
    );
    expect(Buffer.compare(entries.get('factuur-105002.pdf')!, STORED_PDF)).toBe(0);
    expect(await pdfText(entries.get('factuur-105100.pdf')!)).toContain('Factuur dochter');
  });

  it('ZIP: refuses a selection over 500 invoices with a page that says so, before sending anything', async () => {
    const big = await makeOrg(db.prisma, { name: 'Grote keten' });
    const email = (await makePerson(db.prisma, big.id, { roles: ['PORTAL_ACCESS', 'VIEW_INVOICES'] })).email!;
    await db.prisma.invoice.createMany({
      data: Array.from({ length: 501 }, (_, i) => ({
        number: 300_000 + i,
        organizationId: big.id,
        title: `Factuur ${i}`,
        invoiceDate: new Date('2017-08-01T00:00:00Z'),
        amountExclVat: '1.00',
        vatAmount: '0.21',
        organizationName: big.name,
      })),
    });
    const agent = client(app);
    await logIn(agent, email, PASSWORD);
    const res = await agent.get('/invoices/export.zip');
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(visibleText(res.text)).toContain('maximaal 500 facturen');
    // A narrower selection works.
    const narrow = await agent.get('/invoices/export.zip?q=Factuur 42').buffer(true).parse(binary);
    expect(narrow.status).toBe(200);
    expect(readZip(narrow.body as Buffer).size).toBeGreaterThan(0);
  });
});
