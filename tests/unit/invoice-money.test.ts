import { describe, expect, it } from 'vitest';
import {
  divRound,
  formatCents,
  formatQuantity,
  formatRate,
  fromUnits,
  invoiceTotals,
  lineAmountCents,
  toUnits,
} from '../../src/features/invoices/money.js';
import { defaultPeriod, parseDay, parseInvoiceFilter, sixMonthsUpTo } from '../../src/features/invoices/filters.js';
import { contentDisposition } from '../../src/http/download.js';
import { formatMoney } from '../../src/i18n/index.js';

describe('invoice money (integers, never floats)', () => {
  it('parses and writes decimals exactly', () => {
    expect(toUnits('1234.56', 2)).toBe(123456n);
    expect(toUnits('12,5', 2)).toBe(1250n);
    expect(toUnits('-0.10', 2)).toBe(-10n);
    expect(toUnits('1.005', 2)).toBeNull();
    expect(toUnits('1.500', 2)).toBe(150n);
    expect(toUnits('abc', 2)).toBeNull();
    expect(fromUnits(123456n, 2)).toBe('1234.56');
    expect(fromUnits(-5n, 2)).toBe('-0.05');
    expect(fromUnits(2500n, 3)).toBe('2.500');
  });

  it('rounds half away from zero', () => {
    expect(divRound(5n, 10n)).toBe(1n);
    expect(divRound(-5n, 10n)).toBe(-1n);
    expect(divRound(4n, 10n)).toBe(0n);
    expect(lineAmountCents(3000n, 1299n)).toBe(3897n);
    expect(lineAmountCents(2500n, 10n)).toBe(25n);
    expect(lineAmountCents(333n, 1n)).toBe(0n);
  });

  it('adds up lines: VAT per rate on the rate total, the sum of the parts is the total', () => {
    // 0.1 + 0.2 in floats is not 0.3; in cents it is.
    const t = invoiceTotals([
      { amountCents: 10n, vatRateHundredths: 2100n },
      { amountCents: 20n, vatRateHundredths: 2100n },
      { amountCents: 3897n, vatRateHundredths: 900n },
    ]);
    expect(t.exclCents).toBe(3927n);
    expect(t.vatByRate).toEqual([
      { rateHundredths: 900n, baseCents: 3897n, vatCents: 351n },
      { rateHundredths: 2100n, baseCents: 30n, vatCents: 6n },
    ]);
    expect(t.inclCents).toBe(3927n + 357n);
  });

  it("formats as the portal's formatMoney does", () => {
    for (const c of [0n, 5n, 123456n, 100000000n, -123456n])
      expect(formatCents(c)).toBe(formatMoney('nl', fromUnits(c, 2)));
    expect(formatCents(123456n)).toBe('€ 1.234,56');
    expect(formatRate(2100n)).toBe('21%');
    expect(formatRate(550n)).toBe('5,5%');
    expect(formatQuantity(2500n)).toBe('2,5');
    expect(formatQuantity(10000n)).toBe('10');
  });
});

describe('invoice filter', () => {
  it('defaults to the last six calendar months up to today in Amsterdam', () => {
    const iso = (r: { from: Date; to: Date }) => [r.from.toISOString().slice(0, 10), r.to.toISOString().slice(0, 10)];
    expect(iso(defaultPeriod(new Date('2017-08-15T10:00:00Z')))).toEqual(['2017-03-01', '2017-08-15']);
    expect(iso(defaultPeriod(new Date('2017-06-30T22:30:00Z')))).toEqual(['2017-02-01', '2017-07-01']); // 00:30 on 1 July in Amsterdam
    // On 1 January the period reaches back into last year: never an empty list for a new year.
    expect(iso(defaultPeriod(new Date('2026-12-31T23:30:00Z')))).toEqual(['2026-08-01', '2027-01-01']);
    expect(iso(defaultPeriod(new Date('2018-03-01T12:00:00Z')))).toEqual(['2017-10-01', '2018-03-01']);
    expect(iso(sixMonthsUpTo(new Date('2017-07-06T00:00:00Z')))).toEqual(['2017-02-01', '2017-07-06']);
  });

  it('reads dates the ISO way and the Dutch way, and refuses impossible ones', () => {
    expect(parseDay('2017-07-01')?.toISOString()).toBe('2017-07-01T00:00:00.000Z');
    expect(parseDay('1-7-2017')?.toISOString()).toBe('2017-07-01T00:00:00.000Z');
    expect(parseDay('31-2-2017')).toBeNull();
    expect(parseDay('2017-13-01')).toBeNull();
    const f = parseInvoiceFilter({ from: '2017-12-31', to: '2017-01-01' }, new Date('2017-08-15T10:00:00Z'), false);
    expect(f.errors).toEqual({ to: 'invoices.errors.range' });
    expect(parseInvoiceFilter({ dates: 'all' }, new Date(), false)).toMatchObject({
      from: null,
      to: null,
      defaultRange: false,
    });
    expect(parseInvoiceFilter({ subs: 'ja' }, new Date(), false).subsidiaries).toBe(false);
  });
});

describe('Content-Disposition (RFC 6266)', () => {
  it('keeps ASCII names plain and adds filename*=UTF-8 for any other name', () => {
    expect(contentDisposition('factuur-105035.pdf')).toBe('attachment; filename="factuur-105035.pdf"');
    expect(contentDisposition('Één "test".pdf')).toBe(
      `attachment; filename="Een _test_.pdf"; filename*=UTF-8''%C3%89%C3%A9n%20%22test%22.pdf`,
    );
    expect(contentDisposition('rapport €.pdf', 'inline')).toBe(
      `inline; filename="rapport _.pdf"; filename*=UTF-8''rapport%20%E2%82%AC.pdf`,
    );
  });
});
