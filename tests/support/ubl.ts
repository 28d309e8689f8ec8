import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { validateXML } from 'xmllint-wasm';

/**
 * Checks for UBL e-invoices: libxml2's schema validation (xmllint compiled to WebAssembly)
 * against the official OASIS UBL 2.1 schemas in ./ubl-2.1 (see its SOURCE), and a quick
 * in-house reading of the BIS rules that matter most, evaluated with libxml2's XPath. The
 * official Schematron rules themselves run in ./schematron.ts.
 */

const SCHEMA_DIR = path.resolve(import.meta.dirname, 'ubl-2.1', 'xsd');
const schemaFiles = ['common', 'maindoc'].flatMap((dir) =>
  readdirSync(path.join(SCHEMA_DIR, dir))
    .filter((f) => f.endsWith('.xsd'))
    .map((f) => ({ fileName: `${dir}/${f}`, contents: readFileSync(path.join(SCHEMA_DIR, dir, f), 'utf8') })),
);

/**
 * Validates against UBL-Invoice-2.1.xsd or UBL-CreditNote-2.1.xsd (by the root element); returns libxml2's messages.
 */
export async function xsdErrors(xml: string): Promise<string[]> {
  const doc = /<CreditNote[\s>]/.test(xml) ? 'CreditNote' : 'Invoice';
  const main = schemaFiles.find((f) => f.fileName === `maindoc/UBL-${doc}-2.1.xsd`)!;
  const result = await validateXML({
    xml: { fileName: 'invoice.xml', contents: xml },
    schema: main,
    preload: schemaFiles.filter((f) => f !== main),
  });
  return result.valid ? [] : result.errors.map((e) => e.message);
}

/** "cac:LegalMonetaryTotal/cbc:PayableAmount" -> a namespace-free XPath from the root element. */
export function p(steps: string): string {
  return steps
    .split('/')
    .map((s) => (s === '' ? '' : s === '..' ? '..' : `*[local-name()='${s.replace(/^\w+:/, '')}']`))
    .join('/');
}

const SEPARATOR = '\u241e';

/**
 * The string values of XPath 1.0 expressions over the document, in one run of xmllint (each run
 * instantiates the WebAssembly module: one concat() of all expressions instead of one run each).
 */
export async function xpaths(xml: string, exprs: readonly string[]): Promise<string[]> {
  const joined =
    exprs.length === 1
      ? `string(${exprs[0]})`
      : `concat(${exprs.map((e) => `string(${e})`).join(`, '${SEPARATOR}', `)})`;
  const result = await validateXML({
    xml: { fileName: 'invoice.xml', contents: xml },
    normalization: 'format',
    modifyArguments: (args) => [...args.filter((a) => a !== '--format'), '--xpath', joined],
  });
  return result.normalized.replace(/\n$/, '').split(SEPARATOR);
}

/** The string value of one XPath 1.0 expression over the document. */
export async function xpath(xml: string, expr: string): Promise<string> {
  return (await xpaths(xml, [expr]))[0]!;
}

/** Evaluates named expressions at once: { name: xpath } -> { name: value }. */
async function evaluate<K extends string>(xml: string, exprs: Record<K, string>): Promise<Record<K, string>> {
  const keys = Object.keys(exprs) as K[];
  const values = await xpaths(
    xml,
    keys.map((k) => exprs[k]),
  );
  return Object.fromEntries(keys.map((k, i) => [k, values[i]!])) as Record<K, string>;
}

const near = (a: number, b: number) => Math.abs(a - b) < 0.005;

/** Peppol BIS Billing 3.0 identifiers. */
export const PEPPOL = {
  customization: 'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0',
  profile: 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0',
};

/**
 * The BIS / EN 16931 / NLCIUS rules that matter most to a finance system importing the
 * document; returns the ids of the rules it breaks (empty: all hold).
 */
