import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, logIn, testApp, TestClock } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { binary, makeInvoice, pdfText, readZip } from '../support/invoices-factories.js';
import { bisRuleErrors, p, PEPPOL, xpaths, xsdErrors } from '../support/ubl.js';
import { schematronErrors } from '../support/schematron.js';
import { DEMO_SUPPLIER } from '../../src/config.js';

/**
 * Invoices a Dutch finance department can pay and import: the supplier's KvK, VAT number and
 * bank account on the PDF; a negative total is a credit invoice; every invoice as a UBL 2.1
 * e-invoice (Peppol BIS Billing 3.0 / NLCIUS), checked against the schema and the business rules.
 */

let db: TestDb;
let app: Express;
let orgId: number;
let otherOrgId: number;
const people: Record<string, string> = {};
const ids: Record<string, number> = {};

const SUPPLIER_ENV = {
  SUPPLIER_KVK: '87654321',
  SUPPLIER_VAT_ID: 'NL 876543210 B01',
  SUPPLIER_IBAN: 'nl20 ingb 0001 2345 67',
  SUPPLIER_BIC: 'INGBNL2A',
  SUPPLIER_ACCOUNT_HOLDER: 'Vcare connect B.V.',
};

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db, { clock: new TestClock(Date.parse('2017-12-15T10:00:00Z')), env: SUPPLIER_ENV }));
  const prisma = db.prisma;
  const org = await makeOrg(prisma, { name: 'Huisartsenpost Twente' });
  orgId = org.id;
  await prisma.organization.update({
    where: { id: org.id },
    data: {
      postalStreet: 'Pantheon 2',
      postalPostcode: '7521 PR',
      postalCity: 'Enschede',
      postalCountry: 'Nederland',
      email: 'administratie@hap-twente.nl',
      kvkNumber: '08765432',
    },
  });
  otherOrgId = (await makeOrg(prisma, { name: 'Apotheek Elders' })).id;
  people.finance = (await makePerson(prisma, org.id, { roles: ['PORTAL_ACCESS', 'VIEW_INVOICES'] })).email!;
  people.noRole = (await makePerson(prisma, org.id, { roles: ['PORTAL_ACCESS'] })).email!;
  people.other = (await makePerson(prisma, otherOrgId, { roles: ['PORTAL_ACCESS', 'VIEW_INVOICES'] })).email!;
  ids.invoice = (
    await makeInvoice(prisma, org.id, {
      number: 107000,
      title: 'Levering juli & <augustus>',
      date: '2017-07-06',
      amountExclVat: '1462.47',
      vatAmount: '302.45',
      lines: [
        { description: 'Helpdesk juni', quantity: '1', unitPrice: '125.50', vatRate: '21', amount: '125.50' },
        { description: 'Iphone 7 32gb Silver', quantity: '2', unitPrice: '649.00', vatRate: '21', amount: '1298.00' },
        { description: 'Handboek telefonie', quantity: '3', unitPrice: '12.99', vatRate: '9', amount: '38.97' },
      ],
    })
  ).id;
  // A credit invoice: € -50,00 excl., € -60,50 incl. 21% VAT, one line
  // refunded with a negative quantity and one with a negative price.
  ids.credit = (
    await makeInvoice(prisma, org.id, {
      number: 107001,
      title: 'Creditering headsets',
      date: '2017-07-10',
      amountExclVat: '-50.00',
      vatAmount: '-10.50',
      lines: [
        { description: 'Headset retour', quantity: '-2', unitPrice: '30.00', vatRate: '21', amount: '-60.00' },
        { description: 'Verzendkosten', quantity: '1', unitPrice: '10.00', vatRate: '21', amount: '10.00' },
      ],
    })
  ).id;
  // The credit note names the invoice it credits (NL-R-001).
  await prisma.invoice.update({ where: { id: ids.credit }, data: { creditedInvoiceId: ids.invoice } });
  ids.zero = (
    await makeInvoice(prisma, org.id, {
      number: 107002,
      title: 'Test Helpdesk - maand Juni 2017',
      date: '2017-07-06',
      amountExclVat: '0.00',
      vatAmount: '0.00',
      lines: [{ description: 'Test Helpdesk', quantity: '1', unitPrice: '0.00', vatRate: '21', amount: '0.00' }],
    })
  ).id;
  ids.other = (await makeInvoice(prisma, otherOrgId, { number: 107100, title: 'Andere klant' })).id;
});
afterAll(() => db.drop());

