/**
 * Working days in the Netherlands, for ticket deadlines. The public holidays are those of the
 * Algemene termijnenwet (the law that also moves legal deadlines past them):
 * Nieuwjaarsdag, Tweede Paasdag, Koningsdag, Bevrijdingsdag (5 May, every year, as that law
 * counts it; not only in lustrum years), Hemelvaartsdag, Tweede Pinksterdag, Eerste en Tweede
 * Kerstdag (Easter Sunday and Whit Sunday are Sundays anyway). Goede Vrijdag is NOT a holiday
 * there, so it counts as a working day. Koningsdag is 27 April (26 April when the 27th is a
 * Sunday); until 2013 it was Koninginnedag, 30 April (29 April when the 30th is a Sunday).
 */

import { amsterdamDate } from './calendar.js';

/** A calendar day (no time, no zone): months 1-12. */
export interface CalendarDay {
  year: number;
  month: number;
  day: number;
}

/** Easter Sunday of `year` (Gregorian calendar; the anonymous "Meeus/Jones/Butcher" algorithm). */
export function easterSunday(year: number): CalendarDay {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return { year, month, day };
}

const utc = (d: CalendarDay) => Date.UTC(d.year, d.month - 1, d.day);
const fromUtc = (ms: number): CalendarDay => {
  const x = new Date(ms);
  return { year: x.getUTCFullYear(), month: x.getUTCMonth() + 1, day: x.getUTCDate() };
};
const plusDays = (d: CalendarDay, n: number) => fromUtc(utc(d) + n * 86_400_000);
const weekday = (d: CalendarDay) => new Date(utc(d)).getUTCDay(); // 0 = Sunday

const cache = new Map<number, Map<string, string>>();

/** The public holidays of `year`: "MM-DD" -> name. */
export function dutchHolidays(year: number): Map<string, string> {
  const hit = cache.get(year);
  if (hit) return hit;
  const key = (d: CalendarDay) => `${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
  const easter = easterSunday(year);
  const kingsDay = year >= 2014 ? { year, month: 4, day: 27 } : { year, month: 4, day: 30 };
  if (weekday(kingsDay) === 0) kingsDay.day -= 1;
  const days = new Map<string, string>([
    ['01-01', 'Nieuwjaarsdag'],
    [key(easter), 'Eerste Paasdag'],
    [key(plusDays(easter, 1)), 'Tweede Paasdag'],
    [key(kingsDay), year >= 2014 ? 'Koningsdag' : 'Koninginnedag'],
    ['05-05', 'Bevrijdingsdag'],
    [key(plusDays(easter, 39)), 'Hemelvaartsdag'],
    [key(plusDays(easter, 49)), 'Eerste Pinksterdag'],
    [key(plusDays(easter, 50)), 'Tweede Pinksterdag'],
    ['12-25', 'Eerste Kerstdag'],
    ['12-26', 'Tweede Kerstdag'],
  ]);
  cache.set(year, days);
  return days;
}

/** True for Monday to Friday that is not a public holiday. */
export function isWorkingDay(d: CalendarDay): boolean {
  const wd = weekday(d);
  if (wd === 0 || wd === 6) return false;
  return !dutchHolidays(d.year).has(`${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`);
}

/** The Amsterdam calendar day of an instant, as the holiday arithmetic reads it. */
function amsterdamCalendarDay(instant: Date): CalendarDay {
  const [year, month, day] = amsterdamDate(instant).split('-').map(Number) as [number, number, number];
  return { year, month, day };
}

/**
 * The deadline `days` working days after the Amsterdam day of `from`: each step moves to the
 * next working day, so a ticket filed on Friday with 1 day is due on Monday, and one filed on
 * Saturday with 1 day is due on Monday too. With 0 days: that day, or the next working day.
 * Returns a date-only value (UTC midnight), as a PostgreSQL `date` column stores it.
 */
export function addWorkingDays(from: Date, days: number): Date {
  let d = amsterdamCalendarDay(from);
  if (days <= 0) {
    while (!isWorkingDay(d)) d = plusDays(d, 1);
    return new Date(utc(d));
  }
  for (let left = days; left > 0;) {
    d = plusDays(d, 1);
    if (isWorkingDay(d)) left--;
  }
  return new Date(utc(d));
}