export async function bisRuleErrors(xml: string): Promise<string[]> {
  const failed: string[] = [];
  const check = (rule: string, ok: boolean) => {
    if (!ok) failed.push(rule);
  };
  const root = '/*';
  const line = `${root}/*[local-name()='InvoiceLine' or local-name()='CreditNoteLine']`;
  const total = (name: string) => `${root}/${p(`cac:LegalMonetaryTotal/cbc:${name}`)}`;
  const seller = `${root}/${p('cac:AccountingSupplierParty/cac:Party')}`;
  const buyer = `${root}/${p('cac:AccountingCustomerParty/cac:Party')}`;
  const amounts = `//*[substring(local-name(), string-length(local-name()) - 5) = 'Amount']`;
  const v = await evaluate(xml, {
    doc: `local-name(${root})`,
    customization: `${root}/${p('cbc:CustomizationID')}`,
    profile: `${root}/${p('cbc:ProfileID')}`,
    invoiceType: `${root}/${p('cbc:InvoiceTypeCode')}`,
    creditType: `${root}/${p('cbc:CreditNoteTypeCode')}`,
    currency: `${root}/${p('cbc:DocumentCurrencyCode')}`,
    lines: `count(${line})`,
    buyerReference: `${root}/${p('cbc:BuyerReference')}`,
    lineSum: `sum(${line}/${p('cbc:LineExtensionAmount')})`,
    lineTotal: total('LineExtensionAmount'),
    taxExclusive: total('TaxExclusiveAmount'),
    taxInclusive: total('TaxInclusiveAmount'),
    payable: total('PayableAmount'),
    allowances: `sum(${total('AllowanceTotalAmount')})`,
    charges: `sum(${total('ChargeTotalAmount')})`,
    prepaid: `sum(${total('PrepaidAmount')})`,
    rounding: `sum(${total('PayableRoundingAmount')})`,
    taxAmount: `${root}/${p('cac:TaxTotal/cbc:TaxAmount')}`,
    subtotalTax: `sum(${root}/${p('cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount')})`,
    subtotals: `count(${root}/${p('cac:TaxTotal/cac:TaxSubtotal')})`,
    noCurrency: `count(${amounts}[not(@currencyID = 'EUR')])`,
    tooManyDecimals: `count(${amounts}[contains(., '.') and string-length(substring-after(., '.')) > 2])`,
    negativePrices: `count(${line}/${p('cac:Price/cbc:PriceAmount')}[. < 0])`,
    sellerName: `${seller}/${p('cac:PartyLegalEntity/cbc:RegistrationName')}`,
    buyerName: `${buyer}/${p('cac:PartyLegalEntity/cbc:RegistrationName')}`,
    sellerEndpoint: `${seller}/${p('cbc:EndpointID')}`,
    sellerEndpointScheme: `${seller}/${p('cbc:EndpointID')}/@schemeID`,
    buyerEndpoint: `${buyer}/${p('cbc:EndpointID')}`,
    buyerEndpointScheme: `${buyer}/${p('cbc:EndpointID')}/@schemeID`,
    vatId: `${seller}/${p('cac:PartyTaxScheme/cbc:CompanyID')}`,
    vatScheme: `${seller}/${p('cac:PartyTaxScheme/cac:TaxScheme/cbc:ID')}`,
    kvk: `${seller}/${p('cac:PartyLegalEntity/cbc:CompanyID')}`,
    kvkScheme: `${seller}/${p('cac:PartyLegalEntity/cbc:CompanyID')}/@schemeID`,
    sellerStreet: `${seller}/${p('cac:PostalAddress/cbc:StreetName')}`,
    sellerCity: `${seller}/${p('cac:PostalAddress/cbc:CityName')}`,
    sellerPostcode: `${seller}/${p('cac:PostalAddress/cbc:PostalZone')}`,
    sellerCountry: `${seller}/${p('cac:PostalAddress/cac:Country/cbc:IdentificationCode')}`,
    buyerStreet: `${buyer}/${p('cac:PostalAddress/cbc:StreetName')}`,
    buyerCity: `${buyer}/${p('cac:PostalAddress/cbc:CityName')}`,
    buyerPostcode: `${buyer}/${p('cac:PostalAddress/cbc:PostalZone')}`,
    buyerCountry: `${buyer}/${p('cac:PostalAddress/cac:Country/cbc:IdentificationCode')}`,
    paymentMeans: `${root}/${p('cac:PaymentMeans/cbc:PaymentMeansCode')}`,
    iban: `${root}/${p('cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID')}`,
    dueDate: `${root}/${p('cbc:DueDate')}`,
    terms: `${root}/${p('cac:PaymentTerms/cbc:Note')}`,
  });
  const n = (k: keyof typeof v) => Number(v[k]);
  const credit = v.doc === 'CreditNote';

  check('CustomizationID', v.customization === PEPPOL.customization);
  check('ProfileID', v.profile === PEPPOL.profile);
  check('BR-04 type code', credit ? v.creditType === '381' : v.invoiceType === '380');
  check('BR-05 currency', v.currency === 'EUR');
  check('BR-16 a line', n('lines') >= 1);
  check('PEPPOL-R003 buyer reference', v.buyerReference !== '');

  // Totals: BR-CO-10, -13, -14, -15, -16 (with allowances, charges, prepaid amounts and rounding where present).
  check('BR-CO-10', near(n('lineTotal'), n('lineSum')));
  check('BR-CO-13', near(n('taxExclusive'), n('lineTotal') - n('allowances') + n('charges')));
  check('BR-CO-14', near(n('taxAmount'), n('subtotalTax')));
  check('BR-CO-15', near(n('taxInclusive'), n('taxExclusive') + n('taxAmount')));
  check('BR-CO-16', near(n('payable'), n('taxInclusive') - n('prepaid') + n('rounding')));
  check('BR-CO-18 VAT breakdown', n('subtotals') >= 1);
  check('PEPPOL-R051 currency on every amount', n('noCurrency') === 0);
  check('BR-DEC two decimals', n('tooManyDecimals') === 0);
  check('BR-27 price not negative', n('negativePrices') === 0);

  // VAT breakdown per category and rate: BR-S-08 (taxable = its lines), BR-S-09 / BR-CO-17 (tax = taxable x rate).
  for (let i = 1; i <= n('subtotals'); i++) {
    const sub = `(${root}/${p('cac:TaxTotal/cac:TaxSubtotal')})[${i}]`;
    const [category, rateText, taxableText, taxText] = await xpaths(xml, [
      `${sub}/${p('cac:TaxCategory/cbc:ID')}`,
      `${sub}/${p('cac:TaxCategory/cbc:Percent')}`,
      `${sub}/${p('cbc:TaxableAmount')}`,
      `${sub}/${p('cbc:TaxAmount')}`,
    ]);
    const [rate, taxable, tax] = [Number(rateText), Number(taxableText), Number(taxText)];
    const ofLines = Number(
      await xpath(
        xml,
        `sum(${line}[${p('cac:Item/cac:ClassifiedTaxCategory/cbc:ID')} = '${category}' and ${p('cac:Item/cac:ClassifiedTaxCategory/cbc:Percent')} = ${rate}]/${p('cbc:LineExtensionAmount')})`,
      ),
    );
    check(`BR-${category}-08 taxable amount at ${rate}%`, near(taxable, ofLines));
    check(`BR-${category}-09 tax amount at ${rate}%`, near(tax, Math.round(taxable * rate) / 100));
    check(`BR-${category} category`, (category === 'S' && rate > 0) || (category === 'Z' && rate === 0));
  }

  // Supplier and buyer: names, identifiers, addresses (BR-06..11, BR-CO-26, BR-S-02, NL-R-002..004, PEPPOL-R010/R020).
  check('BR-06 seller name', v.sellerName !== '');
  check('BR-07 buyer name', v.buyerName !== '');
  check('PEPPOL-R020 seller endpoint', v.sellerEndpoint !== '' && v.sellerEndpointScheme !== '');
  check('PEPPOL-R010 buyer endpoint', v.buyerEndpoint !== '' && v.buyerEndpointScheme !== '');
  check('BR-S-02 / BR-CO-09 seller VAT id', /^NL\d{9}B\d{2}$/.test(v.vatId) && v.vatScheme === 'VAT');
  check('NL-R-003 seller KvK', v.kvkScheme === '0106' && /^\d{8}$/.test(v.kvk));
  check('NL-R-002 seller address', v.sellerStreet !== '' && v.sellerCity !== '' && v.sellerPostcode !== '');
  check('BR-09 seller country', v.sellerCountry === 'NL');
  check('BR-11 buyer country', /^[A-Z]{2}$/.test(v.buyerCountry));
  if (v.buyerCountry === 'NL')
    check('NL-R-004 buyer address', v.buyerStreet !== '' && v.buyerCity !== '' && v.buyerPostcode !== '');

  // Payment: an invoice says where to pay (BR-49, BR-61, BR-CO-25); a credit note pays nothing.
  if (!credit) {
    check('BR-49 payment means', ['30', '58'].includes(v.paymentMeans));
    check('BR-61 IBAN', /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(v.iban));
    check('BR-CO-25 due date or terms', v.dueDate !== '' || v.terms !== '');
  }
  return failed;
}
