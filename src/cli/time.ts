/** Staff type times in Dutch local time unless they give an offset. */
export const CLI_TIME_ZONE = 'Europe/Amsterdam';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Minutes that `timeZone` is ahead of UTC at the instant `ms`. */
function zoneOffsetMinutes(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const p = (type: string) => Number(parts.find((x) => x.type === type)?.value);
  const asUtc = Date.UTC(p('year'), p('month') - 1, p('day'), p('hour'), p('minute'), p('second'));
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/**
 * Parses an ISO 8601 date or date-time ("2019-05-23T09:19", "2019-05-23 09:19+02:00",
 * "2019-05-23T07:19:00Z", "2019-06-10"). Without an offset the time is Amsterdam time
 * (summer or winter as on that day). Returns null for anything else, including impossible
 * dates such as 2019-02-30.
 */
export function parseIsoDateTime(input: string, timeZone = CLI_TIME_ZONE): Date | null {
  const m = ISO.exec(input.trim());
  if (!m) return null;
  const [y, mo, d, h = '0', mi = '0', s = '0', frac = '0', zone] = m.slice(1) as Array<string | undefined>;
  const parts = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(frac.padEnd(3, '0'))] as const;
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
  // Local wall time: take the offset at the guess, then once more at the corrected instant.
  const first = zoneOffsetMinutes(wall, timeZone);
  let utc = wall - first * 60_000;
  const second = zoneOffsetMinutes(utc, timeZone);
  if (second !== first) utc = wall - second * 60_000;
  return new Date(utc);
}
