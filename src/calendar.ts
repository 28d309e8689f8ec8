/**
 * Calendar days in Amsterdam, the portal's one time zone: a deadline, a default period, a filter's
 * "from" and "to", today's document date are all days there, whatever zone the server runs in.
 * A day is 'YYYY-MM-DD'; a DATE column reads it as that day's UTC midnight.
 */

/** The portal's time zone. */
export const AMSTERDAM = 'Europe/Amsterdam';

/** A calendar day, 'YYYY-MM-DD'. */
export type Day = string;

/** A clock reading in Amsterdam: months 1-12, hours 0-23. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const DAY_MS = 86_400_000;

// Built once: constructing an Intl formatter costs ten times what formatting does.
const wallFmt = new Intl.DateTimeFormat('en-US', {
  timeZone: AMSTERDAM,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** What formatToParts says the clocks in Amsterdam show at `instant` (about 5 µs a call). */
function wallTimeByIntl(instant: Date): WallTime {
  const parts = wallFmt.formatToParts(instant);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

const HOUR_MS = 3_600_000;
// Amsterdam's offset from UTC per UTC hour, where one offset holds for the whole hour (the clocks
// change on a whole UTC hour since 1940): a list page formats hundreds of times, each one
// formatToParts otherwise. Only for 1900-2999 (the Intl path keeps whatever it does outside).
const offsetByHour = new Map<number, number>();
const FAST_FROM = Date.UTC(1900, 0, 1);
const FAST_TO = Date.UTC(3000, 0, 1);

/** Amsterdam's offset in ms throughout the UTC hour `hour` (ms / HOUR_MS, floored), or null if it changes in it. */
function hourOffset(hour: number): number | null {
  let offset = offsetByHour.get(hour);
  if (offset === undefined) {
    const start = hour * HOUR_MS;
    const at = (ms: number) => {
      const w = wallTimeByIntl(new Date(ms));
      return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000;
    };
    const first = at(start);
    offset = first === at(start + HOUR_MS - 1000) ? first : NaN;
    if (offsetByHour.size >= 100_000) offsetByHour.clear();
    offsetByHour.set(hour, offset);
  }
  return Number.isNaN(offset) ? null : offset;
}

/** What the clocks in Amsterdam show at `instant`. */
export function amsterdamWallTime(instant: Date): WallTime {
  const ms = instant.getTime();
  const offset = ms >= FAST_FROM && ms < FAST_TO ? hourOffset(Math.floor(ms / HOUR_MS)) : null;
  if (offset === null) return wallTimeByIntl(instant);
  const wall = new Date(ms + offset);
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
  };
}

/** The Amsterdam day of `instant`, 'YYYY-MM-DD' (23:30 UTC on 31 December is already New Year's Day there). */
export function amsterdamDate(instant: Date): Day {
  const w = amsterdamWallTime(instant);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

/** True for a real day written 'YYYY-MM-DD' (not 2026-02-30). */
export function isDay(s: string): s is Day {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/**
 * A day as people type it into a date filter, as YYYY-MM-DD; null when it is not a real day.
 * Day first, as the hint says, whatever the browser's locale: 1-7-2026, 01-07-2026, 1/7/2026,
 * 1.7.2026 and 01072026 are all 1 July 2026. 2026-07-01 (the links of the old date fields) too.
 */
export function typedDay(input: string): Day | null {
  const s = input.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  const dmy = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(s) ?? /^(\d{2})(\d{2})(\d{4})$/.exec(s);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : dmy ? [dmy[3], dmy[2], dmy[1]] : [];
  if (!y || !m || !d || Number(y) < 1900 || Number(y) > 2999) return null;
  const day = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  return isDay(day) ? day : null;
}

/** The day `n` days after `day` (before it for a negative `n`). */
export function addDays(day: Day, n: number): Day {
  return dayOfDate(new Date(dateOfDay(day).getTime() + n * DAY_MS));
}

/** Minutes that Amsterdam is ahead of UTC at the instant `ms` (60 in winter, 120 in summer). */
function offsetMinutes(ms: number): number {
  const w = amsterdamWallTime(new Date(ms));
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/**
 * The instant an Amsterdam clock reading names, given as `Date.UTC(...)` of that reading. A time
 * the clocks skip in spring (02:30 on the last Sunday of March) is read an hour on, in summer
 * time; a time they show twice in autumn is read as the second, in winter time.
 */
export function fromAmsterdamWallTime(wallAsUtcMs: number): Date {
  // Take the offset at the guess, then once more at the corrected instant.
  const first = offsetMinutes(wallAsUtcMs);
  const utc = wallAsUtcMs - first * 60_000;
  const second = offsetMinutes(utc);
  return new Date(second === first ? utc : wallAsUtcMs - second * 60_000);
}

/** The instant `day` starts in Amsterdam (its midnight, CET or CEST). */
export function dayStart(day: Day): Date {
  return fromAmsterdamWallTime(dateOfDay(day).getTime());
}

/**
 * The instant `day` ends in Amsterdam: the start of the next day
 * (exclusive; 23 or 25 hours after the start when the clocks change).
 */
export function dayEnd(day: Day): Date {
  return dayStart(addDays(day, 1));
}

/** The instant the Amsterdam day of `instant` started. */
export function startOfAmsterdamDay(instant: Date): Date {
  return dayStart(amsterdamDate(instant));
}

/** `day` as a DATE column reads it: its UTC midnight. */
export function dateOfDay(day: Day): Date {
  return new Date(`${day}T00:00:00Z`);
}

/** The day a DATE column's value (a UTC midnight) stands for. */
export function dayOfDate(date: Date): Day {
  return date.toISOString().slice(0, 10);
}

/** Today in Amsterdam at `now`, as a DATE column reads it (a UTC midnight). */
export function amsterdamToday(now: Date): Date {
  return dateOfDay(amsterdamDate(now));
}
