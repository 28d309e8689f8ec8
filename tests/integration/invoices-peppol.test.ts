import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import request from 'supertest';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, logIn, testApp, TestClock, visibleText } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { binary, makeInvoice, pdfText, readZip } from '../support/invoices-factories.js';
import { makeToken, runPim } from '../support/api.js';
import { p, xpaths, xsdErrors } from '../support/ubl.js';
import { fatalRulesOf, schematronErrors } from '../support/schematron.js';
import { DEMO_LOGIN, DEMO_PASSWORD, seedDemo } from '../../src/demo/seed.js';

/**
 * Every e-invoice PIM generates passes what an access point checks: the official OASIS UBL 2.1
 * schema, the EN 16931 rules and Peppol BIS Billing 3.0 (with the Dutch NL-R-* rules) as published
 * (tests/support/peppol), with no fatal rule; NLCIUS documents for an organisation set to it. One
 * that could not be valid is not offered: the page says why and who can fix it.
 */

let db: TestDb;
let app: Express;
const people: Record<string, string> = {};
const ids: Record<string, number> = {};
const orgs: Record<string, number> = {};
let writer: string;
/** The official rules take seconds per document (a few on a busy machine with several test files at once). */
const SLOW = 300_000;

const L = (description: string, quantity: string, unitPrice: string, vatRate: string) => ({
  description,
  quantity,
  unitPrice,
  vatRate,
});

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db, { clock: new TestClock(Date.parse('2026-12-01T10:00:00Z')) }));
  const prisma = db.prisma;
  await seedDemo(prisma, 'system', new Date(Date.parse('2026-12-01T10:00:00Z')));
  writer = (await makeToken(prisma, 'read,invoices:write,organizations:write')).token;

  orgs.hap = (await makeOrg(prisma, { name: 'Huisartsenpost Twente' })).id;
  orgs.sub = (await makeOrg(prisma, { name: 'Huisartsenpost Twente Hengelo', parentId: orgs.hap })).id;
  orgs.uk = (await makeOrg(prisma, { name: 'Clinic Ltd' })).id;
  orgs.gov = (await makeOrg(prisma, { name: 'Gemeente Enschede' })).id;
  orgs.bare = (await makeOrg(prisma, { name: 'Apotheek Zonder Adres' })).id;
  await prisma.organization.update({
    where: { id: orgs.uk },
    data: {
      postalStreet: '1 High Street',
      postalPostcode: 'SW1A 1AA',
      postalCity: 'London',
      postalCountry: 'United Kingdom',
      kvkNumber: null,
      peppolId: '9932:GB123456789',
    },
  });
  await prisma.organization.update({
    where: { id: orgs.bare },
    data: { postalStreet: null, postalPostcode: null, postalCity: null, kvkNumber: null },
  });
  // The government customer is set to NLCIUS through the staff tool, with its OIN.
  const set = await runPim(
    prisma,
    'org:einvoicing',
    String(orgs.gov),
    '--kvk-number',
    '',
    '--oin',
    '00000001001172773000',
    '--einvoice-format',
    'nlcius',
  );
  expect(set.code, set.err.join('\n')).toBe(0);

  for (const [key, org, roles] of [
    ['hap', orgs.hap, ['PORTAL_ACCESS', 'VIEW_INVOICES', 'SUBSIDIARY_ACCESS']],
    ['uk', orgs.uk, ['PORTAL_ACCESS', 'VIEW_INVOICES']],
    ['gov', orgs.gov, ['PORTAL_ACCESS', 'VIEW_INVOICES']],
    ['bare', orgs.bare, ['PORTAL_ACCESS', 'VIEW_INVOICES']],
  ] as const)
    people[key] = (await makePerson(prisma, org, { roles: [...roles] })).email!;

  // 21, 9 and 0% on one invoice, through the API as the ERP sends it.
  const put = async (number: number, body: Record<string, unknown>) => {
    const res = await request(app)
      .put(`/api/v1/invoices/${number}`)
      .set({ authorization: `Bearer ${writer}` })
      .send(body);
    expect(res.status, res.text).toBe(201);
    return (await prisma.invoice.findUniqueOrThrow({ where: { number } })).id;
  };
  ids.rates = await put(108000, {
    organizationId: orgs.hap,
    title: 'Levering november',
    date: '2026-11-30',
    lines: [
      L('Helpdesk november', '1', '125.50', '21'),
      L('Iphone 7 32gb Silver', '2', '649.00', '21'),
      L('Handboek telefonie', '3', '12.99', '9'),
      L('Porto', '1', '4.10', '0'),
    ],
  });
  // Two credit notes: one through the API, one through the staff tool, each naming the invoice it credits.
  ids.creditApi = await put(108001, {
    organizationId: orgs.hap,
    title: 'Creditering headsets',
    date: '2026-12-01',
    creditsInvoice: 108000,
    lines: [L('Headset retour', '-2', '30.00', '21'), L('Verzendkosten', '1', '10.00', '21')],
  });
  const add = await runPim(
    prisma,
    'invoice:add',
    '--number',
    '108002',
    '--org',
    String(orgs.hap),
    '--title',
    'Creditering handboeken',
    '--date',
    '2026-12-01',
    '--line',
    'Handboek telefonie retour;-1;12.99;9',
    '--credits',
    '108000',
  );
  expect(add.code, add.err.join('\n')).toBe(0);
  ids.creditCli = (await prisma.invoice.findUniqueOrThrow({ where: { number: 108002 } })).id;
  ids.sub = await put(108003, {
    organizationId: orgs.sub,
    title: 'Helpdesk dochter',
    date: '2026-11-30',
    lines: [L('Helpdesk', '1', '100.00', '21')],
  });
  ids.uk = await put(108004, {
    organizationId: orgs.uk,
    title: 'Licence',
    date: '2026-11-30',
    lines: [L('Operator licence', '3', '15.00', '21')],
  });
  ids.gov = await put(108005, {
    organizationId: orgs.gov,
    title: 'Telefonie november',
    date: '2026-11-30',
    lines: [L('Telefonie', '1', '250.00', '21'), L('Boeken', '2', '10.00', '9')],
  });
  ids.govCredit = await put(108006, {
    organizationId: orgs.gov,
    title: 'Creditering telefonie',
    date: '2026-12-01',
    creditsInvoice: 108005,
    lines: [L('Telefonie', '-1', '50.00', '21')],
  });
  ids.bare = (await makeInvoice(prisma, orgs.bare, { number: 108007, date: '2026-11-30' })).id;
  ids.creditWithout = (
    await makeInvoice(prisma, orgs.hap, {
      number: 108008,
      date: '2026-12-01',
      amountExclVat: '-10.00',
      vatAmount: '-2.10',
      lines: [{ description: 'Retour', quantity: '-1', unitPrice: '10.00', vatRate: '21', amount: '-10.00' }],
    })
  ).id;
}, SLOW);
afterAll(() => db.drop());

