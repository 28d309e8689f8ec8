import { createPdf, numberPages, pdfToBuffer } from '../../pdf/base.js';
import type { OverviewRow } from './service.js';

type T = (key: string, params?: Record<string, string | number>) => string;

/** "Pantheon 2, 7521 PR Enschede, Nederland" from an address's parts (empty parts left out). */
export function addressLine(
  street: string | null,
  postcode: string | null,
  city: string | null,
  country: string | null,
): string {
  const place = [postcode, city].filter((p) => p && p.trim()).join(' ');
  return [street, place, country].filter((p) => p && p.trim()).join(', ');
}

/** The overview as CSV rows: a header, then one row per organisation in tree order. */
export function overviewCsvRows(rows: readonly OverviewRow[], t: T): string[][] {
  const header = [
    'name',
    'type',
    'active',
    'postalStreet',
    'postalPostcode',
    'postalCity',
    'postalCountry',
    'visitStreet',
    'visitPostcode',
    'visitCity',
    'visitCountry',
    'phone',
    'fax',
    'email',
    'mainContact',
    'mainContactEmail',
  ].map((k) => t(`organisations.csv.${k}`));
  return [
    header,
    ...rows.map((r) => [
      r.name,
      t(r.parentId === null ? 'organisations.main' : 'organisations.subsidiary'),
      t(r.active ? 'common.yes' : 'common.no'),
      r.postalStreet ?? '',
      r.postalPostcode ?? '',
      r.postalCity ?? '',
      r.postalCountry ?? '',
      r.visitStreet ?? '',
      r.visitPostcode ?? '',
      r.visitCity ?? '',
      r.visitCountry ?? '',
      r.phone ?? '',
      r.fax ?? '',
      r.email ?? '',
      r.mainContactName,
      r.mainContactEmail,
    ]),
  ];
}

/** The overview as an A4 PDF: one block per organisation, subsidiaries indented below their parent. */
export async function overviewPdf(rows: readonly OverviewRow[], t: T, printedAt: string): Promise<Buffer> {
  const title = t('organisations.overviewTitle', { name: rows[0]?.name ?? '' });
  const doc = await createPdf(title);
  doc.font('Helvetica-Bold').fontSize(16).fillColor('#1d1d1b').text(title);
  doc
    .font('Helvetica')
    .fontSize(9)
    .fillColor('#595959')
    .text(t('organisations.printedAt', { date: printedAt }));
  doc.moveDown();
  for (const r of rows) {
    const indent = 50 + Math.min(r.depth, 6) * 18;
    const width = doc.page.width - indent - 50;
    if (doc.y > doc.page.height - 200) doc.addPage();
    const kind = t(r.parentId === null ? 'organisations.main' : 'organisations.subsidiary');
    doc.font('Helvetica-Bold').fontSize(12).fillColor('#1d1d1b').text(r.name, indent, doc.y, { width });
    doc
      .font('Helvetica')
      .fontSize(9)
      .fillColor('#595959')
      .text(`${kind} · ${t('organisations.active')}: ${t(r.active ? 'common.yes' : 'common.no')}`, indent, doc.y, {
        width,
      });
    const lines: [string, string][] = [
      [t('organisations.postalAddress'), addressLine(r.postalStreet, r.postalPostcode, r.postalCity, r.postalCountry)],
      [t('organisations.visitAddress'), addressLine(r.visitStreet, r.visitPostcode, r.visitCity, r.visitCountry)],
      [t('organisations.phone'), r.phone ?? ''],
      [t('organisations.fax'), r.fax ?? ''],
      [t('organisations.email'), r.email ?? ''],
      [t('organisations.mainContact'), [r.mainContactName, r.mainContactEmail].filter(Boolean).join(', ')],
    ];
    doc.fontSize(10).fillColor('#1d1d1b');
    for (const [label, value] of lines) {
      if (!value) continue;
      doc
        .font('Helvetica-Bold')
        .text(`${label}: `, indent, doc.y, { width, continued: true })
        .font('Helvetica')
        .text(value);
    }
    doc.moveDown(0.8);
  }
  numberPages(doc, (n, of) => t('organisations.pageOf', { n, of }));
  return pdfToBuffer(doc);
}
