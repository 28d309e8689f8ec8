/**
 * Recognises "the database is not there right now" among errors: a restart, a failover, a
 * server still starting or shutting down, a connection refused or cut. Such a request is not
 * a bug but an outage: it answers 503 with Retry-After, and the next try may well work.
 */

/** Socket errors of a connection that could not be made or was cut. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL SQLSTATEs of an unavailable server: 57P01 admin shutdown, 57P02 crash shutdown,
 * 57P03 cannot connect now (starting up, recovering), 53300 too many connections; class 08
 * is "connection exception" as a whole.
 */
const PG_CODES = new Set(['57P01', '57P02', '57P03', '53300']);

/** Prisma's codes for an unreachable server, a closed connection and a pool timeout. */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1017', 'P2024']);

/** The driver adapter's kinds for the same (@prisma/adapter-pg maps pg's errors to these). */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);

/** pg's own messages for a connection that died without an error code. */
const MESSAGES = [
  /Connection terminated/i,
  /connection timeout/i,
  /Client has encountered a connection error/i,
  /the database system is (starting up|shutting down|in recovery mode|not yet accepting connections)/i,
  /terminating connection due to administrator command/i,
  /Can't reach database server/i,
  /Server has closed the connection/i,
];

/** True when `err` (or anything it wraps) says the database is unavailable. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length) {
    const e = queue.shift();
    if (typeof e !== 'object' || e === null || seen.has(e)) continue;
    seen.add(e);
    const o = e as {
      code?: unknown;
      originalCode?: unknown;
      kind?: unknown;
      message?: unknown;
      cause?: unknown;
      meta?: unknown;
      errors?: unknown;
    };
    for (const code of [o.code, o.originalCode]) {
      if (typeof code !== 'string') continue;
      if (SOCKET_CODES.has(code) || PG_CODES.has(code) || PRISMA_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))
        return true;
    }
    if (typeof o.kind === 'string' && ADAPTER_KINDS.has(o.kind)) return true;
    if (typeof o.message === 'string' && MESSAGES.some((m) => m.test(o.message as string))) return true;
    queue.push(o.cause, o.meta);
    if (o.meta && typeof o.meta === 'object') queue.push(...Object.values(o.meta as Record<string, unknown>));
    if (Array.isArray(o.errors)) queue.push(...(o.errors as unknown[]));
  }
  return false;
}
