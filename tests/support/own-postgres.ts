import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded.js';
import { migrate } from '../../src/db/migrator.js';
import { openDb } from '../../src/db/client.js';
import type { TestDb } from './db.js';

/**
 * A PostgreSQL of one test file's own, migrated, so the file can stop and start it without
 * touching the server every other test file uses. `db` is shaped like a TestDb for testApp().
 */
export interface OwnPostgres {
  db: TestDb;
  /** The server's URL for a database name. */
  url(database: string): string;
  /** Stops the server (the data stays). */
  stop(): Promise<void>;
  /** Starts it again on the same data and port. */
  start(): Promise<void>;
  /** Closes the pool, stops the server and removes its data. */
  close(): Promise<void>;
}

/** Starts a persistent embedded PostgreSQL in a temporary folder and migrates its `postgres` database. */
export async function startOwnPostgres(prefix: string, poolSize = 10): Promise<OwnPostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const port = 46000 + Math.floor(Math.random() * 8000);
  const boot = () => startEmbeddedPostgres({ dir: path.join(dir, 'data'), port, persistent: true });
  let server: EmbeddedServer = await boot();
  await migrate(server.url('postgres'));
  const opened = openDb(server.url('postgres'), poolSize);
  const db: TestDb = { ...opened, url: server.url('postgres'), name: 'postgres', drop: async () => {} };
  return {
    db,
    url: (database) => server.url(database),
    stop: () => server.stop(),
    start: async () => {
      server = await boot();
    },
    close: async () => {
      // Connections the server cut while stopped land on the pool as errors.
      opened.pool.on('error', () => {});
      await opened.close();
      await server.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
