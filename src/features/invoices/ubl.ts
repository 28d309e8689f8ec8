import type { SupplierConfig } from '../../config.js';
import {
  buyerEndpoint,
  buyerLegalId,
  NLCIUS_CUSTOMIZATION_ID,
  PEPPOL_CUSTOMIZATION_ID,
  PROFILE_ID,
} from './einvoice.js';
import { fromUnits, toUnits } from './money.js';
import { dueDate, isCredit, totalsOf, VENDOR } from './pdf.js';
import type { InvoiceForPdf } from './service.js';

/**
 * The invoice as an e-invoice a Dutch finance system imports: UBL 2.1 following Peppol BIS
 * Billing 3.0 (with its Dutch NL-R-* rules), or NLCIUS (SI-UBL 2.0) for an organisation set to it.
 * A negative total is a CreditNote (type 381) with positive amounts, as UBL states a credit, that
 * names the invoice it credits. Amounts come from the same BigInt arithmetic as the PDF, so both
 * documents always agree. Whether an invoice can have a valid e-invoice at all: einvoice.ts.
 */

const NS = {
  Invoice: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  CreditNote: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2',
  cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
};

/** ISO 3166 codes for the country names staff type; an empty country is the Netherlands. */
const COUNTRIES: Record<string, string> = {
  '': 'NL',
  nederland: 'NL',
  netherlands: 'NL',
  'the netherlands': 'NL',
  nl: 'NL',
  belgie: 'BE',
  belgië: 'BE',
  belgium: 'BE',
  be: 'BE',
  duitsland: 'DE',
  germany: 'DE',
  deutschland: 'DE',
  de: 'DE',
  frankrijk: 'FR',
  france: 'FR',
  fr: 'FR',
  luxemburg: 'LU',
  luxembourg: 'LU',
  lu: 'LU',
  'verenigd koninkrijk': 'GB',
  'united kingdom': 'GB',
  engeland: 'GB',
  england: 'GB',
  uk: 'GB',
  gb: 'GB',
};

/**
 * The ISO country code of a typed country name; a name we cannot
 * map counts as the Netherlands (the customers are Dutch).
 */
export function countryCode(name: string | null | undefined): string {
  return COUNTRIES[(name ?? '').trim().toLowerCase()] ?? 'NL';
}

const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const units = (v: { toString(): string }, scale: number): bigint => {
  const n = toUnits(v.toString(), scale);
  if (n === null) throw new Error(`not a decimal with ${scale} places: ${v.toString()}`);
  return n;
};
const abs = (n: bigint) => (n < 0n ? -n : n);
const iso = (d: Date) => d.toISOString().slice(0, 10);

/** A tiny element writer: el('cbc:ID', {}, '105035') -> <cbc:ID>105035</cbc:ID>; children are pre-rendered strings. */
function el(name: string, attrs: Record<string, string>, ...content: (string | null | false | undefined)[]): string {
  const a = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${esc(v)}"`)
    .join('');
  return `<${name}${a}>${content.filter((c): c is string => typeof c === 'string').join('')}</${name}>`;
}
const text = (name: string, value: string, attrs: Record<string, string> = {}) => el(name, attrs, esc(value));
const amount = (name: string, cents: bigint) => text(name, fromUnits(cents, 2), { currencyID: 'EUR' });
const percent = (hundredths: bigint) => fromUnits(hundredths, 2);
const vatCategory = (hundredths: bigint) => (hundredths === 0n ? 'Z' : 'S');
const taxScheme = () => el('cac:TaxScheme', {}, text('cbc:ID', 'VAT'));

/** "factuur-105035.xml" */
export function ublFileName(number: number): string {
  return `factuur-${number}.xml`;
}

