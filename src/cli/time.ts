import { fromAmsterdamWallTime } from '../calendar.js';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses an ISO 8601 date or date-time ("2019-05-23T09:19", "2019-05-23 09:19+02:00",
 * "2019-05-23T07:19:00Z", "2019-06-10"). Without an offset the time is Amsterdam time
 * (summer or winter as on that day). Returns null for anything else, including impossible
 * dates such as 2019-02-30.
 */
export function parseIsoDateTime(input: string): Date | null {
  const m = ISO.exec(input.trim());
  if (!m) return null;
  const [y, mo, d, h = '0', mi = '0', s = '0', frac = '0', zone] = m.slice(1) as Array<string | undefined>;
  const parts = [
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    Number(frac.padEnd(3, '0')),
  ] as const;
  const wall = Date.UTC(...parts);
  const back = new Date(wall);
  if (
    back.getUTCFullYear() !== parts[0] ||
    back.getUTCMonth() !== parts[1] ||
    back.getUTCDate() !== parts[2] ||
    back.getUTCHours() !== parts[3] ||
    back.getUTCMinutes() !== parts[4] ||
    back.getUTCSeconds() !== parts[5]
  ) {
    return null;
  }
  if (zone === 'Z') return back;
  if (zone) {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
    return new Date(wall - offset * 60_000);
  }
  // Staff type times in Dutch local time unless they give an offset.
  return fromAmsterdamWallTime(wall);
}
