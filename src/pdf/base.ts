/**
 * A4 PDF with PIM's margins and metadata; the built-in Helvetica covers Dutch accents (WinAnsi).
 * pdfkit (with its font and compression code) is loaded on the first PDF, not at the start.
 */
export async function createPdf(title: string): Promise<PDFKit.PDFDocument> {
  const { default: PDFDocument } = await import('pdfkit');
  return new PDFDocument({
    size: 'A4',
    margin: 50,
    bufferPages: true,
    info: { Title: title, Author: 'Vcare connect', Creator: 'PIM' },
  });
}

/** Finishes the document and collects its bytes. */
export function pdfToBuffer(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}

/** Writes "page N of M" at the bottom of every page (call before pdfToBuffer). */
export function numberPages(doc: PDFKit.PDFDocument, label: (n: number, of: number) => string): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .fontSize(8)
      .fillColor('#595959')
      .text(label(i + 1, range.count), 50, doc.page.height - 35, { align: 'center', width: doc.page.width - 100 });
    doc.page.margins.bottom = bottom;
  }
}
