import { cpSync, mkdtempSync, writeFileSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, MigrationError, MIGRATIONS_DIR, readMigrations } from '../../src/db/migrator.js';
import { createEmptyDb } from '../support/db.js';

const dbs: { drop(): Promise<void> }[] = [];
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pim-migrations-'));
});
afterAll(async () => {
  await Promise.all(dbs.map((d) => d.drop()));
  rmSync(dir, { recursive: true, force: true });
});

async function emptyDb() {
  const d = await createEmptyDb();
  dbs.push(d);
  return d.url;
}

async function appliedRows(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const { rows } = await c.query('SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name');
  await c.end();
  return rows as { migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }[];
}

describe('migrate', () => {
  it('when two starters migrate at once, then each migration is applied exactly once', async () => {
    const url = await emptyDb();
    const [a, b] = await Promise.all([migrate(url), migrate(url)]);
    const names = readMigrations().map((m) => m.name);
    // One of them did the work under the advisory lock; the other found nothing left to do.
    expect([a, b].sort((x, y) => y.length - x.length)).toEqual([names, []]);
    const rows = await appliedRows(url);
    expect(rows.map((r) => r.migration_name)).toEqual(names);
    expect(rows.every((r) => r.finished_at && r.applied_steps_count === 1)).toBe(true);
  });

  it('records the SHA-256 checksum Prisma records', async () => {
    const url = await emptyDb();
    await migrate(url);
    const rows = await appliedRows(url);
    expect(rows.map((r) => r.checksum)).toEqual(readMigrations().map((m) => m.checksum));
    expect(rows[0]!.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('when an applied migration file was changed, then start-up stops with a message naming it', async () => {
    const url = await emptyDb();
    const copy = path.join(dir, 'changed');
    cpSync(MIGRATIONS_DIR, copy, { recursive: true });
    await migrate(url, copy);
    const first = readMigrations(copy)[0]!;
    appendFileSync(path.join(copy, first.name, 'migration.sql'), '\n-- edited afterwards\n');
    await expect(migrate(url, copy)).rejects.toThrow(MigrationError);
    await expect(migrate(url, copy)).rejects.toThrow(new RegExp(`${first.name} was changed after it was applied`));
  });

  it('when a migration fails, then nothing of it stays and it is not recorded', async () => {
    const url = await emptyDb();
    const copy = path.join(dir, 'failing');
    cpSync(MIGRATIONS_DIR, copy, { recursive: true });
    const bad = path.join(copy, '29990101000000_broken');
    cpSync(path.join(copy, readMigrations(copy)[0]!.name), bad, { recursive: true });
    writeFileSync(path.join(bad, 'migration.sql'), 'CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;\n');
    await expect(migrate(url, copy)).rejects.toThrow(/29990101000000_broken failed and was rolled back/);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const { rowCount } = await c.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'");
    await c.end();
    expect(rowCount).toBe(0);
    expect((await appliedRows(url)).map((r) => r.migration_name)).not.toContain('29990101000000_broken');
  });

  it('renames the old spelling of the report-mail kind in stored audit events, and nothing else', async () => {
    const url = await emptyDb();
    const before = path.join(dir, 'before-spelling');
    cpSync(MIGRATIONS_DIR, before, { recursive: true });
    rmSync(path.join(before, '20261207060000_audit_kind_spelling'), { recursive: true });
    await migrate(url, before);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(`INSERT INTO audit_events (actor_label, kind, subject_type) VALUES ('Jan', 'contact.reportMailOptIn', 'contact'), ('Jan', 'contact.updated', 'contact')`);
      expect(await migrate(url)).toEqual(['20261207060000_audit_kind_spelling']);
      const { rows } = await c.query('SELECT kind FROM audit_events ORDER BY id');
      expect(rows.map((r: { kind: string }) => r.kind)).toEqual(['contact.report_mail_opt_in', 'contact.updated']);
    } finally {
      await c.end();
    }
  });
});
