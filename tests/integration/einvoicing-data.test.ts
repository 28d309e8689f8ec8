import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import request from 'supertest';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, logIn, testApp, visibleText } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { invoiceBody, makeToken, runPim } from '../support/api.js';

/**
 * The data e-invoices need, at every door: an organisation's KvK number, OIN, Peppol participant
 * id and e-invoice format (staff tool, API, organisation page), and the invoice a credit note
 * credits (invoice:add, invoice:import, API), each checked before anything is written.
 */

let db: TestDb;
let app: Express;
let token: string;
let orgA: number;
let orgB: number;

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db));
  token = (await makeToken(db.prisma, 'read,organizations:write,invoices:write')).token;
  orgA = (await makeOrg(db.prisma, { name: 'Apotheek Oost' })).id;
  orgB = (await makeOrg(db.prisma, { name: 'Apotheek West' })).id;
  for (const [n, org] of [
    [109000, orgA],
    [109100, orgB],
  ] as const) {
    const res = await request(app)
      .put(`/api/v1/invoices/${n}`)
      .set(auth())
      .send(invoiceBody(org, { date: '2026-11-30' }));
    expect(res.status).toBe(201);
  }
});
afterAll(() => db.drop());

const auth = () => ({ authorization: `Bearer ${token}` });
const orgRow = (id: number) => db.prisma.organization.findUniqueOrThrow({ where: { id } });

describe('pim org:einvoicing and org:add', () => {
  it('sets the KvK number, OIN, Peppol id and format; an empty value clears one', async () => {
    const r = await runPim(
      db.prisma,
      'org:einvoicing',
      String(orgA),
      '--kvk-number',
      '0812 3456',
      '--peppol-id',
      '0088:8712345678906',
      '--einvoice-format',
      'nlcius',
    );
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.out.join('\n')).toContain('KvK 08123456, OIN -, Peppol id 0088:8712345678906, format nlcius');
    expect(await orgRow(orgA)).toMatchObject({
      kvkNumber: '08123456',
      oin: null,
      peppolId: '0088:8712345678906',
      einvoiceNlcius: true,
    });
    const clear = await runPim(db.prisma, 'org:einvoicing', String(orgA), '--peppol-id', '');
    expect(clear.code).toBe(0);
    expect((await orgRow(orgA)).peppolId).toBeNull();
  });

  it('refuses bad values naming the option, and NLCIUS without KvK or OIN (BR-NL-10); nothing changes', async () => {
    const before = await orgRow(orgB);
    for (const [argv, message] of [
      [['--kvk-number', '1234567'], '--kvk-number: not a KvK number (8 digits)'],
      [['--oin', '123'], '--oin: not an OIN (20 digits)'],
      [['--peppol-id', 'a@b.nl'], '--peppol-id: not a Peppol participant id'],
      [['--peppol-id', 'EM:a@b.nl'], '--peppol-id: not a Peppol participant id'],
      [['--peppol-id', '0000:123'], '--peppol-id: 0000 is not a Peppol electronic address scheme'],
      [['--peppol-id', '0106:123'], '--peppol-id: a KvK number (scheme 0106) has 8 digits'],
      [['--einvoice-format', 'xrechnung'], '--einvoice-format: must be peppol or nlcius'],
      [
        ['--kvk-number', '', '--einvoice-format', 'nlcius'],
        '--einvoice-format: NLCIUS needs the KvK number or the OIN',
      ],
    ] as const) {
      const r = await runPim(db.prisma, 'org:einvoicing', String(orgB), ...argv);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.err.join('\n'), argv.join(' ')).toContain(message);
    }
    expect(await orgRow(orgB)).toEqual(before);
    expect((await runPim(db.prisma, 'org:einvoicing', '999999', '--oin', '')).err.join('')).toContain(
      'no organisation with id 999999',
    );
  });

  it('org:add takes them too', async () => {
    const r = await runPim(
      db.prisma,
      'org:add',
      '--name',
      'Gemeente Hengelo',
      '--oin',
      '00000001001172773000',
      '--einvoice-format',
      'nlcius',
    );
    expect(r.code, r.err.join('\n')).toBe(0);
    const id = Number(/organisation (\d+) created/.exec(r.out[0]!)![1]);
    expect(await orgRow(id)).toMatchObject({ oin: '00000001001172773000', kvkNumber: null, einvoiceNlcius: true });
  });
});

