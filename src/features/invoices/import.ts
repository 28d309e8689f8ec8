import { parse as parseCsv } from 'csv-parse/sync';
import { refuse, type AppError } from '../../http/errors.js';
import { parseDay } from './filters.js';
import { invoiceTotals, lineAmountCents, MAX_CENTS, toUnits } from './money.js';
import { textOf } from '../../http/validation.js';

/** One invoice line, in whole units. */
export interface LineInput {
  description: string;
  quantityMilli: bigint;
  unitPriceCents: bigint;
  vatRateHundredths: bigint;
  amountCents: bigint;
}

/** One invoice to store, with where it came from in the input ("line 17", "item 3"). */
export interface InvoiceInput {
  number: number;
  organizationId: number;
  title: string;
  invoiceDate: Date;
  paymentTermDays: number;
  organizationName: string | null;
  /** The number of the invoice this credit note credits (same organisation), or null. */
  creditsNumber: number | null;
  lines: LineInput[];
  exclCents: bigint;
  vatCents: bigint;
  source: string;
}

/** A bad value: which field (named as in the input), why, and where (`line 17`, `item 3`; '' for the whole input). */
function bad(where: string, field: string, reason: string): AppError {
  return refuse(field, reason, { where });
}

type Raw = Record<string, unknown>;
const s = (v: unknown) => (v === undefined || v === null ? '' : textOf(v).trim());

function field<T>(where: string, name: string, value: unknown, check: (v: string) => T | string): T {
  const out = check(s(value));
  if (typeof out === 'string') throw bad(where, name, out);
  return out;
}

const positive = (v: string) => (/^[1-9]\d{0,8}$/.test(v) ? { n: Number(v) } : 'must be a positive whole number');
const text = (max: number) => (v: string) =>
  v === '' ? 'must not be empty' : v.length > max ? `must be at most ${max} characters` : { v };
const day = (v: string) => {
  const d = parseDay(v);
  return d ? { d } : `not a date: "${v}" (e.g. 2017-07-06)`;
};
const term = (v: string) =>
  v === ''
    ? { n: 30 }
    : /^\d{1,3}$/.test(v) && Number(v) <= 365
      ? { n: Number(v) }
      : 'must be a whole number of days from 0 to 365';
const decimal =
  (scale: number, max: bigint, what: string, min = -max) =>
  (v: string) => {
    const n = toUnits(v, scale);
    if (n === null) return `not ${what} with at most ${scale} decimals: "${v}"`;
    return n < min || n > max ? `out of range: "${v}"` : { n };
  };

/** Checks one line's fields (names as in the input) and computes its amount. */
export function readLine(
  where: string,
  raw: Raw,
  names: { description: string; quantity: string; unitPrice: string; vatRate: string },
): LineInput {
  const description = field(where, names.description, raw[names.description], text(500)).v;
  const quantityMilli = field(where, names.quantity, raw[names.quantity], decimal(3, 10n ** 12n, 'a number')).n;
  const unitPriceCents = field(where, names.unitPrice, raw[names.unitPrice], decimal(2, MAX_CENTS, 'an amount')).n;
  const vatRateHundredths = field(where, names.vatRate, raw[names.vatRate], decimal(2, 10000n, 'a percentage', 0n)).n;
  const amountCents = lineAmountCents(quantityMilli, unitPriceCents);
  if (amountCents > MAX_CENTS || amountCents < -MAX_CENTS)
    throw bad(where, names.quantity, 'the line amount is too large');
  return { description, quantityMilli, unitPriceCents, vatRateHundredths, amountCents };
}

/** Checks an invoice's own fields (names as in the input; `credits`: the optional invoice a credit note credits). */
export function readHead(
  where: string,
  raw: Raw,
  names: { number: string; org: string; title: string; date: string; term: string; orgName: string; credits?: string },
) {
  const orgName = s(raw[names.orgName]);
  if (orgName.length > 200) throw bad(where, names.orgName, 'must be at most 200 characters');
  const credits = names.credits ? s(raw[names.credits]) : '';
  return {
    creditsNumber: credits === '' ? null : field(where, names.credits!, credits, positive).n,
    number: field(where, names.number, raw[names.number], positive).n,
    organizationId: field(where, names.org, raw[names.org], positive).n,
    title: field(where, names.title, raw[names.title], text(200)).v,
    invoiceDate: field(where, names.date, raw[names.date], day).d,
    paymentTermDays: field(where, names.term, raw[names.term], term).n,
    organizationName: orgName || null,
  };
}

