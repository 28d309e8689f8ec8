import { addWorkingDays, easterSunday } from '../working-days.js';
import { amsterdamWallTime, fromAmsterdamWallTime } from '../calendar.js';

/**
 * Dates for the demo data, relative to the day it is loaded. The manual's screenshots were taken
 * in July 2017; every date of the demo keeps its distance to the manual's "today" (17-7-2017, the
 * date of its last weekly report), moved so that "today" is the day of loading. So a first visit
 * shows what the manual shows: the invoices in the default period, the open tickets and the ones
 * resolved recently enough to be "actueel", the weekly reports, a current announcement.
 */

/** The manual's "today", as a UTC midnight. */
const MANUAL_TODAY = Date.UTC(2017, 6, 17);
const DAY = 86_400_000;

/** The instant of a wall-clock time in Amsterdam (CET or CEST) on a calendar day given as a UTC midnight. */
function amsterdamInstant(dayUtc: number, hour: number, minute: number): Date {
  return fromAmsterdamWallTime(dayUtc + hour * 3_600_000 + minute * 60_000);
}

/** The demo's calendar for one moment of loading. */
export interface DemoCalendar {
  /** The day of loading in Amsterdam, as a UTC midnight. */
  today: Date;
  /** A manual date-time in Amsterdam ("2017-07-06T10:51"), moved: same clock time, same number of days before today. */
  at(manualLocal: string): Date;
  /** A manual date ("2017-07-06"), moved likewise, as a DATE value (UTC midnight). */
  day(manualIso: string): Date;
  /** The manual's deadline for a ticket: the next working day after it was reported. */
  deadline(reportedAt: Date): Date;
  /** The Mondays of the last `n` weekly reports, oldest first, the last on or before today. */
  reportMondays(n: number): Date[];
  /** The first Tweede Pinksterdag (Whit Monday) after today, the day the manual's announcement is about. */
  nextWhitMonday(): Date;
  /** `days` days before today at a clock time ("09:19"). */
  daysAgo(days: number, time: string): Date;
}

/** The demo calendar for loading at `now`. */
export function demoCalendar(now: Date): DemoCalendar {
  const p = amsterdamWallTime(now);
  const today = Date.UTC(p.year, p.month - 1, p.day);
  const shift = today - MANUAL_TODAY;
  const manualDay = (iso: string) => {
    const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
    return Date.UTC(y!, m! - 1, d) + shift;
  };
  const clock = (hhmm: string) => hhmm.split(':').map(Number) as [number, number];
  return {
    today: new Date(today),
    at: (local) => amsterdamInstant(manualDay(local), ...clock(local.slice(11, 16))),
    day: (iso) => new Date(manualDay(iso)),
    deadline: (reportedAt) => addWorkingDays(reportedAt, 1),
    reportMondays(n) {
      const weekday = new Date(today).getUTCDay(); // 0 = Sunday
      const lastMonday = today - ((weekday + 6) % 7) * DAY;
      return Array.from({ length: n }, (_, i) => new Date(lastMonday - (n - 1 - i) * 7 * DAY));
    },
    nextWhitMonday() {
      for (const year of [p.year, p.year + 1]) {
        const easter = easterSunday(year);
        const whitMonday = Date.UTC(year, easter.month - 1, easter.day) + 50 * DAY;
        if (whitMonday > today) return new Date(whitMonday);
      }
      throw new Error('unreachable: Whit Monday comes every year');
    },
    daysAgo: (days, time) => amsterdamInstant(today - days * DAY, ...clock(time)),
  };
}

/** ISO week number of a date (UTC midnight), as the report names use it ("week28"). */
export function isoWeek(day: Date): number {
  const d = new Date(day.getTime());
  d.setUTCDate(d.getUTCDate() + 4 - (d.getUTCDay() || 7)); // the Thursday of its week decides the year
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  return Math.ceil(((d.getTime() - yearStart) / DAY + 1) / 7);
}
