import { createPdf, numberPages, pdfToBuffer } from '../../pdf/base.js';
import { formatDate, translate, type Locale } from '../../i18n/index.js';
import { formatCents, formatQuantity, formatRate, invoiceTotals, toUnits, type InvoiceTotals } from './money.js';
import type { InvoiceForPdf } from './service.js';
import type { SupplierConfig } from '../../config.js';

/** The vendor as the manual's footer names it (its KvK, VAT number and bank account come from the configuration). */
export const VENDOR = {
  name: 'Vcare connect',
  visit: ['Pantheon 2', '7521 PR Enschede'],
  /** The visiting address in parts, for the e-invoice. */
  street: 'Pantheon 2',
  postcode: '7521 PR',
  city: 'Enschede',
  postal: ['Postbus 176', '7500 AD Enschede'],
  phone: '088 4 800 900',
  email: 'administratie@vcareconnect.nl',
};

const units = (v: { toString(): string }, scale: number): bigint => {
  const n = toUnits(v.toString(), scale);
  if (n === null) throw new Error(`not a decimal with ${scale} places: ${v.toString()}`);
  return n;
};

/** The invoice's totals from its lines (VAT per rate); without lines, the stored totals. */
export function totalsOf(invoice: Pick<InvoiceForPdf, 'lines' | 'amountExclVat' | 'vatAmount'>): InvoiceTotals {
  if (invoice.lines.length === 0) {
    const excl = units(invoice.amountExclVat, 2);
    const vat = units(invoice.vatAmount, 2);
    return { exclCents: excl, vatByRate: [], vatCents: vat, inclCents: excl + vat };
  }
  return invoiceTotals(
    invoice.lines.map((l) => ({ amountCents: units(l.amountExclVat, 2), vatRateHundredths: units(l.vatRate, 2) })),
  );
}

/** The due date: the invoice date plus the payment term. */
export function dueDate(invoiceDate: Date, days: number): Date {
  return new Date(invoiceDate.getTime() + days * 86_400_000);
}

/** True when the invoice's total including VAT is negative: a credit invoice (creditfactuur). */
export function isCredit(totals: InvoiceTotals): boolean {
  return totals.inclCents < 0n;
}

/** "NL91 ABNA 0417 1643 00": an IBAN in groups of four, as people read and type it. */
export function formatIban(iban: string): string {
  return iban.replace(/(.{4})(?=.)/g, '$1 ');
}

/** "factuur-105035.pdf" */
export function invoiceFileName(number: number): string {
  return `factuur-${number}.pdf`;
}

/**
 * A Dutch invoice generated from the invoice's data (when staff stored no PDF for it): with the
 * supplier's KvK number, VAT number and bank account; a negative total is a credit invoice.
 * `questionUrl`: the "Vraag over deze factuur" link, for a reader who may file a ticket.
 */
