import { describe, expect, it } from 'vitest';
import { addWorkingDays, dutchHolidays, easterSunday, isWorkingDay } from '../../src/working-days.js';

/** An Amsterdam wall-clock time as an instant (summer time: +02:00, winter: +01:00). */
const at = (iso: string) => new Date(iso);
const day = (d: Date) => d.toISOString().slice(0, 10);

describe('Easter and the holidays that hang on it', () => {
  it('knows Easter Sunday in several years', () => {
    expect(easterSunday(2017)).toEqual({ year: 2017, month: 4, day: 16 });
    expect(easterSunday(2024)).toEqual({ year: 2024, month: 3, day: 31 });
    expect(easterSunday(2025)).toEqual({ year: 2025, month: 4, day: 20 });
    expect(easterSunday(2026)).toEqual({ year: 2026, month: 4, day: 5 });
    expect(easterSunday(2038)).toEqual({ year: 2038, month: 4, day: 25 });
  });

  it('lists the Dutch public holidays of 2026', () => {
    expect([...dutchHolidays(2026).entries()]).toEqual([
      ['01-01', 'Nieuwjaarsdag'],
      ['04-05', 'Eerste Paasdag'],
      ['04-06', 'Tweede Paasdag'],
      ['04-27', 'Koningsdag'],
      ['05-05', 'Bevrijdingsdag'],
      ['05-14', 'Hemelvaartsdag'],
      ['05-24', 'Eerste Pinksterdag'],
      ['05-25', 'Tweede Pinksterdag'],
      ['12-25', 'Eerste Kerstdag'],
      ['12-26', 'Tweede Kerstdag'],
    ]);
  });

  it('moves Koningsdag to 26 April when the 27th is a Sunday (2025), and knows Koninginnedag before 2014', () => {
    expect(dutchHolidays(2025).get('04-26')).toBe('Koningsdag');
    expect(dutchHolidays(2025).has('04-27')).toBe(false);
    expect(dutchHolidays(2013).get('04-30')).toBe('Koninginnedag');
  });

  it('Goede Vrijdag is a working day; Bevrijdingsdag is a holiday every year, not only in lustrum years', () => {
    expect(isWorkingDay({ year: 2026, month: 4, day: 3 })).toBe(true); // Goede Vrijdag 2026
    expect(isWorkingDay({ year: 2026, month: 5, day: 5 })).toBe(false); // Tuesday, not a lustrum year
    expect(isWorkingDay({ year: 2026, month: 5, day: 6 })).toBe(true);
  });
});

describe('deadline in working days', () => {
  it('the manual: reported Thursday 13 July 2017 11:05, one day: Friday 14 July', () => {
    expect(day(addWorkingDays(at('2017-07-13T11:05:00+02:00'), 1))).toBe('2017-07-14');
  });

  it('skips the weekend: Friday + 1 is Monday; Saturday + 1 is Monday; Friday + 3 is Wednesday', () => {
    expect(day(addWorkingDays(at('2026-03-06T16:00:00+01:00'), 1))).toBe('2026-03-09');
    expect(day(addWorkingDays(at('2026-03-07T10:00:00+01:00'), 1))).toBe('2026-03-09');
    expect(day(addWorkingDays(at('2026-03-06T16:00:00+01:00'), 3))).toBe('2026-03-11');
  });

  it('counts from the Amsterdam day, not the UTC day: 00:30 on Saturday in Amsterdam is still Friday in UTC', () => {
    // 2026-03-06 23:30 Amsterdam = 22:30 UTC Friday; 2026-03-07 00:30 Amsterdam = 23:30 UTC Friday.
    expect(day(addWorkingDays(at('2026-03-06T23:30:00+01:00'), 1))).toBe('2026-03-09');
    expect(day(addWorkingDays(at('2026-03-07T00:30:00+01:00'), 0))).toBe('2026-03-09');
  });

  it('skips Easter: Thursday before Easter 2026 + 2 is Tuesday (Friday counts, Monday is Tweede Paasdag)', () => {
    expect(day(addWorkingDays(at('2026-04-02T09:00:00+02:00'), 2))).toBe('2026-04-07');
  });

  it('skips Koningsdag, Bevrijdingsdag, Hemelvaart and Pinksteren', () => {
    // Friday 24 April 2026 + 1: Monday 27 April is Koningsdag -> Tuesday 28 April.
    expect(day(addWorkingDays(at('2026-04-24T12:00:00+02:00'), 1))).toBe('2026-04-28');
    // Monday 4 May 2026 + 1: Tuesday 5 May is Bevrijdingsdag -> Wednesday 6 May.
    expect(day(addWorkingDays(at('2026-05-04T12:00:00+02:00'), 1))).toBe('2026-05-06');
    // Wednesday 13 May 2026 + 1: Thursday 14 May is Hemelvaart -> Friday 15 May.
    expect(day(addWorkingDays(at('2026-05-13T12:00:00+02:00'), 1))).toBe('2026-05-15');
    // Friday 22 May 2026 + 1: Monday 25 May is Tweede Pinksterdag -> Tuesday 26 May.
    expect(day(addWorkingDays(at('2026-05-22T12:00:00+02:00'), 1))).toBe('2026-05-26');
  });

  it('skips Christmas and New Year: 24 December 2026 (Thursday) + 3 is 30 December; 31 December + 1 is 4 January 2027', () => {
    expect(day(addWorkingDays(at('2026-12-24T12:00:00+01:00'), 3))).toBe('2026-12-30');
    expect(day(addWorkingDays(at('2026-12-31T12:00:00+01:00'), 1))).toBe('2027-01-04');
  });

  it('ten working days over a holiday week', () => {
    // Thursday 30 April 2026 + 10: 1, 4, (5 May), 6, 7, 8, 11, 12, 13, (14 Hemelvaart), 15, 18 May.
    expect(day(addWorkingDays(at('2026-04-30T12:00:00+02:00'), 10))).toBe('2026-05-18');
  });
});
