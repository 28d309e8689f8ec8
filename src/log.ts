/** A small leveled logger: one line per event on stderr, nothing under LOG_LEVEL=silent. */
const LEVELS = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 } as const;
type Level = keyof typeof LEVELS;

let current: Level = (process.env.LOG_LEVEL as Level | undefined) ?? (process.env.VITEST ? 'silent' : 'info');

/** Sets the level (from config at boot). */
export function setLogLevel(level: Level): void {
  current = level;
}

function write(level: Exclude<Level, 'silent'>, msg: string, extra?: unknown): void {
  if (LEVELS[level] > LEVELS[current]) return;
  const tail = extra instanceof Error ? ` ${extra.stack ?? extra.message}` : extra ? ` ${JSON.stringify(extra)}` : '';
  process.stderr.write(`${new Date().toISOString()} ${level.toUpperCase()} ${msg}${tail}\n`);
}

/** The application's logger. */
export const log = {
  error: (msg: string, extra?: unknown) => write('error', msg, extra),
  warn: (msg: string, extra?: unknown) => write('warn', msg, extra),
  info: (msg: string, extra?: unknown) => write('info', msg, extra),
  debug: (msg: string, extra?: unknown) => write('debug', msg, extra),
};