export async function renderInvoicePdf(
  invoice: InvoiceForPdf,
  supplier: SupplierConfig,
  lang: Locale = 'nl',
  questionUrl?: string,
): Promise<Buffer> {
  const t = (key: string, params?: Record<string, string | number>) => translate(lang, `invoices.pdf.${key}`, params);
  const totals = totalsOf(invoice);
  const credit = isCredit(totals);
  const title = credit ? t('creditTitle') : t('title');
  const doc = await createPdf(`${title} ${invoice.number}`);
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;

  // Vendor, top right; customer address, left (window envelope position).
  doc.font('Helvetica-Bold').fontSize(16).text(VENDOR.name, left, 50, { width, align: 'right' });
  doc.font('Helvetica').fontSize(9).fillColor('#333333');
  doc.text(
    [
      `${t('visitAddress')}: ${VENDOR.visit.join(', ')}`,
      `${t('postalAddress')}: ${VENDOR.postal.join(', ')}`,
      `${t('phone')}: ${VENDOR.phone}`,
      `${t('email')}: ${VENDOR.email}`,
      `${t('kvk')}: ${supplier.kvk}`,
      `${t('vatId')}: ${supplier.vatId}`,
      `${t('iban')}: ${formatIban(supplier.iban)}  ${t('bic')}: ${supplier.bic}`,
      `${t('accountHolder')}: ${supplier.accountHolder}`,
    ].join('\n'),
    { width, align: 'right' },
  );

  const o = invoice.organization;
  const address = [
    invoice.organizationName,
    o.postalStreet,
    [o.postalPostcode, o.postalCity].filter(Boolean).join('  '),
    o.postalCountry,
  ].filter((s): s is string => !!s && s.trim() !== '');
  doc
    .fillColor('#000000')
    .fontSize(11)
    .text(address.join('\n'), left, 150, { width: width / 2 });

  doc.font('Helvetica-Bold').fontSize(20).text(title, left, 250);
  const due = dueDate(invoice.invoiceDate, invoice.paymentTermDays);
  // A credit invoice has nothing to pay: no payment term, no due date.
  const facts: [string, string][] = [
    [t('number'), String(invoice.number)],
    [t('date'), formatDate(lang, invoice.invoiceDate)],
    ...(credit
      ? []
      : ([
          [t('paymentTerm'), t('days', { days: invoice.paymentTermDays })],
          [t('dueDate'), formatDate(lang, due)],
        ] as [string, string][])),
    [t('subject'), invoice.title],
  ];
  let y = 282;
  if (credit && invoice.creditedInvoice) {
    // The invoice this credit note credits, in words under the title ("Creditfactuur bij factuur 105035").
    doc
      .font('Helvetica')
      .fontSize(11)
      .text(t('creditFor', { number: invoice.creditedInvoice.number }), left, 276);
    y = 298;
  }
  doc.fontSize(10);
  for (const [k, v] of facts) {
    doc.font('Helvetica-Bold').text(k, left, y, { width: 110 });
    doc.font('Helvetica').text(v, left + 115, y, { width: width - 115 });
    y = Math.max(doc.y, y + 14);
  }

  // Lines.
  const cols = [
    { key: 'description', x: left, w: 215, align: 'left' as const },
    { key: 'quantity', x: left + 220, w: 50, align: 'right' as const },
    { key: 'unitPrice', x: left + 275, w: 85, align: 'right' as const },
    { key: 'vat', x: left + 365, w: 40, align: 'right' as const },
    { key: 'amount', x: left + 410, w: width - 410, align: 'right' as const },
  ];
  const bottom = doc.page.height - doc.page.margins.bottom - 40;
  const header = () => {
    doc.font('Helvetica-Bold').fontSize(9);
    for (const c of cols) doc.text(t(`col.${c.key}`), c.x, y, { width: c.w, align: c.align });
    y += 14;
    doc
      .moveTo(left, y)
      .lineTo(left + width, y)
      .strokeColor('#999999')
      .stroke();
    y += 5;
    doc.font('Helvetica').fontSize(9);
  };
  y += 16;
  header();
  for (const line of invoice.lines) {
    const cells = [
      line.description,
      formatQuantity(units(line.quantity, 3)),
      formatCents(units(line.unitPrice, 2)),
      formatRate(units(line.vatRate, 2)),
      formatCents(units(line.amountExclVat, 2)),
    ];
    const h = Math.max(12, doc.heightOfString(line.description, { width: cols[0]!.w }));
    if (y + h > bottom) {
      doc.addPage();
      y = doc.page.margins.top;
      header();
    }
    cols.forEach((c, i) => doc.text(cells[i]!, c.x, y, { width: c.w, align: c.align }));
    y += h + 4;
  }

  // Totals.
  const rows: [string, string, boolean][] = [[t('totalExcl'), formatCents(totals.exclCents), false]];
  for (const r of totals.vatByRate)
    rows.push([
      t('vatOver', { rate: formatRate(r.rateHundredths), base: formatCents(r.baseCents) }),
      formatCents(r.vatCents),
      false,
    ]);
  if (totals.vatByRate.length === 0) rows.push([t('vatTotal'), formatCents(totals.vatCents), false]);
  rows.push([t('totalIncl'), formatCents(totals.inclCents), true]);
  if (y + rows.length * 16 + 80 > bottom) {
    doc.addPage();
    y = doc.page.margins.top;
  }
  doc
    .moveTo(left + 220, y)
    .lineTo(left + width, y)
    .strokeColor('#999999')
    .stroke();
  y += 6;
  for (const [label, amount, bold] of rows) {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(bold ? 11 : 9);
    doc.text(label, left + 220, y, { width: 185, align: 'right' });
    doc.text(amount, left + 410, y, { width: width - 410, align: 'right' });
    y += 16;
  }

  y += 20;
  doc.font('Helvetica').fontSize(9).fillColor('#333333');
  const pay = {
    amount: formatCents(credit ? -totals.inclCents : totals.inclCents),
    days: invoice.paymentTermDays,
    due: formatDate(lang, due),
    number: invoice.number,
    iban: formatIban(supplier.iban),
    bic: supplier.bic,
    holder: supplier.accountHolder,
  };
  doc.text(credit ? t('creditPayment', pay) : t('payment', pay), left, y, { width });
  doc.moveDown(0.5).text(t('questions', { email: VENDOR.email, phone: VENDOR.phone }), { width });
  // "Vraag over deze factuur": a link to a new ticket about this invoice (for people who may file one).
  if (questionUrl)
    doc
      .moveDown(0.5)
      .fillColor('#1d4f91')
      .text(`${t('askQuestion')}: ${questionUrl}`, { width, link: questionUrl, underline: true })
      .fillColor('#333333');

  numberPages(doc, (n, of) => t('page', { n, of }));
  return pdfToBuffer(doc);
}
