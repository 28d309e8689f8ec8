import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openDb, type Db } from '../../src/db/client.js';
import { withDatabase } from './global-setup.js';

/** A database of its own for one test file, cloned from the migrated template. */
export interface TestDb extends Db {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates a fresh migrated database (CREATE DATABASE ... TEMPLATE) and opens it. */
export async function createTestDb(): Promise<TestDb> {
  const adminUrl = inject('pgAdminUrl');
  const template = inject('pgTemplate');
  const name = `pim_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name} TEMPLATE ${template}`);
  const url = withDatabase(adminUrl, name);
  const db = openDb(url, 5);
  return {
    ...db,
    url,
    name,
    async drop() {
      // DROP ... WITH (FORCE) can kill a connection pg is still closing; its FATAL then lands on the pool.
      db.pool.on('error', () => {});
      await db.close();
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** Creates an empty database (not migrated), for migrator tests. */
export async function createEmptyDb(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = inject('pgAdminUrl');
  const name = `pim_empty_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  return {
    url: withDatabase(adminUrl, name),
    drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    // CREATE DATABASE ... TEMPLATE fails while another session is connected to the template.
    await c.query(sql);
  } finally {
    await c.end();
  }
}
