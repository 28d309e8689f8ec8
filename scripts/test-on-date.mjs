// `npm run test:on-date -- 2026-12-31T23:30:00+01:00 [vitest arguments]`: the whole suite (or the
// files named) with the machine's clock moved to that instant by libfaketime (Debian package
// `faketime`), for the test process, its workers and the throw-away PostgreSQL alike. The clock
// is moved by a relative offset, so it keeps running and every process agrees on the time.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const LIB = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1',
].find(existsSync);
const [when, ...rest] = process.argv.slice(2);
const target = when ? Date.parse(when) : NaN;
if (Number.isNaN(target)) {
  console.error(
    'usage: npm run test:on-date -- <ISO instant with offset, e.g. 2027-03-28T01:45:00+01:00> [vitest arguments]',
  );
  process.exit(2);
}
if (!LIB) {
  console.error('libfaketime is not installed: apt-get install faketime');
  process.exit(2);
}
const offset = Math.round((target - Date.now()) / 1000);
console.error(`running the tests at ${new Date(target).toISOString()} (clock moved by ${offset} s)`);
// Chromium stalls on every page load under libfaketime, so the browser tests launch it on the
// real clock (tests/support/browser.ts): pick an instant after today, or the cookies the portal
// sets would have expired by the browser's clock when they arrive.
const env = {
  ...process.env,
  LD_PRELOAD: LIB,
  FAKETIME: `${offset >= 0 ? '+' : ''}${offset}s`,
  DONT_FAKE_MONOTONIC: '1',
};
const args = rest.length ? ['vitest', 'run', ...rest] : ['vitest', 'run'];
const res = spawnSync('npx', args, { stdio: 'inherit', env });
process.exit(res.status ?? 1);