async function as(username: string, password = PASSWORD) {
  const agent = client(app);
  expect((await logIn(agent, username, password)).status).toBe(302);
  return agent;
}
const ubl = async (who: string, id: number, password?: string) => {
  const res = await (await as(who, password)).get(`/invoices/${id}/ubl`);
  expect(res.status, res.text.slice(0, 500)).toBe(200);
  return res.text;
};

/** Everything a receiving access point checks, as one list of refusals (empty: accepted). */
async function refusals(xml: string, profile: 'peppol' | 'nlcius' = 'peppol') {
  return [...(await xsdErrors(xml)), ...schematronErrors(xml, profile)];
}

describe('every generated e-invoice passes the official UBL 2.1 schema, EN 16931 and Peppol BIS 3.0', () => {
  // One test per demo invoice: the rules take seconds per document on a busy machine.
  it.each([105000, 105001, 105002, 105003, 105004, 105005, 105006, 105035])(
    "the demo's invoice %i",
    { timeout: SLOW },
    async (number) => {
      const inv = await db.prisma.invoice.findUniqueOrThrow({ where: { number } });
      expect(await refusals(await ubl(DEMO_LOGIN, inv.id, DEMO_PASSWORD))).toEqual([]);
    },
  );

  it(
    'an invoice with 21, 9 and 0% VAT: one breakdown per rate, 0% as category Z',
    async () => {
      const xml = await ubl(people.hap!, ids.rates!);
      expect(await refusals(xml)).toEqual([]);
      const sub = (cat: string, field: string) =>
        `/*/${p('cac:TaxTotal/cac:TaxSubtotal')}[${p('cac:TaxCategory/cbc:ID')} = '${cat}']/${p(field)}`;
      expect(
        await xpaths(xml, [
          `count(/*/${p('cac:TaxTotal/cac:TaxSubtotal')})`,
          sub('Z', 'cbc:TaxableAmount'),
          `/*/${p('cac:LegalMonetaryTotal/cbc:PayableAmount')}`,
        ]),
      ).toEqual(['3', '4.10', '1769.02']);
    },
    SLOW,
  );

  it(
    'both credit notes (API and staff tool) name the invoice they credit (NL-R-001)',
    async () => {
      for (const id of [ids.creditApi!, ids.creditCli!]) {
        const xml = await ubl(people.hap!, id);
        expect(await refusals(xml)).toEqual([]);
        expect(
          await xpaths(xml, [
            'local-name(/*)',
            `/*/${p('cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID')}`,
            `/*/${p('cac:BillingReference/cac:InvoiceDocumentReference/cbc:IssueDate')}`,
          ]),
        ).toEqual(['CreditNote', '108000', '2026-11-30']);
      }
    },
    SLOW,
  );

  it(
    "a subsidiary's invoice: its own address and KvK number as buyer endpoint (0106) and legal id",
    async () => {
      const xml = await ubl(people.hap!, ids.sub!);
      expect(await refusals(xml)).toEqual([]);
      const buyer = `/*/${p('cac:AccountingCustomerParty/cac:Party')}`;
      const kvk = (await db.prisma.organization.findUniqueOrThrow({ where: { id: orgs.sub } })).kvkNumber!;
      expect(
        await xpaths(xml, [
          `${buyer}/${p('cbc:EndpointID')}`,
          `${buyer}/${p('cbc:EndpointID')}/@schemeID`,
          `${buyer}/${p('cac:PartyLegalEntity/cbc:CompanyID')}`,
          `${buyer}/${p('cac:PartyLegalEntity/cbc:CompanyID')}/@schemeID`,
          `${buyer}/${p('cac:PostalAddress/cbc:StreetName')}`,
        ]),
      ).toEqual([kvk, '0106', kvk, '0106', 'Pantheon 2']);
    },
    SLOW,
  );

  it(
    'an English customer: its Peppol participant id as endpoint and GB as country',
    async () => {
      const xml = await ubl(people.uk!, ids.uk!);
      expect(await refusals(xml)).toEqual([]);
      const buyer = `/*/${p('cac:AccountingCustomerParty/cac:Party')}`;
      expect(
        await xpaths(xml, [
          `${buyer}/${p('cbc:EndpointID')}`,
          `${buyer}/${p('cbc:EndpointID')}/@schemeID`,
          `${buyer}/${p('cac:PostalAddress/cac:Country/cbc:IdentificationCode')}`,
          `count(${buyer}/${p('cac:PartyLegalEntity/cbc:CompanyID')})`,
        ]),
      ).toEqual(['GB123456789', '9932', 'GB', '0']);
    },
    SLOW,
  );

  it(
    'an organisation set to NLCIUS: its CustomizationID, its OIN as CompanyID (BR-NL-10), valid under EN 16931 and NL-R-*',
    async () => {
      for (const id of [ids.gov!, ids.govCredit!]) {
        const xml = await ubl(people.gov!, id);
        expect(await refusals(xml, 'nlcius')).toEqual([]);
        const buyer = `/*/${p('cac:AccountingCustomerParty/cac:Party')}`;
        const [customization, companyId, scheme] = await xpaths(xml, [
          `/*/${p('cbc:CustomizationID')}`,
          `${buyer}/${p('cac:PartyLegalEntity/cbc:CompanyID')}`,
          `${buyer}/${p('cac:PartyLegalEntity/cbc:CompanyID')}/@schemeID`,
        ]);
        expect(customization).toBe('urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0');
        // BR-NL-10 (SI-UBL 2.0; its own Schematron is not vendored): a KvK (0106) or OIN (0190) number.
        expect([companyId, scheme]).toEqual(['00000001001172773000', '0190']);
      }
    },
    SLOW,
  );
});

