import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The URL of the portal running on this machine, kept in DATA_DIR while it runs, so that the
 * staff tool's mails link to the port `npm start` actually listens on (PORT=8080, or PORT=0)
 * even when the tool runs in another shell without the same PORT.
 */

const FILE = 'portal-url.json';

/**
 * Records the running portal's URL (call once it listens); false
 * when DATA_DIR cannot be written (a read-only container).
 */
export function recordPortalUrl(dataDir: string, url: string): boolean {
  try {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(path.join(dataDir, FILE), JSON.stringify({ url, pid: process.pid }) + '\n');
    return true;
  } catch {
    return false;
  }
}

/** Removes the record when the portal stops (only its own). */
export function forgetPortalUrl(dataDir: string): void {
  const file = path.join(dataDir, FILE);
  if (readRecord(file)?.pid === process.pid) rmSync(file, { force: true });
}

/** The URL of a portal that runs now with this DATA_DIR; undefined when none does. */
export function runningPortalUrl(dataDir: string): string | undefined {
  const record = readRecord(path.join(dataDir, FILE));
  if (!record) return undefined;
  try {
    process.kill(record.pid, 0); // signal 0: only asks whether the process exists
    return record.url;
  } catch {
    return undefined; // a record left by a portal that was killed
  }
}

function readRecord(file: string): { url: string; pid: number } | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as { url?: unknown; pid?: unknown };
    return typeof r.url === 'string' && Number.isInteger(r.pid) ? { url: r.url, pid: r.pid as number } : undefined;
  } catch {
    return undefined;
  }
}
