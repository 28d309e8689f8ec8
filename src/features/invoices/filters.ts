import type { Request } from 'express';
import { str } from '../../http/validation.js';
import { amsterdamToday, dateOfDay, typedDay } from '../../calendar.js';

/** The invoice list's filters, as the user asked for them (not yet checked against the scope). */
export interface InvoiceFilter {
  /** Organisation chosen in the filter; undefined: the person's own. */
  orgId?: number;
  /** "ook dochterorganisaties": include the chosen organisation's subsidiaries (SUBSIDIARY_ACCESS only). */
  subsidiaries: boolean;
  /** Invoice date range, inclusive; null: no bound. Dates are UTC midnights (DATE columns). */
  from: Date | null;
  to: Date | null;
  /** True when the range is the default (the last six calendar months up to today). */
  defaultRange: boolean;
  q: string;
  /** Field name -> locale key, for a date the user typed that is not a date. */
  errors: Record<string, string>;
}

/**
 * Six calendar months up to and including `day`: from the first of the month five months
 * before `day`'s month, to `day` itself (on 29-11-2026: 1-6-2026 to 29-11-2026).
 */
export function sixMonthsUpTo(day: Date): { from: Date; to: Date } {
  return { from: new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() - 5, 1)), to: day };
}

/** The list's default period: the last six calendar months up to today in Amsterdam. */
export function defaultPeriod(now: Date): { from: Date; to: Date } {
  return sixMonthsUpTo(amsterdamToday(now));
}

/**
 * "2017-07-01" (an <input type=date>) or "1-7-2017" (typed the Dutch way) -> UTC midnight; null when not a real date.
 */
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
 * Reads `?org=&subs=ja|nee&from=&to=&dates=all&q=`. No dates: the last six calendar months;
 * `dates=all`: no range. A date that is not a date is reported and the default is used.
 */
export function parseInvoiceFilter(query: Request['query'], now: Date, hasSubsidiaryAccess: boolean): InvoiceFilter {
  const errors: Record<string, string> = {};
  const orgRaw = str(query.org);
  const orgId = /^[1-9]\d{0,8}$/.test(orgRaw) ? Number(orgRaw) : undefined;
  const subs = str(query.subs);
  const subsidiaries = hasSubsidiaryAccess && subs !== 'nee';
  const period = defaultPeriod(now);
  const fromRaw = str(query.from);
  const toRaw = str(query.to);
  let from: Date | null = null;
  let to: Date | null = null;
  // Typed day first (1-7-2026, 01072026), as the hint says; a link's 2026-07-01 too.
  const day = (raw: string) => {
    const d = typedDay(raw);
    return d ? dateOfDay(d) : null;
  };
  if (fromRaw) from = day(fromRaw) ?? ((errors.from = 'invoices.errors.date'), null);
  if (toRaw) to = day(toRaw) ?? ((errors.to = 'invoices.errors.date'), null);
  const all = str(query.dates) === 'all';
  const defaultRange = !all && !fromRaw && !toRaw;
  if (defaultRange || Object.keys(errors).length) {
    from = period.from;
    to = period.to;
  }
  if (from && to && from > to) {
    errors.to = 'invoices.errors.range';
    from = period.from;
    to = period.to;
  }
  return { orgId, subsidiaries, from, to, defaultRange, q: str(query.q).slice(0, 200), errors };
}