describe('the official rules catch what Peppol refuses (the engine really runs them)', () => {
  it(
    'an e-mail endpoint (CL008), no endpoint (R010), a credit note without its invoice (NL-R-001), a buyer without street (NL-R-004), wrong totals (BR-CO-16)',
    async () => {
      const xml = await ubl(people.hap!, ids.creditApi!);
      // The four are Peppol's rules, BR-CO-16 is EN 16931's: each mutation is run through its file.
      const ruleIds = (doc: string) => fatalRulesOf('peppol', doc).map((e) => e.split(':')[0]);
      const buyerEndpoint =
        /<cac:AccountingCustomerParty><cac:Party><cbc:EndpointID schemeID="0106">\d+<\/cbc:EndpointID>/;
      expect(xml).toMatch(buyerEndpoint);
      expect(
        ruleIds(
          xml.replace(
            buyerEndpoint,
            '<cac:AccountingCustomerParty><cac:Party><cbc:EndpointID schemeID="EM">a@b.nl</cbc:EndpointID>',
          ),
        ),
      ).toEqual(['PEPPOL-EN16931-CL008']);
      expect(ruleIds(xml.replace(buyerEndpoint, '<cac:AccountingCustomerParty><cac:Party>'))).toEqual([
        'PEPPOL-EN16931-R010',
      ]);
      expect(ruleIds(xml.replace(/<cac:BillingReference>.*<\/cac:BillingReference>/, ''))).toEqual(['NL-R-001']);
      const buyerStreet = /(<cac:AccountingCustomerParty>.*?)<cbc:StreetName>[^<]*<\/cbc:StreetName>/;
      expect(ruleIds(xml.replace(buyerStreet, '$1'))).toEqual(['NL-R-004']);
      const errors = fatalRulesOf(
        'cen',
        xml.replace(/<cbc:PayableAmount currencyID="EUR">[^<]+</, '<cbc:PayableAmount currencyID="EUR">1.00<'),
      );
      expect(errors.map((e) => e.split(':')[0])).toEqual(['BR-CO-16']);
      expect(errors[0]).toMatch(/Amount due for payment \(BT-115\)/);
    },
    SLOW,
  );
});

