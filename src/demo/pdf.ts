/**
 * A minimal, valid one-page PDF 1.4 written by hand (no library): catalog, page tree, one A4
 * page, the standard Helvetica font, a content stream with the text, an info dictionary, and
 * a cross-reference table whose byte offsets are exact. Used for the demo's manuals and reports.
 */

/**
 * PDF string literal of latin-1 text, with \ ( ) escaped. The euro sign is 0x80 in
 * WinAnsiEncoding (page text) and 0xA0 in PDFDocEncoding (the info dictionary).
 */
function pdfString(text: string, euro = '\x80'): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    const c = code === 0x20ac ? euro : code < 0x20 || code > 0xff ? '?' : ch;
    out += c === '\\' || c === '(' || c === ')' ? `\\${c}` : c;
  }
  return `(${out})`;
}

/**
 * Builds the PDF: `title` in 18 pt at the top of the page, each of `lines` below it in 11 pt.
 * Returns the file's bytes (latin-1, so one byte per character and offsets are string indexes).
 */
export function buildDemoPdf(title: string, lines: readonly string[] = []): Buffer {
  const text = [`BT /F1 18 Tf 56 770 Td ${pdfString(title)} Tj ET`];
  lines.forEach((line, i) => text.push(`BT /F1 11 Tf 56 ${736 - i * 16} Td ${pdfString(line)} Tj ET`));
  const stream = text.join('\n') + '\n';

  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}endstream`,
    `<< /Title ${pdfString(title, '\xa0')} /Producer (PIM) >>`,
  ];

  // The second line's bytes above 127 tell tools the file is binary (PDF 32000-1, 7.5.2).
  let pdf = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xrefAt = pdf.length;
  // Every entry is exactly 20 bytes: 10-digit offset, space, 5-digit generation, space, n/f, space, LF.
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) pdf += `${String(off).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}