describe('the API: organisations carry their e-invoicing data', () => {
  it('PATCH sets and clears them, GET shows them; a bad value or NLCIUS without an id is a 422 that changes nothing', async () => {
    const patch = await request(app)
      .patch(`/api/v1/organizations/${orgB}`)
      .set(auth())
      .send({ kvkNumber: '87654321', oin: null, peppolId: '0106:87654321', einvoiceFormat: 'peppol' });
    expect(patch.status, patch.text).toBe(200);
    expect(patch.body).toMatchObject({
      kvkNumber: '87654321',
      oin: null,
      peppolId: '0106:87654321',
      einvoiceFormat: 'peppol',
    });
    const before = await orgRow(orgB);
    for (const body of [
      { kvkNumber: '8765432' },
      { peppolId: 'EM:a@b.nl' },
      { einvoiceFormat: 'ubl' },
      { kvkNumber: null, einvoiceFormat: 'nlcius' },
    ]) {
      const res = await request(app).patch(`/api/v1/organizations/${orgB}`).set(auth()).send(body);
      expect(res.status, JSON.stringify(body)).toBe(422);
    }
    expect(await orgRow(orgB)).toEqual(before);
    const doc = (await request(app).get('/api/v1/openapi.json')).body as {
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    for (const schema of ['Organization', 'OrganizationPatch', 'OrganizationInput'])
      expect(Object.keys(doc.components.schemas[schema]!.properties), schema).toEqual(
        expect.arrayContaining(['kvkNumber', 'oin', 'peppolId', 'einvoiceFormat']),
      );
    expect(Object.keys(doc.components.schemas.Invoice!.properties)).toContain('creditsInvoice');
    expect(Object.keys(doc.components.schemas.InvoiceInput!.properties)).toContain('creditsInvoice');
  });

  it('the organisation page shows them', async () => {
    const email = (await makePerson(db.prisma, orgB, { roles: ['PORTAL_ACCESS', 'VIEW_ORGANIZATION'] })).email!;
    const agent = client(app);
    await logIn(agent, email, PASSWORD);
    const text = visibleText((await agent.get(`/organisations/${orgB}`)).text);
    expect(text).toContain('E-facturatie');
    expect(text).toContain('KvK-nummer 87654321');
    expect(text).toContain('Peppol-ID (e-factuuradres) 0106:87654321');
    expect(text).toContain('Formaat e-factuur Peppol BIS Billing 3.0');
  });
});

describe('a credit note names the invoice it credits', () => {
  const credit = (over: Record<string, unknown> = {}) =>
    invoiceBody(orgA, {
      date: '2026-12-01',
      lines: [{ description: 'Retour', quantity: '-1', unitPrice: '62.75', vatRate: '21' }],
      ...over,
    });

  it('API: must exist, be of the same organisation, and only a credit credits; 422 naming creditsInvoice, nothing stored', async () => {
    for (const [body, detail] of [
      [credit({ creditsInvoice: 109999 }), 'no invoice 109999'],
      [credit({ creditsInvoice: 109100 }), 'invoice 109100 belongs to another organisation'],
      [invoiceBody(orgA, { creditsInvoice: 109000 }), 'only a credit invoice (a negative total) credits an invoice'],
      [credit({ creditsInvoice: 109001 }), 'an invoice cannot credit itself'],
    ] as const) {
      const res = await request(app).put('/api/v1/invoices/109001').set(auth()).send(body);
      expect(res.status, res.text).toBe(422);
      expect(JSON.stringify(res.body), detail).toContain(detail);
      expect(JSON.stringify(res.body)).toContain('/creditsInvoice');
    }
    expect(await db.prisma.invoice.count({ where: { number: 109001 } })).toBe(0);
    const ok = await request(app)
      .put('/api/v1/invoices/109001')
      .set(auth())
      .send(credit({ creditsInvoice: 109000 }));
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.creditsInvoice).toBe(109000);
    // Replacing it without the reference is a change that clears it.
    const replaced = await request(app).put('/api/v1/invoices/109001').set(auth()).send(credit());
    expect(replaced.status).toBe(200);
    expect(replaced.body.creditsInvoice).toBeNull();
  });

  it('API: an invoice a credit note credits cannot move to another organisation (422, nothing changes)', async () => {
    const made = await request(app)
      .put('/api/v1/invoices/109003')
      .set(auth())
      .send(credit({ creditsInvoice: 109000 }));
    expect(made.status, made.text).toBe(201);
    const before = await db.prisma.invoice.findUniqueOrThrow({ where: { number: 109000 } });
    const res = await request(app).put('/api/v1/invoices/109000').set(auth()).send(invoiceBody(orgB));
    expect(res.status, res.text).toBe(422);
    expect(JSON.stringify(res.body)).toContain('credited by credit note 109003');
    expect(JSON.stringify(res.body)).toContain('/organizationId');
    expect(await db.prisma.invoice.findUniqueOrThrow({ where: { number: 109000 } })).toEqual(before);
  });

  it('invoice:add --credits: refused naming the option, nothing stored; accepted for an invoice of the same organisation', async () => {
    const add = (...extra: string[]) =>
      runPim(
        db.prisma,
        'invoice:add',
        '--number',
        '109002',
        '--org',
        String(orgA),
        '--title',
        'Creditering',
        '--date',
        '2026-12-01',
        '--line',
        'Retour;-1;10.00;21',
        ...extra,
      );
    const other = await add('--credits', '109100');
    expect(other.code).toBe(1);
    expect(other.err.join('\n')).toContain('--credits: invoice 109100 belongs to another organisation');
    const bad = await add('--credits', 'abc');
    expect(bad.err.join('\n')).toContain('--credits: must be a positive whole number');
    expect(await db.prisma.invoice.count({ where: { number: 109002 } })).toBe(0);
    expect((await add('--credits', '109000')).code).toBe(0);
    const row = await db.prisma.invoice.findUniqueOrThrow({
      where: { number: 109002 },
      select: { creditedInvoice: { select: { number: true } } },
    });
    expect(row.creditedInvoice?.number).toBe(109000);
  });

  it('invoice:import: credits_invoice (CSV) may name an invoice earlier in the same file; a bad one refuses the whole file', async () => {
    const file = (name: string, body: string) => {
      const f = path.join(tmpdir(), `pim-credit-${process.pid}-${name}`);
      writeFileSync(f, body);
      return f;
    };
    const head = 'number;organization_id;title;date;description;quantity;unit_price;vat_rate;credits_invoice\n';
    const bad = file(
      'bad.csv',
      `${head}109010;${orgA};Levering;2026-12-01;Boek;1;20.00;9;\n109011;${orgA};Credit;2026-12-02;Boek;-1;20.00;9;109100\n`,
    );
    const refused = await runPim(db.prisma, 'invoice:import', bad, '--no-progress');
    expect(refused.code).toBe(1);
    expect(refused.err.join('\n')).toContain('line 3: credits_invoice: invoice 109100 belongs to another organisation');
    expect(await db.prisma.invoice.count({ where: { number: { in: [109010, 109011] } } })).toBe(0);
    const good = file(
      'good.json',
      JSON.stringify([
        {
          number: 109020,
          organizationId: orgA,
          title: 'Levering',
          date: '2026-12-01',
          lines: [{ description: 'Boek', quantity: '1', unitPrice: '20.00', vatRate: '9' }],
        },
        {
          number: 109021,
          organizationId: orgA,
          title: 'Credit',
          date: '2026-12-02',
          creditsInvoice: 109020,
          lines: [{ description: 'Boek', quantity: '-1', unitPrice: '20.00', vatRate: '9' }],
        },
      ]),
    );
    const imported = await runPim(db.prisma, 'invoice:import', good, '--no-progress');
    expect(imported.code, imported.err.join('\n')).toBe(0);
    const row = await db.prisma.invoice.findUniqueOrThrow({
      where: { number: 109021 },
      select: { creditedInvoice: { select: { number: true } } },
    });
    expect(row.creditedInvoice?.number).toBe(109020);
  });
});
