import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { toCsv } from '../../src/http/csv.js';

describe('toCsv', () => {
  it('writes what Dutch Excel reads: BOM, semicolons, CRLF, quotes where needed', () => {
    const csv = toCsv([
      ['Naam', 'Plaats'],
      ['Jansen; Jan', 'Zeg "hoi"'],
      ['Müller', ''],
    ]);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv).toContain('\r\n');
    expect(parse(csv.slice(1), { delimiter: ';' })).toEqual([
      ['Naam', 'Plaats'],
      ['Jansen; Jan', 'Zeg "hoi"'],
      ['Müller', ''],
    ]);
  });

  it('defuses formulas but leaves negative amounts and phone numbers alone', () => {
    const [row] = parse(
      toCsv([['=HYPERLINK("x")', '+SUM(A1)', '@cmd', '-12,50', '+31 6 12345678', '-', '-1+1']]).slice(1),
      { delimiter: ';' },
    );
    expect(row).toEqual(['\'=HYPERLINK("x")', "'+SUM(A1)", "'@cmd", '-12,50', '+31 6 12345678', "'-", "'-1+1"]);
  });
});
