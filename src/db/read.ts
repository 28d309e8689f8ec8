import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Prisma, PrismaClient, Tx } from './client.js';

/** Reads rows with one SQL statement, as `$queryRaw` does. */
export type RawRead = <T>(sql: Prisma.Sql) => Promise<T[]>;

/** How many different texts get a name (each connection keeps a plan per name), as in client.ts. */
const MAX_NAMED = 1000;
const names = new Map<string, string>();

/** The statement's name on every connection: from its text, so instances and connections agree. */
function nameOf(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED) {
    // Its own prefix: pg refuses one name for two texts on a connection, and Prisma's names are `pim_`.
    name = 'pimr_' + createHash('sha1').update(text).digest('base64url');
    names.set(text, name);
  }
  return name;
}

/**
 * A hot read on the pg pool as a named prepared statement, for the list pages: Prisma's
 * `$queryRaw` costs the portal 0.3 to 0.5 ms of CPU per statement, the same statement on the
 * pool 0.12 to 0.14 ms (docs/benchmarks.md, the ladder). Without a pool, or inside a
 * transaction (the API's writes read their own changes), it is `$queryRaw` itself. Only for
 * statements whose columns pg and Prisma return alike (text, int4, bool, timestamptz, arrays
 * of those): int8 and numeric come back as strings from pg, as Decimal or bigint from Prisma.
 */
export function rawReader(db: PrismaClient | Tx, pool: pg.Pool | undefined): RawRead {
  // A transaction client has $transaction too (Prisma's nested transactions), but never $disconnect.
  if (!pool || !('$disconnect' in db)) return <T>(sql: Prisma.Sql) => db.$queryRaw<T[]>(sql);
  return async <T>(sql: Prisma.Sql) => {
    const text = sql.text;
    const name = nameOf(text);
    const { rows } = await pool.query(
      name === undefined ? { text, values: sql.values } : { name, text, values: sql.values },
    );
    return rows as T[];
  };
}

/**
 * The most organisations a list page reads as a top-N per organisation (`LATERAL … LIMIT`, then
 * one sort of what they gave): it reads up to a page from each, so with many small organisations
 * in scope one scan in the list's order (an index on the sort column) reads fewer rows.
 */
export const MERGE_MAX_ORGS = 50;