/** Completes an invoice with its totals (VAT per rate). */
export function withTotals(
  head: ReturnType<typeof readHead>,
  lines: LineInput[],
  source: string,
  where = source,
): InvoiceInput {
  const totals = invoiceTotals(
    lines.map((l) => ({ amountCents: l.amountCents, vatRateHundredths: l.vatRateHundredths })),
  );
  if (totals.inclCents > MAX_CENTS || totals.inclCents < -MAX_CENTS)
    throw bad(where, 'amount', 'the invoice total is too large');
  return { ...head, lines, exclCents: totals.exclCents, vatCents: totals.vatCents, source };
}

const CSV_HEAD = {
  number: 'number',
  org: 'organization_id',
  title: 'title',
  date: 'date',
  term: 'payment_term_days',
  orgName: 'organization_name',
  credits: 'credits_invoice',
};
const CSV_LINE = { description: 'description', quantity: 'quantity', unitPrice: 'unit_price', vatRate: 'vat_rate' };
const REQUIRED = ['number', 'organization_id', 'title', 'date', 'description', 'quantity', 'unit_price', 'vat_rate'];

/**
 * Reads a CSV (`;` or `,` between fields, a header line) with one row per invoice line;
 * rows with the same number form one invoice and must agree on its fields. The first
 * bad row is refused (an AppError) naming its line.
 */
export function parseInvoiceCsv(input: string): InvoiceInput[] {
  const firstLine = input.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const delimiter = firstLine.includes(';') ? ';' : ',';
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parseCsv(input, {
      bom: true,
      columns: (h: string[]) => h.map((x) => x.trim().toLowerCase()),
      delimiter,
      skip_empty_lines: true,
      info: true,
      relax_column_count: false,
    });
  } catch (e) {
    const m = /line (\d+)/i.exec((e as Error).message);
    throw bad(
      m ? `line ${m[1]}` : '',
      'csv',
      (e as Error).message.replace(/^Invalid Record Length: /, '').split('\n')[0]!,
    );
  }
  const header = Object.keys(records[0]?.record ?? {});
  for (const name of REQUIRED)
    if (records.length && !header.includes(name)) throw bad('line 1', name, 'column missing from the header');
  const byNumber = new Map<number, { head: ReturnType<typeof readHead>; lines: LineInput[]; source: string }>();
  for (const { record, info } of records) {
    const where = `line ${info.lines}`;
    const head = readHead(where, record, CSV_HEAD);
    const line = readLine(where, record, CSV_LINE);
    const seen = byNumber.get(head.number);
    if (!seen) {
      byNumber.set(head.number, { head, lines: [line], source: where });
      continue;
    }
    for (const [key, name] of [
      ['organizationId', 'organization_id'],
      ['title', 'title'],
      ['invoiceDate', 'date'],
      ['paymentTermDays', 'payment_term_days'],
      ['organizationName', 'organization_name'],
      ['creditsNumber', 'credits_invoice'],
    ] as const) {
      const a = seen.head[key];
      const b = head[key];
      if (a instanceof Date && b instanceof Date ? a.getTime() !== b.getTime() : a !== b) {
        throw bad(where, name, `differs from ${seen.source} for invoice ${head.number}`);
      }
    }
    seen.lines.push(line);
  }
  return [...byNumber.values()].map((x) => withTotals(x.head, x.lines, x.source));
}

const JSON_HEAD = {
  number: 'number',
  org: 'organizationId',
  title: 'title',
  date: 'date',
  term: 'paymentTermDays',
  orgName: 'organizationName',
  credits: 'creditsInvoice',
};
const JSON_LINE = { description: 'description', quantity: 'quantity', unitPrice: 'unitPrice', vatRate: 'vatRate' };

/**
 * Reads a JSON array of invoices `{ number, organizationId, title, date, paymentTermDays?,
 * organizationName?, creditsInvoice?, lines: [{ description, quantity, unitPrice, vatRate }] }`.
 */
export function parseInvoiceJson(input: string): InvoiceInput[] {
  let data: unknown;
  try {
    data = JSON.parse(input.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw bad('', 'json', (e as Error).message);
  }
  if (!Array.isArray(data)) throw bad('', 'json', 'must be an array of invoices');
  const seen = new Map<number, string>();
  return data.map((item: unknown, i) => {
    const where = `item ${i + 1}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw bad(where, 'invoice', 'must be an object');
    const raw = item as Raw;
    const head = readHead(where, raw, JSON_HEAD);
    if (seen.has(head.number)) throw bad(where, 'number', `invoice ${head.number} is also ${seen.get(head.number)}`);
    seen.set(head.number, where);
    if (!Array.isArray(raw.lines) || raw.lines.length === 0) throw bad(where, 'lines', 'must be a non-empty array');
    const lines = raw.lines.map((l: unknown, j) => {
      if (typeof l !== 'object' || l === null) throw bad(`${where}, line ${j + 1}`, 'line', 'must be an object');
      return readLine(`${where}, line ${j + 1}`, l as Raw, JSON_LINE);
    });
    return withTotals(head, lines, where);
  });
}
