import { Readable } from 'node:stream';
import type { PrismaClient } from '../db/client.js';
import type { FileStorage } from './types.js';

/** Chunk size: big enough for few round trips (80 for 20 MB), small enough to stay out of the way in memory. */
export const CHUNK_BYTES = 256 * 1024;

/**
 * Files as rows of `stored_file_chunks` (key, seq, bytes). Writing collects at most one chunk
 * before inserting it, and awaits the insert before reading on (back-pressure); reading fetches
 * one chunk per pull. Nothing to set up, and several app instances share it through the database.
 */
export function postgresStorage(prisma: PrismaClient): FileStorage {
  return {
    kind: 'postgres',

    async put(key, body) {
      let seq = 0;
      let size = 0;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const flush = async (buf: Buffer) => {
        await prisma.$executeRaw`INSERT INTO stored_file_chunks (key, seq, data) VALUES (${key}, ${seq}, ${buf})`;
        seq += 1;
      };
      try {
        for await (const part of body) {
          const chunk = Buffer.isBuffer(part) ? part : Buffer.from(part as Uint8Array);
          size += chunk.length;
          pending.push(chunk);
          pendingBytes += chunk.length;
          while (pendingBytes >= CHUNK_BYTES) {
            const all = Buffer.concat(pending, pendingBytes);
            await flush(all.subarray(0, CHUNK_BYTES));
            const rest = all.subarray(CHUNK_BYTES);
            pending = rest.length ? [Buffer.from(rest)] : [];
            pendingBytes = rest.length;
          }
        }
        if (pendingBytes > 0 || seq === 0) await flush(Buffer.concat(pending, pendingBytes));
      } catch (err) {
        // A broken upload leaves no half file behind.
        await prisma.$executeRaw`DELETE FROM stored_file_chunks WHERE key = ${key}`.catch(() => {});
        throw err;
      }
      return { size };
    },

    async get(key) {
      const chunk = (seq: number) =>
        prisma.$queryRaw<
          { data: Uint8Array }[]
        >`SELECT data FROM stored_file_chunks WHERE key = ${key} AND seq = ${seq}`;
      let first: { data: Uint8Array }[] | null = await chunk(0);
      if (!first.length) return null;
      let seq = 0;
      return new Readable({
        read() {
          void (async () => {
            try {
              const rows = first ?? (await chunk(seq));
              first = null;
              seq += 1;
              const data = rows[0]?.data;
              // No row, or the one empty chunk of an empty file: the end.
              this.push(data && data.length ? Buffer.from(data) : null);
            } catch (err) {
              this.destroy(err as Error);
            }
          })();
        },
      });
    },

    async delete(key) {
      await prisma.$executeRaw`DELETE FROM stored_file_chunks WHERE key = ${key}`;
    },
  };
}