describe('an e-invoice that cannot be valid is not offered', () => {
  it('no address and no KvK number: the list says why and who can fix it; the download is a 409 page, not a document', async () => {
    const agent = await as(people.bare!);
    const list = await agent.get('/invoices?dates=all');
    expect(list.text).not.toContain(`href="/invoices/${ids.bare}/ubl"`);
    expect(list.text).toContain('Geen e-factuur');
    expect(list.text).toContain('Het postadres van de organisatie mist de straat, de postcode of de plaats.');
    expect(list.text).toContain('Het e-factuuradres (Peppol-ID), het KvK-nummer en het OIN van de organisatie');
    expect(list.text).toContain('Vcare connect legt deze gegevens vast');
    const res = await agent.get(`/invoices/${ids.bare}/ubl`);
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-disposition']).toBeUndefined();
    expect(res.text).toContain('Geen e-factuur voor factuur 108007');
    const en = await agent.get(`/invoices/${ids.bare}/ubl?lang=en`);
    expect(en.status).toBe(409);
    expect(visibleText(en.text)).toContain(
      "The organisation's postal address lacks the street, the postcode or the city.",
    );
    expect(en.text).toContain('Vcare connect keeps these details');
    // The ZIP holds the PDF only.
    const zip = readZip((await agent.get('/invoices/export.zip?dates=all').buffer(true).parse(binary)).body as Buffer);
    expect([...zip.keys()]).toEqual(['factuur-108007.pdf']);
  });

  it('a credit note that does not name the invoice it credits: 409, saying so', async () => {
    const agent = await as(people.hap!);
    const res = await agent.get(`/invoices/${ids.creditWithout}/ubl`);
    expect(res.status).toBe(409);
    expect(res.text).toContain('Deze creditfactuur noemt niet de factuur die zij crediteert.');
    const list = await agent.get('/invoices?dates=all');
    expect(list.text).toContain(`href="/invoices/${ids.rates}/ubl"`);
    expect(list.text).not.toContain(`href="/invoices/${ids.creditWithout}/ubl"`);
  });
});

describe('the credit note PDF names the invoice it credits', () => {
  it('"Creditfactuur bij factuur 108000" in Dutch, "Credit note for invoice 108000" in English', async () => {
    const agent = await as(people.hap!);
    const nl = await agent.get(`/invoices/${ids.creditCli}/pdf`).buffer(true).parse(binary);
    expect((await pdfText(nl.body as Buffer)).replace(/\s+/g, ' ')).toContain('Creditfactuur bij factuur 108000');
    const en = await agent.get(`/invoices/${ids.creditCli}/pdf?lang=en`).buffer(true).parse(binary);
    expect((await pdfText(en.body as Buffer)).replace(/\s+/g, ' ')).toContain('Credit note for invoice 108000');
  });
});
