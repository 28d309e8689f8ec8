import type { PrismaClient, Tx } from '../db/client.js';
import type { FileStorage } from './types.js';

/** How long a registered file may stay unnamed by any row: longer than any upload and save takes. */
export const SWEEP_AFTER_MS = 24 * 3_600_000;

/**
 * Registers every file in `stored_files` before its bytes are written, in a statement of its own
 * (never inside a caller's transaction, which may still roll back): so a save that fails after
 * the bytes went in, or a crash, leaves a file the sweep finds rather than one nobody knows of.
 */
export function registeredStorage(inner: FileStorage, prisma: PrismaClient): FileStorage {
  return {
    kind: inner.kind,

    async put(key, body) {
      // The body may fail while the register is written (an upload refused by its first bytes):
      // its error is held here until the store reads it, instead of going unhandled.
      let early: Error | undefined;
      body.on('error', (err) => (early ??= err));
      await prisma.$executeRaw`INSERT INTO stored_files (key) VALUES (${key})`;
      try {
        if (early) throw early;
        return await inner.put(key, body);
      } catch (err) {
        // The store removed its half file; the register forgets it too.
        await prisma.$executeRaw`DELETE FROM stored_files WHERE key = ${key}`.catch(() => {});
        throw err;
      }
    },

    get: (key) => inner.get(key),

    async delete(key) {
      await inner.delete(key);
      await prisma.$executeRaw`DELETE FROM stored_files WHERE key = ${key}`;
    },
  };
}

/**
 * Removes registered files that no row names (every column that holds a storage key is listed
 * here) and that were registered before `olderThan`: files of saves that rolled back, of rows
 * removed inside a caller's transaction (the API's), of organisations deleted with their
 * documents. A key is never used again once its row is gone, so nothing can start naming it.
 * Works in batches of `batch`; returns how many were removed.
 */
export async function sweepStoredFiles(
  prisma: PrismaClient,
  storage: FileStorage,
  olderThan: Date,
  batch = 500,
): Promise<number> {
  let removed = 0;
  for (;;) {
    const n = await sweepBatch(prisma, storage, olderThan, batch);
    removed += n;
    if (n < batch) return removed;
  }
}

async function sweepBatch(prisma: PrismaClient, storage: FileStorage, olderThan: Date, limit: number): Promise<number> {
  const rows = await prisma.$queryRaw<{ key: string }[]>`
    SELECT f.key FROM stored_files f
    WHERE f.created_at < ${olderThan}
      AND NOT EXISTS (SELECT 1 FROM ticket_attachments a WHERE a.storage_key = f.key)
      AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.storage_key = f.key)
      AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.pdf_key = f.key)
      AND NOT EXISTS (SELECT 1 FROM inbound_mails m WHERE m.raw_key = f.key)
    ORDER BY f.created_at
    LIMIT ${limit}`;
  for (const { key } of rows) {
    await storage.delete(key);
    await prisma.$executeRaw`DELETE FROM stored_files WHERE key = ${key}`;
  }
  return rows.length;
}

/**
 * Deletes files that a change no longer names, once that change is committed: right away when
 * the service ran its own transaction (`db` is the client), else (inside a caller's transaction,
 * which may yet roll back) the sweep removes them after the commit.
 */
export async function releaseFiles(
  db: PrismaClient | Tx,
  storage: FileStorage,
  keys: readonly (string | null | undefined)[],
): Promise<void> {
  // A transaction client has $transaction too (nested transactions), but never $disconnect.
  if (!('$disconnect' in db)) return;
  await Promise.all(keys.filter((k): k is string => !!k).map((k) => storage.delete(k).catch(() => {})));
}
