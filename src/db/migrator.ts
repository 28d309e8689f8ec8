import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';

/** Prisma's own advisory-lock key, so `prisma migrate deploy` and this migrator exclude each other. */
const LOCK_KEY = 72707369;

/** The migrations folder of this project. */
export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../prisma/migrations');

/** Raised when the database's migration history does not match the files. */
export class MigrationError extends Error {}

interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

/** Reads prisma/migrations/<name>/migration.sql in name order, with Prisma's SHA-256 checksum. */
export function readMigrations(dir = MIGRATIONS_DIR): MigrationFile[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/**
 * Applies pending migrations in order, each in its own transaction, under Prisma's advisory
 * lock, recording them in `_prisma_migrations` as Prisma does. Refuses to run when an applied
 * migration's file has changed or a migration failed half-way before. Returns the names applied.
 */
export async function migrate(databaseUrl: string, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = readMigrations(dir);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
        "id" VARCHAR(36) PRIMARY KEY NOT NULL,
        "checksum" VARCHAR(64) NOT NULL,
        "finished_at" TIMESTAMPTZ,
        "migration_name" VARCHAR(255) NOT NULL,
        "logs" TEXT,
        "rolled_back_at" TIMESTAMPTZ,
        "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
        "applied_steps_count" INTEGER NOT NULL DEFAULT 0
      )`);
      const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
        'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
      );
      const applied = new Map(rows.map((r) => [r.migration_name, r]));
      for (const row of rows) {
        if (!row.finished_at) {
          throw new MigrationError(
            `Migration ${row.migration_name} started but did not finish. Repair the database, then mark it rolled back in _prisma_migrations.`,
          );
        }
        const file = files.find((f) => f.name === row.migration_name);
        if (!file) {
          throw new MigrationError(
            `Migration ${row.migration_name} is applied to the database but its folder is missing from prisma/migrations.`,
          );
        }
        if (file.checksum !== row.checksum) {
          throw new MigrationError(
            `Migration ${row.migration_name} was changed after it was applied (checksum differs). ` +
              'Restore the original file and put the change in a new migration.',
          );
        }
      }
      const done: string[] = [];
      for (const file of files) {
        if (applied.has(file.name)) continue;
        await applyOne(client, file);
        done.push(file.name);
      }
      return done;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}

async function applyOne(client: pg.Client, file: MigrationFile): Promise<void> {
  const id = randomUUID();
  await client.query('BEGIN');
  try {
    await client.query(
      'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())',
      [id, file.checksum, file.name],
    );
    await client.query(file.sql);
    await client.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [
      id,
    ]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw new MigrationError(`Migration ${file.name} failed and was rolled back: ${(err as Error).message}`);
  }
}
