import type { Request } from 'express';
import { str } from '../../http/validation.js';

/** The invoice list's filters, as the user asked for them (not yet checked against the scope). */
export interface InvoiceFilter {
  /** Organisation chosen in the filter; undefined: the person's own. */
  orgId?: number;
  /** "ook dochterorganisaties": include the chosen organisation's subsidiaries (SUBSIDIARY_ACCESS only). */
  subsidiaries: boolean;
  /** Invoice date range, inclusive; null: no bound. Dates are UTC midnights (DATE columns). */
  from: Date | null;
  to: Date | null;
  /** True when the range is the default (the current half year). */
  defaultRange: boolean;
  q: string;
  /** Field name -> locale key, for a date the user typed that is not a date. */
  errors: Record<string, string>;
}

/** The half year (1 Jan-30 Jun or 1 Jul-31 Dec) containing `now` in Amsterdam, as UTC-midnight dates. */
export function currentHalfYear(now: Date): { from: Date; to: Date } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: 'numeric' }).formatToParts(now);
  const year = Number(parts.find((p) => p.type === 'year')?.value);
  const month = Number(parts.find((p) => p.type === 'month')?.value);
  return month <= 6
    ? { from: new Date(Date.UTC(year, 0, 1)), to: new Date(Date.UTC(year, 5, 30)) }
    : { from: new Date(Date.UTC(year, 6, 1)), to: new Date(Date.UTC(year, 11, 31)) };
}

/** "2017-07-01" (an <input type=date>) or "1-7-2017" (typed the Dutch way) -> UTC midnight; null when not a real date. */
export function parseDay(input: string): Date | null {
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(input);
  let y: number, mo: number, d: number;
  if (m) [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else {
    m = /^(\d{1,2})-(\d{1,2})-(\d{4})$/.exec(input);
    if (!m) return null;
    [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  }
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1900 || y > 2999 || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return date;
}

/** "2017-07-01" for an <input type=date> value. */
export function isoDay(d: Date | null): string {
  return d ? d.toISOString().slice(0, 10) : '';
}

/**
 * Reads `?org=&subs=ja|nee&from=&to=&dates=all&q=`. No dates: the current half year;
 * `dates=all`: no range. A date that is not a date is reported and the default is used.
 */
export function parseInvoiceFilter(query: Request['query'], now: Date, hasSubsidiaryAccess: boolean): InvoiceFilter {
  const errors: Record<string, string> = {};
  const orgRaw = str(query.org);
  const orgId = /^[1-9]\d{0,8}$/.test(orgRaw) ? Number(orgRaw) : undefined;
  const subs = str(query.subs);
  const subsidiaries = hasSubsidiaryAccess && subs !== 'nee';
  const half = currentHalfYear(now);
  const fromRaw = str(query.from);
  const toRaw = str(query.to);
  let from: Date | null = null;
  let to: Date | null = null;
  if (fromRaw) from = parseDay(fromRaw) ?? ((errors.from = 'invoices.errors.date'), null);
  if (toRaw) to = parseDay(toRaw) ?? ((errors.to = 'invoices.errors.date'), null);
  const all = str(query.dates) === 'all';
  const defaultRange = !all && !fromRaw && !toRaw;
  if (defaultRange || Object.keys(errors).length) {
    from = half.from;
    to = half.to;
  }
  if (from && to && from > to) {
    errors.to = 'invoices.errors.range';
    from = half.from;
    to = half.to;
  }
  return { orgId, subsidiaries, from, to, defaultRange, q: str(query.q).slice(0, 200), errors };
}
