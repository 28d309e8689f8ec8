import { AsyncLocalStorage } from 'node:async_hooks';

/** A small leveled logger: one line per event on stderr, nothing under LOG_LEVEL=silent. */
const LEVELS = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 } as const;
type Level = keyof typeof LEVELS;

let current: Level = (process.env.LOG_LEVEL as Level | undefined) ?? (process.env.VITEST ? 'silent' : 'info');

/** What every line written while handling one request carries (its request id). */
export const logContext = new AsyncLocalStorage<{ requestId: string }>();

/** Sets the level (from config at boot). */
export function setLogLevel(level: Level): void {
  current = level;
}

/** True when lines of `level` are written (to skip building a costly line). */
export function logs(level: Exclude<Level, 'silent'>): boolean {
  return LEVELS[level] <= LEVELS[current];
}

function write(level: Exclude<Level, 'silent'>, msg: string, extra?: unknown): void {
  if (LEVELS[level] > LEVELS[current]) return;
  const tail = extra instanceof Error ? ` ${extra.stack ?? extra.message}` : extra ? ` ${JSON.stringify(extra)}` : '';
  const id = logContext.getStore()?.requestId;
  process.stderr.write(`${new Date().toISOString()} ${level.toUpperCase()}${id ? ` [${id}]` : ''} ${msg}${tail}\n`);
}

/** The application's logger. */
export const log = {
  error: (msg: string, extra?: unknown) => write('error', msg, extra),
  warn: (msg: string, extra?: unknown) => write('warn', msg, extra),
  info: (msg: string, extra?: unknown) => write('info', msg, extra),
  debug: (msg: string, extra?: unknown) => write('debug', msg, extra),
};
