import type { Response } from 'express';
import { sendDownload } from './download.js';

/** A signed number or phone number: starts like a formula, but is not one. */
const SAFE_SIGNED = /^[+-]?[\d ]+([.,]\d+)?$/;

/**
 * A CSV that Dutch Excel opens correctly: UTF-8 with BOM, `;` between fields, CRLF lines.
 * Cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR) get a leading
 * apostrophe (CSV injection); plain numbers (-12,50) and phone numbers (+31 6 12345678)
 * cannot be formulas and stay as they are.
 */
export function toCsv(rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  const cell = (v: string | number | null | undefined): string => {
    let s = v === null || v === undefined ? '' : String(v);
    if (/^[=+\-@\t\r]/.test(s) && !SAFE_SIGNED.test(s)) s = `'${s}`;
    return /[;"\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return '\uFEFF' + rows.map((r) => r.map(cell).join(';')).join('\r\n') + '\r\n';
}

/** Sends rows as a CSV download named `fileName`. */
export function sendCsv(
  res: Response,
  fileName: string,
  rows: readonly (readonly (string | number | null | undefined)[])[],
): void {
  sendDownload(res, { fileName, contentType: 'text/csv; charset=utf-8', body: Buffer.from(toCsv(rows), 'utf8') });
}
