import { describe, it, expect } from 'vitest';
import { buildDemoPdf } from '../../src/demo/pdf.js';

/** The cross-reference table of a PDF: where the table starts and each in-use object's offset. */
function readXref(pdf: Buffer) {
  const text = pdf.toString('latin1');
  const startxref = /startxref\n(\d+)\n%%EOF\n$/.exec(text);
  expect(startxref).not.toBeNull();
  const xrefAt = Number(startxref![1]);
  expect(text.slice(xrefAt, xrefAt + 5)).toBe('xref\n');
  const header = /^xref\n0 (\d+)\n/.exec(text.slice(xrefAt))!;
  const count = Number(header[1]);
  const entriesAt = xrefAt + header[0].length;
  const entries: Array<{ offset: number; gen: number; type: string }> = [];
  for (let i = 0; i < count; i++) {
    const entry = text.slice(entriesAt + i * 20, entriesAt + (i + 1) * 20);
    const m = /^(\d{10}) (\d{5}) ([nf])( \n|\r\n| \r)$/.exec(entry);
    expect(m, `xref entry ${i}: ${JSON.stringify(entry)}`).not.toBeNull();
    entries.push({ offset: Number(m![1]), gen: Number(m![2]), type: m![3]! });
  }
  return { text, count, entries, trailerAt: entriesAt + count * 20 };
}

describe('buildDemoPdf', () => {
  it('writes a PDF 1.4 file with a binary marker and an end-of-file marker', () => {
    const pdf = buildDemoPdf('Recorder Handleiding 1.0');
    expect(pdf.subarray(0, 9).toString('latin1')).toBe('%PDF-1.4\n');
    expect(pdf[10]! > 127 && pdf[11]! > 127).toBe(true);
    expect(pdf.toString('latin1').endsWith('%%EOF\n')).toBe(true);
  });

  it('has xref offsets that point at "N 0 obj" lines', () => {
    const pdf = buildDemoPdf('week25 Patienten vanaf 19-06-2017', ['Rapportage (demo)', 'second line']);
    const { text, count, entries } = readXref(pdf);
    expect(entries[0]).toEqual({ offset: 0, gen: 65535, type: 'f' });
    for (let n = 1; n < count; n++) {
      const e = entries[n]!;
      expect(e.type).toBe('n');
      expect(text.slice(e.offset, e.offset + `${n} 0 obj\n`.length)).toBe(`${n} 0 obj\n`);
      // An object starts at the beginning of a line.
      expect(text[e.offset - 1]).toBe('\n');
    }
  });

  it('has a trailer naming the size, the catalog and the info dictionary', () => {
    const pdf = buildDemoPdf('Snom Toestellen');
    const { text, count, entries, trailerAt } = readXref(pdf);
    const trailer = text.slice(trailerAt);
    expect(trailer).toMatch(new RegExp(`^trailer\\n<< /Size ${count} /Root 1 0 R /Info 6 0 R >>`));
    const catalog = text.slice(entries[1]!.offset);
    expect(catalog).toMatch(/^1 0 obj\n<< \/Type \/Catalog \/Pages 2 0 R >>/);
  });

  it('declares the exact byte length of the content stream, which draws the title in Helvetica', () => {
    const pdf = buildDemoPdf('Test (met haakjes) en \\ backslash, één €');
    const text = pdf.toString('latin1');
    const m = /<< \/Length (\d+) >>\nstream\n/.exec(text)!;
    const start = m.index + m[0].length;
    const length = Number(m[1]);
    expect(text.slice(start + length, start + length + 'endstream'.length)).toBe('endstream');
    const stream = text.slice(start, start + length);
    expect(stream).toContain('/F1 18 Tf');
    expect(stream).toContain('(Test \\(met haakjes\\) en \\\\ backslash, \xe9\xe9n \x80) Tj');
    expect(text).toContain('/BaseFont /Helvetica');
  });

  it('is a Buffer whose length is its byte size', () => {
    const pdf = buildDemoPdf('x');
    expect(Buffer.isBuffer(pdf)).toBe(true);
    expect(pdf.length).toBe(Buffer.byteLength(pdf.toString('latin1'), 'latin1'));
  });
});