/** The UBL 2.1 XML of an invoice (an Invoice, or a CreditNote when its total is negative). */
export function renderInvoiceUbl(invoice: InvoiceForPdf, supplier: SupplierConfig): string {
  const totals = totalsOf(invoice);
  const credit = isCredit(totals);
  // UBL states a credit note's amounts as positive numbers: every amount is multiplied by `sign`.
  const sign = credit ? -1n : 1n;
  const doc = credit ? 'CreditNote' : 'Invoice';
  const o = invoice.organization;
  const endpoint = buyerEndpoint(o);
  const legalId = buyerLegalId(o);

  const lines =
    invoice.lines.length > 0
      ? invoice.lines.map((l) => ({
          description: l.description,
          quantityMilli: units(l.quantity, 3),
          priceCents: units(l.unitPrice, 2),
          amountCents: units(l.amountExclVat, 2),
          rate: units(l.vatRate, 2),
        }))
      : // An invoice imported without lines: one line of its stored total (its VAT as one breakdown).
        [
          {
            description: invoice.title,
            quantityMilli: 1000n,
            priceCents: totals.exclCents,
            amountCents: totals.exclCents,
            rate: totals.exclCents === 0n ? 0n : (totals.vatCents * 10000n) / totals.exclCents,
          },
        ];
  const vatByRate =
    totals.vatByRate.length > 0
      ? totals.vatByRate
      : [{ rateHundredths: lines[0]!.rate, baseCents: totals.exclCents, vatCents: totals.vatCents }];

  const supplierParty = el(
    'cac:AccountingSupplierParty',
    {},
    el(
      'cac:Party',
      {},
      text('cbc:EndpointID', supplier.kvk, { schemeID: '0106' }),
      el('cac:PartyName', {}, text('cbc:Name', VENDOR.name)),
      el(
        'cac:PostalAddress',
        {},
        text('cbc:StreetName', VENDOR.street),
        text('cbc:CityName', VENDOR.city),
        text('cbc:PostalZone', VENDOR.postcode),
        el('cac:Country', {}, text('cbc:IdentificationCode', 'NL')),
      ),
      el('cac:PartyTaxScheme', {}, text('cbc:CompanyID', supplier.vatId), taxScheme()),
      el(
        'cac:PartyLegalEntity',
        {},
        text('cbc:RegistrationName', supplier.accountHolder),
        text('cbc:CompanyID', supplier.kvk, { schemeID: '0106' }),
      ),
      el('cac:Contact', {}, text('cbc:Telephone', VENDOR.phone), text('cbc:ElectronicMail', VENDOR.email)),
    ),
  );
  const buyerAddress = [
    o.postalStreet ? text('cbc:StreetName', o.postalStreet) : null,
    o.postalCity ? text('cbc:CityName', o.postalCity) : null,
    o.postalPostcode ? text('cbc:PostalZone', o.postalPostcode) : null,
    el('cac:Country', {}, text('cbc:IdentificationCode', countryCode(o.postalCountry))),
  ];
  const customerParty = el(
    'cac:AccountingCustomerParty',
    {},
    el(
      'cac:Party',
      {},
      endpoint ? text('cbc:EndpointID', endpoint.id, { schemeID: endpoint.scheme }) : null,
      el('cac:PartyIdentification', {}, text('cbc:ID', String(o.id))),
      el('cac:PartyName', {}, text('cbc:Name', invoice.organizationName)),
      el('cac:PostalAddress', {}, ...buyerAddress),
      el(
        'cac:PartyLegalEntity',
        {},
        text('cbc:RegistrationName', invoice.organizationName),
        legalId ? text('cbc:CompanyID', legalId.id, { schemeID: legalId.scheme }) : null,
      ),
    ),
  );
  const paymentMeans = credit
    ? null
    : el(
        'cac:PaymentMeans',
        {},
        text('cbc:PaymentMeansCode', '58', { name: 'SEPA credit transfer' }),
        text('cbc:PaymentID', String(invoice.number)),
        el(
          'cac:PayeeFinancialAccount',
          {},
          text('cbc:ID', supplier.iban),
          text('cbc:Name', supplier.accountHolder),
          el('cac:FinancialInstitutionBranch', {}, text('cbc:ID', supplier.bic)),
        ),
      );
  const taxTotal = el(
    'cac:TaxTotal',
    {},
    amount('cbc:TaxAmount', sign * totals.vatCents),
    ...vatByRate.map((r) =>
      el(
        'cac:TaxSubtotal',
        {},
        amount('cbc:TaxableAmount', sign * r.baseCents),
        amount('cbc:TaxAmount', sign * r.vatCents),
        el(
          'cac:TaxCategory',
          {},
          text('cbc:ID', vatCategory(r.rateHundredths)),
          text('cbc:Percent', percent(r.rateHundredths)),
          taxScheme(),
        ),
      ),
    ),
  );
  const monetary = el(
    'cac:LegalMonetaryTotal',
    {},
    amount('cbc:LineExtensionAmount', sign * totals.exclCents),
    amount('cbc:TaxExclusiveAmount', sign * totals.exclCents),
    amount('cbc:TaxInclusiveAmount', sign * totals.inclCents),
    amount('cbc:PayableAmount', sign * totals.inclCents),
  );
  const lineXml = lines.map((l, i) => {
    // The net price may not be negative (BR-27): a negative price turns the quantity's sign instead.
    const quantity = sign * (l.priceCents < 0n ? -l.quantityMilli : l.quantityMilli);
    return el(
      `cac:${doc}Line`,
      {},
      text('cbc:ID', String(i + 1)),
      text(credit ? 'cbc:CreditedQuantity' : 'cbc:InvoicedQuantity', fromUnits(quantity, 3), { unitCode: 'C62' }),
      amount('cbc:LineExtensionAmount', sign * l.amountCents),
      el(
        'cac:Item',
        {},
        text('cbc:Name', l.description.slice(0, 200)),
        el(
          'cac:ClassifiedTaxCategory',
          {},
          text('cbc:ID', vatCategory(l.rate)),
          text('cbc:Percent', percent(l.rate)),
          taxScheme(),
        ),
      ),
      el('cac:Price', {}, amount('cbc:PriceAmount', abs(l.priceCents))),
    );
  });

  const body = [
    text('cbc:CustomizationID', o.einvoiceNlcius ? NLCIUS_CUSTOMIZATION_ID : PEPPOL_CUSTOMIZATION_ID),
    text('cbc:ProfileID', PROFILE_ID),
    text('cbc:ID', String(invoice.number)),
    text('cbc:IssueDate', iso(invoice.invoiceDate)),
    credit ? null : text('cbc:DueDate', iso(dueDate(invoice.invoiceDate, invoice.paymentTermDays))),
    text(credit ? 'cbc:CreditNoteTypeCode' : 'cbc:InvoiceTypeCode', credit ? '381' : '380'),
    text('cbc:Note', invoice.title),
    text('cbc:DocumentCurrencyCode', 'EUR'),
    // Peppol wants a buyer reference or an order reference; the customer number is what we have.
    text('cbc:BuyerReference', String(o.id)),
    // NL-R-001: a credit note names the invoice it credits.
    invoice.creditedInvoice
      ? el(
          'cac:BillingReference',
          {},
          el(
            'cac:InvoiceDocumentReference',
            {},
            text('cbc:ID', String(invoice.creditedInvoice.number)),
            text('cbc:IssueDate', iso(invoice.creditedInvoice.invoiceDate)),
          ),
        )
      : null,
    supplierParty,
    customerParty,
    paymentMeans,
    credit ? null : el('cac:PaymentTerms', {}, text('cbc:Note', `Betaling binnen ${invoice.paymentTermDays} dagen`)),
    taxTotal,
    monetary,
    ...lineXml,
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>\n${el(doc, { xmlns: NS[doc], 'xmlns:cac': NS.cac, 'xmlns:cbc': NS.cbc }, ...body)}\n`;
}
