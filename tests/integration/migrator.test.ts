import { cpSync, mkdtempSync, writeFileSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, MigrationError, MIGRATIONS_DIR, readMigrations } from '../../src/db/migrator.js';
import { createEmptyDb } from '../support/db.js';
import { openDb, type PrismaClient } from '../../src/db/client.js';
import { postgresStorage } from '../../src/storage/postgres.js';

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
  const { rows } = await c.query(
    'SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
  );
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
    rmSync(path.join(before, '20261207070000_audit_kind_spelling'), { recursive: true });
    await migrate(url, before);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(
        `INSERT INTO audit_events (actor_label, kind, subject_type) VALUES ('Jan', 'contact.reportMailOptIn', 'contact'), ('Jan', 'contact.updated', 'contact')`,
      );
      expect(await migrate(url)).toEqual(['20261207070000_audit_kind_spelling']);
      const { rows } = await c.query('SELECT kind FROM audit_events ORDER BY id');
      expect(rows.map((r: { kind: string }) => r.kind)).toEqual(['contact.report_mail_opt_in', 'contact.updated']);
    } finally {
      await c.end();
    }
  });
});

describe('the migration that moves invoice PDFs and documents into the file storage', () => {
  const MOVE = '20261207060000_files_in_storage';
  const read = async (prisma: PrismaClient, key: string) => {
    const body = await postgresStorage(prisma).get(key);
    if (!body) return null;
    const parts: Buffer[] = [];
    for await (const p of body) parts.push(p as Buffer);
    return Buffer.concat(parts);
  };

  it('moves the bytea content of rows written the old way into the PostgreSQL store, points the rows at it and drops the columns', async () => {
    const url = await emptyDb();
    const before = path.join(dir, 'before-move');
    cpSync(MIGRATIONS_DIR, before, { recursive: true });
    for (const m of readMigrations(before)) if (m.name >= MOVE) rmSync(path.join(before, m.name), { recursive: true });
    await migrate(url, before);

    // Rows as the app wrote them before: a 3-chunk PDF, no PDF,
    // a 2-chunk document exactly on the boundary, an empty one.
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(600_000)]);
    const manual = randomBytes(2 * 262_144);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const org = (await c.query(`INSERT INTO organizations (name) VALUES ('Oud') RETURNING id`)).rows[0].id as number;
    const invoice = (sql: string, params: unknown[]) =>
      c.query(
        `INSERT INTO invoices (number, organization_id, title, invoice_date, amount_excl_vat, vat_amount, organization_name, pdf)
       VALUES (${sql}, $1, 'Factuur', '2026-01-01', 10, 2.1, 'Oud', $2) RETURNING id`,
        params,
      );
    const withPdf = (await invoice('900001', [org, pdf])).rows[0].id as number;
    const withoutPdf = (await invoice('900002', [org, null])).rows[0].id as number;
    const doc = async (name: string, content: Buffer) =>
      (
        await c.query(
          `INSERT INTO documents (kind, organization_id, file_name, content_type, size, content, document_date)
       VALUES ('MANUAL', $1, $2, 'application/pdf', $3, $4, '2026-01-01') RETURNING id`,
          [org, name, content.length, content],
        )
      ).rows[0].id as number;
    const manualId = await doc('Handleiding.pdf', manual);
    const emptyId = await doc('Leeg.pdf', Buffer.alloc(0));
    // A ticket attachment's file already in the store: registered by the migration, untouched.
    await c.query(`INSERT INTO stored_file_chunks (key, seq, data) VALUES ('bijlage-1', 0, '\\x6869')`);
    await c.end();

    expect((await migrate(url))[0]).toBe(MOVE);

    const db = openDb(url, 2);
    try {
      const inv = await db.prisma.invoice.findMany({
        where: { id: { in: [withPdf, withoutPdf] } },
        orderBy: { id: 'asc' },
        select: { pdfKey: true },
      });
      expect(inv[1]!.pdfKey).toBeNull();
      expect(Buffer.compare((await read(db.prisma, inv[0]!.pdfKey!))!, pdf)).toBe(0);
      const docs = await db.prisma.document.findMany({
        where: { id: { in: [manualId, emptyId] } },
        orderBy: { id: 'asc' },
        select: { storageKey: true, size: true },
      });
      expect(Buffer.compare((await read(db.prisma, docs[0]!.storageKey))!, manual)).toBe(0);
      expect((await read(db.prisma, docs[1]!.storageKey))!.length).toBe(0);
      // In the store's own chunking: 256 kB rows, an empty file as one empty row.
      const chunks = await db.prisma.storedFileChunk.groupBy({
        by: ['key'],
        _count: true,
        where: { key: { in: [inv[0]!.pdfKey!, ...docs.map((d) => d.storageKey)] } },
      });
      expect(Object.fromEntries(chunks.map((g) => [g.key, g._count]))).toEqual({
        [inv[0]!.pdfKey!]: 3,
        [docs[0]!.storageKey]: 2,
        [docs[1]!.storageKey]: 1,
      });
      const registered = await db.prisma.storedFile.findMany({ select: { key: true } });
      expect(registered.map((r) => r.key).sort()).toEqual(
        ['bijlage-1', inv[0]!.pdfKey!, ...docs.map((d) => d.storageKey)].sort(),
      );
      const left = await db.prisma.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM information_schema.columns
        WHERE (table_name = 'invoices' AND column_name = 'pdf') OR (table_name = 'documents' AND column_name = 'content')`;
      expect(left[0]!.n).toBe(0);
    } finally {
      await db.close();
    }
  });
});
