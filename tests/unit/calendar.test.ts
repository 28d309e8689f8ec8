import { describe, expect, it } from 'vitest';
import {
  addDays,
  amsterdamDate,
  amsterdamToday,
  amsterdamWallTime,
  dateOfDay,
  dayEnd,
  dayOfDate,
  dayStart,
  fromAmsterdamWallTime,
  isDay,
  startOfAmsterdamDay,
} from '../../src/calendar.js';
import { parseIsoDateTime } from '../../src/cli/time.js';
import { addWorkingDays } from '../../src/working-days.js';
import { defaultPeriod } from '../../src/features/invoices/filters.js';

const at = (iso: string) => new Date(iso);
const iso = (d: Date) => d.toISOString();

describe('the Amsterdam calendar', () => {
  describe('on the night summer time starts (Sunday 29 March 2026, 02:00 CET becomes 03:00 CEST)', () => {
    it('names the day of an instant by the Amsterdam clock', () => {
      expect(amsterdamDate(at('2026-03-28T22:59:59Z'))).toBe('2026-03-28'); // 23:59:59 CET
      expect(amsterdamDate(at('2026-03-28T23:00:00Z'))).toBe('2026-03-29'); // midnight CET
      expect(amsterdamDate(at('2026-03-29T00:59:59Z'))).toBe('2026-03-29'); // 01:59:59 CET
      expect(amsterdamDate(at('2026-03-29T01:00:00Z'))).toBe('2026-03-29'); // 03:00 CEST
      expect(amsterdamWallTime(at('2026-03-29T01:00:00Z'))).toEqual({
        year: 2026,
        month: 3,
        day: 29,
        hour: 3,
        minute: 0,
        second: 0,
      });
    });

    it('has a day of 23 hours: it starts at midnight CET and ends at midnight CEST', () => {
      expect(iso(dayStart('2026-03-29'))).toBe('2026-03-28T23:00:00.000Z');
      expect(iso(dayEnd('2026-03-29'))).toBe('2026-03-29T22:00:00.000Z');
      expect(iso(dayStart('2026-03-30'))).toBe('2026-03-29T22:00:00.000Z');
      expect(iso(startOfAmsterdamDay(at('2026-03-29T12:00:00Z')))).toBe('2026-03-28T23:00:00.000Z');
    });

    it('reads a clock time the clocks skip as summer time an hour on', () => {
      expect(iso(fromAmsterdamWallTime(Date.UTC(2026, 2, 29, 2, 30)))).toBe('2026-03-29T01:30:00.000Z'); // 03:30 CEST
      expect(iso(parseIsoDateTime('2026-03-29T02:30')!)).toBe('2026-03-29T01:30:00.000Z');
      expect(iso(fromAmsterdamWallTime(Date.UTC(2026, 2, 29, 1, 59)))).toBe('2026-03-29T00:59:00.000Z');
    });
  });

  describe('on the night summer time ends (Sunday 25 October 2026, 03:00 CEST becomes 02:00 CET)', () => {
    it('names the day of an instant by the Amsterdam clock, through the hour shown twice', () => {
      expect(amsterdamDate(at('2026-10-24T21:59:59Z'))).toBe('2026-10-24'); // 23:59:59 CEST
      expect(amsterdamDate(at('2026-10-24T22:00:00Z'))).toBe('2026-10-25'); // midnight CEST
      expect(amsterdamDate(at('2026-10-25T00:30:00Z'))).toBe('2026-10-25'); // 02:30 CEST
      expect(amsterdamDate(at('2026-10-25T01:30:00Z'))).toBe('2026-10-25'); // 02:30 CET
      expect(amsterdamDate(at('2026-10-25T22:59:59Z'))).toBe('2026-10-25'); // 23:59:59 CET
      expect(amsterdamDate(at('2026-10-25T23:00:00Z'))).toBe('2026-10-26');
    });

    it('has a day of 25 hours: it starts at midnight CEST and ends at midnight CET', () => {
      expect(iso(dayStart('2026-10-25'))).toBe('2026-10-24T22:00:00.000Z');
      expect(iso(dayEnd('2026-10-25'))).toBe('2026-10-25T23:00:00.000Z');
      expect(iso(startOfAmsterdamDay(at('2026-10-25T01:30:00Z')))).toBe('2026-10-24T22:00:00.000Z');
    });

    it('reads a clock time shown twice as the second one, in winter time', () => {
      expect(iso(fromAmsterdamWallTime(Date.UTC(2026, 9, 25, 2, 30)))).toBe('2026-10-25T01:30:00.000Z');
      expect(iso(parseIsoDateTime('2026-10-25T02:30')!)).toBe('2026-10-25T01:30:00.000Z');
    });
  });

  it('reads every instant as Intl does (the offset kept per UTC hour), across the clock changes since 1900', () => {
    const intl = new Intl.DateTimeFormat('en-US', {
      timeZone: 'Europe/Amsterdam',
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    const byIntl = (d: Date) => {
      const parts = intl.formatToParts(d);
      const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
      return {
        year: get('year'),
        month: get('month'),
        day: get('day'),
        hour: get('hour'),
        minute: get('minute'),
        second: get('second'),
      };
    };
    // Every 29,970,001 ms (8 h 20 min) from 1916 to 1950 (Amsterdam Mean Time, +00:19:32 and
    // +00:20, the war's changes at odd hours), then every fifth hour over the last nine days of
    // each March and October to 2100 (the changes on their last Sunday), with a minute, a second
    // and a millisecond added; some instants twice (the second time from the per-hour cache).
    const instants: number[] = [];
    for (let ms = Date.UTC(1916, 0, 1); ms < Date.UTC(1950, 0, 1); ms += 29_970_001) instants.push(ms);
    for (let year = 1950; year < 2100; year++)
      for (const month of [2, 9])
        for (let h = 0; h < 24 * 9; h += 5) instants.push(Date.UTC(year, month, 23, h, h % 60, (h * 7) % 60, h % 1000));
    const wrong = [...instants, ...instants.slice(0, 5000)].filter(
      (ms) => JSON.stringify(amsterdamWallTime(new Date(ms))) !== JSON.stringify(byIntl(new Date(ms))),
    );
    expect(wrong.map((ms) => new Date(ms).toISOString())).toEqual([]);
  });

  describe("on New Year's Eve at 23:30 in Amsterdam (22:30 UTC)", () => {
    const nye = at('2026-12-31T22:30:00Z');

    it('is still 31 December; half an hour later it is the new year', () => {
      expect(amsterdamDate(nye)).toBe('2026-12-31');
      expect(amsterdamWallTime(nye)).toEqual({ year: 2026, month: 12, day: 31, hour: 23, minute: 30, second: 0 });
      expect(amsterdamDate(at('2026-12-31T23:00:00Z'))).toBe('2027-01-01');
      expect(iso(amsterdamToday(nye))).toBe('2026-12-31T00:00:00.000Z');
      expect(iso(amsterdamToday(at('2026-12-31T23:30:00Z')))).toBe('2027-01-01T00:00:00.000Z');
    });

    it('ends the year at midnight CET and adds days across it', () => {
      expect(iso(startOfAmsterdamDay(nye))).toBe('2026-12-30T23:00:00.000Z');
      expect(iso(dayEnd('2026-12-31'))).toBe('2026-12-31T23:00:00.000Z');
      expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
      expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
      expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    });

    it('gives the callers the Amsterdam day: the ticket deadline and the invoice period', () => {
      // Thursday 31 December, 1 working day: New Year's Day and the weekend are skipped.
      expect(iso(addWorkingDays(nye, 1))).toBe('2027-01-04T00:00:00.000Z');
      expect(defaultPeriod(nye).to.toISOString()).toBe('2026-12-31T00:00:00.000Z');
      expect(defaultPeriod(at('2026-12-31T23:30:00Z')).to.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    });
  });

  it('knows a real day from a string that only looks like one, and reads DATE values as days', () => {
    expect(isDay('2028-02-29')).toBe(true);
    expect(isDay('2026-02-29')).toBe(false);
    expect(isDay('2026-13-01')).toBe(false);
    expect(isDay('1-7-2017')).toBe(false);
    expect(iso(dateOfDay('2017-07-06'))).toBe('2017-07-06T00:00:00.000Z');
    expect(dayOfDate(new Date(Date.UTC(2017, 6, 6)))).toBe('2017-07-06');
  });
});
