import { createHash } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { log } from '../log.js';

export type { PrismaClient };
export { Prisma } from '../generated/prisma/client.js';

/** A transaction client, as passed to `prisma.$transaction(async (tx) => ...)`. */
export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/** One pg pool shared by Prisma and the session store. */
export interface Db {
  pool: pg.Pool;
  prisma: PrismaClient;
  close(): Promise<void>;
}

const SERIAL = Symbol('pim.serialQueries');
type SerialClient = pg.PoolClient & { [SERIAL]?: true };

/**
 * A checked-out connection that runs its queries one after the other. Prisma's query interpreter
 * loads a query's sibling relations (`include: { roles, organization }`) with `Promise.all`; inside
 * a transaction that is two queries at once on one connection, which pg 8 queues with a
 * deprecation warning and pg 9 refuses (prisma/orm#29407, not fixed in @prisma/adapter-pg 7.10).
 * Only the promise form is wrapped: that is what the adapter and the app's own transactions use.
 */
function serialQueries(client: SerialClient): pg.PoolClient {
  if (client[SERIAL]) return client;
  client[SERIAL] = true;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  let tail: Promise<unknown> = Promise.resolve();
  (client as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const first = args[0] as { submit?: unknown } | undefined;
    // A callback or a submittable (a cursor) is pg's own flow control: left as it is.
    if (typeof args[args.length - 1] === 'function' || typeof first?.submit === 'function') return query(...args);
    const run = tail.then(() => query(...args));
    tail = run.catch(() => {});
    return run;
  };
  return client;
}

/**
 * The pool whose checked-out connections (`await pool.connect()`: Prisma's transactions, the
 * retention job) run one query at a time; `pool.query` takes a connection per query and is as pg has it.
 */
class SerialPool extends pg.Pool {
  override connect(): Promise<pg.PoolClient>;
  override connect(
    callback: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void,
  ): void;
  override connect(
    callback?: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void,
  ): Promise<pg.PoolClient> | void {
    if (callback) return super.connect(callback);
    return super.connect().then(serialQueries);
  }
}

/** Opens the pool and the Prisma client on it (through the pg driver adapter). */
export function openDb(databaseUrl: string, poolSize = 10): Db {
  const pool = new SerialPool({ connectionString: databaseUrl, max: poolSize });
  // An idle connection that the server closes (restart, failover) must not crash the process;
  // the pool replaces it on the next query.
  pool.on('error', (err) => log.warn('idle database connection closed', err.message));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { statementNameGenerator: statementName }) });
  return {
    pool,
    prisma,
    async close() {
      await prisma.$disconnect();
      await pool.end().catch(() => {});
    },
  };
}

/**
 * Runs `fn` in a transaction: a new one on the client, or the caller's when `db` already is one
 * (so a service can be one step of a larger unit, such as an API request with its idempotency key).
 */
export async function inTransaction<T>(
  db: PrismaClient | Tx,
  fn: (tx: Tx) => Promise<T>,
  opts?: { timeout?: number; maxWait?: number },
): Promise<T> {
  // A transaction client has $transaction too (Prisma's nested transactions), but never $disconnect.
  if ('$disconnect' in db) return db.$transaction(fn, opts);
  return fn(db);
}

/**
 * How many different statements each connection keeps prepared at
 * most (PostgreSQL keeps a plan per statement and connection).
 */
const MAX_PREPARED = 1000;
const preparedNames = new Map<string, string>();

/**
 * The name under which a statement is prepared on each connection, so PostgreSQL parses and
 * plans it once per connection instead of on every request (the session query went from 2.5 to
 * 0.7 ms). The name comes from the text, so every instance and connection agrees; statements
 * past MAX_PREPARED different texts (e.g. IN lists of every length) run unprepared, which keeps
 * the memory of each connection bounded.
 */
export function statementName(query: { sql: string }): string {
  let name = preparedNames.get(query.sql);
  if (name === undefined && preparedNames.size < MAX_PREPARED) {
    name = 'pim_' + createHash('sha1').update(query.sql).digest('base64url');
    preparedNames.set(query.sql, name);
  }
  // The adapter passes an undefined name on to pg, which then runs the statement unprepared.
  return name as string;
}