async function as(key: string) {
  const agent = client(app);
  expect((await logIn(agent, people[key]!, PASSWORD)).status).toBe(302);
  return agent;
}

const pdfOf = async (id: number) => {
  const res = await (await as('finance')).get(`/invoices/${id}/pdf`).buffer(true).parse(binary);
  expect(res.status).toBe(200);
  return (await pdfText(res.body as Buffer)).replace(/\s+/g, ' ');
};
/** Named XPath values of a document, read in one run. */
const values = async (xml: string, exprs: Record<string, string>) => {
  const keys = Object.keys(exprs);
  const got = await xpaths(
    xml,
    keys.map((k) => exprs[k]!),
  );
  return Object.fromEntries(keys.map((k, i) => [k, got[i]]));
};
const ublOf = async (id: number) => {
  const res = await (await as('finance')).get(`/invoices/${id}/ubl`);
  expect(res.status).toBe(200);
  return res;
};

describe('the invoice PDF carries what a Dutch invoice must', () => {
  it("prints the supplier's KvK number, VAT number, IBAN, BIC and account holder, and asks to pay the total to that IBAN", async () => {
    const text = await pdfOf(ids.invoice!);
    expect(text).toContain('KvK: 87654321');
    expect(text).toContain('Btw-nummer: NL876543210B01');
    expect(text).toContain('IBAN: NL20 INGB 0001 2345 67');
    expect(text).toContain('BIC: INGBNL2A');
    expect(text).toContain('T.n.v.: Vcare connect B.V.');
    expect(text).toMatch(/^Factuur|Factuur Factuurnummer/);
    expect(text).toContain('Totaal incl. BTW € 1.764,92');
    expect(text).toContain(
      'Wij verzoeken u het totaalbedrag van € 1.764,92 binnen 30 dagen, uiterlijk op 5-8-2017, over te maken op IBAN NL20 INGB 0001 2345 67 (BIC INGBNL2A) ten name van Vcare connect B.V., onder vermelding van factuurnummer 107000.',
    );
  });

  it('a negative total is a credit invoice: titled Creditfactuur, with the words of a credit, never a request to pay a negative amount', async () => {
    const text = await pdfOf(ids.credit!);
    expect(text).toContain('Creditfactuur');
    expect(text).toContain('Totaal incl. BTW € -60,50');
    expect(text).toContain(
      'Het bedrag van € 60,50 wordt verrekend met uw volgende factuur of teruggestort op uw rekening',
    );
    expect(text).not.toMatch(/verzoeken u|te voldoen|binnen 30 dagen|Vervaldatum|Betalingstermijn/);
    expect(text).not.toContain('€ -60,50 binnen');
  });
});

describe('GET /invoices/:id/ubl', () => {
  it(
    'downloads an Invoice in UBL 2.1 that the UBL schema accepts and that keeps the BIS rules',
    { timeout: 300_000 },
    async () => {
      const res = await ublOf(ids.invoice!);
      expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
      expect(res.headers['content-disposition']).toBe('attachment; filename="factuur-107000.xml"');
      expect(res.headers['cache-control']).toBe('no-store');
      const xml = res.text;
      expect(await xsdErrors(xml)).toEqual([]);
      expect(schematronErrors(xml)).toEqual([]);
      expect(await bisRuleErrors(xml)).toEqual([]);
      const seller = `/*/${p('cac:AccountingSupplierParty/cac:Party')}`;
      const buyer = `/*/${p('cac:AccountingCustomerParty/cac:Party')}`;
      const subtotal = (rate: number, field: string) =>
        `/*/${p('cac:TaxTotal/cac:TaxSubtotal')}[${p('cac:TaxCategory/cbc:Percent')} = ${rate}]/${p(field)}`;
      expect(
        await values(xml, {
          root: 'local-name(/*)',
          customization: `/*/${p('cbc:CustomizationID')}`,
          profile: `/*/${p('cbc:ProfileID')}`,
          id: `/*/${p('cbc:ID')}`,
          issued: `/*/${p('cbc:IssueDate')}`,
          due: `/*/${p('cbc:DueDate')}`,
          note: `/*/${p('cbc:Note')}`,
          // The same totals as the PDF; VAT per rate.
          excl: `/*/${p('cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount')}`,
          payable: `/*/${p('cac:LegalMonetaryTotal/cbc:PayableAmount')}`,
          vat: `/*/${p('cac:TaxTotal/cbc:TaxAmount')}`,
          vat9: subtotal(9, 'cbc:TaxAmount'),
          base21: subtotal(21, 'cbc:TaxableAmount'),
          // The supplier's identifiers and bank account, from the configuration; the buyer's.
          kvk: `${seller}/${p('cac:PartyLegalEntity/cbc:CompanyID')}`,
          vatId: `${seller}/${p('cac:PartyTaxScheme/cbc:CompanyID')}`,
          iban: `/*/${p('cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID')}`,
          bic: `/*/${p('cac:PaymentMeans/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID')}`,
          holder: `/*/${p('cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:Name')}`,
          buyerEndpoint: `${buyer}/${p('cbc:EndpointID')}`,
          buyerEndpointScheme: `${buyer}/${p('cbc:EndpointID')}/@schemeID`,
          buyerCompanyId: `${buyer}/${p('cac:PartyLegalEntity/cbc:CompanyID')}`,
          buyerId: `${buyer}/${p('cac:PartyIdentification/cbc:ID')}`,
          buyerPostcode: `${buyer}/${p('cac:PostalAddress/cbc:PostalZone')}`,
        }),
      ).toEqual({
        root: 'Invoice',
        customization: PEPPOL.customization,
        profile: PEPPOL.profile,
        id: '107000',
        issued: '2017-07-06',
        due: '2017-08-05',
        note: 'Levering juli & <augustus>',
        excl: '1462.47',
        payable: '1764.92',
        vat: '302.45',
        vat9: '3.51',
        base21: '1423.50',
        kvk: '87654321',
        vatId: 'NL876543210B01',
        iban: 'NL20INGB0001234567',
        bic: 'INGBNL2A',
        holder: 'Vcare connect B.V.',
        // The buyer's KvK number (scheme 0106), not its e-mail address: EM is no Peppol scheme (CL008).
        buyerEndpoint: '08765432',
        buyerEndpointScheme: '0106',
        buyerCompanyId: '08765432',
        buyerId: String(orgId),
        buyerPostcode: '7521 PR',
      });
    },
  );

  it(
    'a credit invoice is a CreditNote (381) with positive amounts that still add up',
    { timeout: 300_000 },
    async () => {
      const xml = (await ublOf(ids.credit!)).text;
      expect(await xsdErrors(xml)).toEqual([]);
      expect(schematronErrors(xml)).toEqual([]);
      expect(await bisRuleErrors(xml)).toEqual([]);
      expect(
        await values(xml, {
          root: 'local-name(/*)',
          type: `/*/${p('cbc:CreditNoteTypeCode')}`,
          payable: `/*/${p('cac:LegalMonetaryTotal/cbc:PayableAmount')}`,
          vat: `/*/${p('cac:TaxTotal/cbc:TaxAmount')}`,
          quantity1: `(/*/${p('cac:CreditNoteLine')})[1]/${p('cbc:CreditedQuantity')}`,
          amount2: `(/*/${p('cac:CreditNoteLine')})[2]/${p('cbc:LineExtensionAmount')}`,
          paymentMeans: `count(/*/${p('cac:PaymentMeans')})`,
        }),
      ).toEqual({
        root: 'CreditNote',
        type: '381',
        payable: '60.50',
        vat: '10.50',
        quantity1: '2.000',
        amount2: '-10.00',
        paymentMeans: '0',
      });
    },
  );

  it("the manual's zero-amount invoices are valid too", { timeout: 300_000 }, async () => {
    const xml = (await ublOf(ids.zero!)).text;
    expect(await xsdErrors(xml)).toEqual([]);
    expect(schematronErrors(xml)).toEqual([]);
    expect(await bisRuleErrors(xml)).toEqual([]);
  });

  it('the checks catch a broken document: wrong element order and totals that do not add up', async () => {
    const xml = (await ublOf(ids.invoice!)).text;
    const swapped = xml.replace(/(<cbc:IssueDate>[^<]+<\/cbc:IssueDate>)(<cbc:DueDate>[^<]+<\/cbc:DueDate>)/, '$2$1');
    expect(swapped).not.toBe(xml);
    expect((await xsdErrors(swapped)).join(' ')).toMatch(/DueDate/);
    const wrongTotal = xml.replace(
      '<cbc:PayableAmount currencyID="EUR">1764.92</cbc:PayableAmount>',
      '<cbc:PayableAmount currencyID="EUR">1764.93</cbc:PayableAmount>',
    );
    expect(await bisRuleErrors(wrongTotal)).toEqual(['BR-CO-16']);
    expect(await xsdErrors(xml.replace('<cbc:TaxAmount currencyID="EUR">302.45', '<cbc:TaxAmount>302.45'))).not.toEqual(
      [],
    );
  });

  it("has the PDF's role and scope: 403 without VIEW_INVOICES, 404 for another customer's invoice or no such id", async () => {
    expect((await (await as('noRole')).get(`/invoices/${ids.invoice}/ubl`)).status).toBe(403);
    expect((await (await as('other')).get(`/invoices/${ids.invoice}/ubl`)).status).toBe(404);
    const agent = await as('finance');
    expect((await agent.get(`/invoices/${ids.other}/ubl`)).status).toBe(404);
    for (const id of ['999999', 'abc', '0']) expect((await agent.get(`/invoices/${id}/ubl`)).status, id).toBe(404);
  });

  it('is in the ZIP beside each PDF, the same document', async () => {
    const agent = await as('finance');
    const res = await agent.get('/invoices/export.zip').buffer(true).parse(binary);
    expect(res.status).toBe(200);
    const entries = readZip(res.body as Buffer);
    expect([...entries.keys()].sort()).toEqual([
      'factuur-107000.pdf',
      'factuur-107000.xml',
      'factuur-107001.pdf',
      'factuur-107001.xml',
      'factuur-107002.pdf',
      'factuur-107002.xml',
    ]);
    expect(entries.get('factuur-107000.xml')!.toString('utf8')).toBe((await ublOf(ids.invoice!)).text);
    expect(await xsdErrors(entries.get('factuur-107001.xml')!.toString('utf8'))).toEqual([]);
  });

  it('the list links each invoice to its PDF and its UBL', async () => {
    const html = (await (await as('finance')).get('/invoices')).text;
    expect(html).toContain(`href="/invoices/${ids.invoice}/ubl"`);
    expect(html).toContain('Factuur 107000 downloaden als e-factuur (UBL)');
  });
});

describe('without configured supplier details', () => {
  it('development and tests use clearly marked demo values', async () => {
    expect(DEMO_SUPPLIER.demo).toBe(true);
    const { app: demoApp } = testApp(db, { clock: new TestClock(Date.parse('2017-12-15T10:00:00Z')) });
    const agent = client(demoApp);
    await logIn(agent, people.finance!, PASSWORD);
    const res = await agent.get(`/invoices/${ids.invoice}/pdf`).buffer(true).parse(binary);
    expect((await pdfText(res.body as Buffer)).replace(/\s+/g, ' ')).toContain(`KvK: ${DEMO_SUPPLIER.kvk}`);
  });
});
