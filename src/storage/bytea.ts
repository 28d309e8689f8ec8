import { Readable } from 'node:stream';
import type { PrismaClient } from '../db/client.js';
import { CHUNK_BYTES } from './postgres.js';

/**
 * Streams a bytea value `size` bytes long in 256 kB slices (`substring(...)` per pull), so the
 * app never holds the whole value. `slice(from, count)` runs the one query for a slice (1-based).
 */
export function byteaStream(size: number, slice: (from: number, count: number) => Promise<Uint8Array | null>): Readable {
  let offset = 0;
  return new Readable({
    read() {
      void (async () => {
        try {
          if (offset >= size) return void this.push(null);
          const part = await slice(offset + 1, Math.min(CHUNK_BYTES, size - offset));
          if (!part || !part.length) return void this.push(null);
          offset += part.length;
          this.push(Buffer.from(part));
        } catch (err) {
          this.destroy(err as Error);
        }
      })();
    },
  });
}

/** A document's content (documents.content) as a stream. */
export function documentContentStream(prisma: PrismaClient, id: number, size: number): Readable {
  return byteaStream(size, async (from, count) => {
    const rows = await prisma.$queryRaw<{ part: Uint8Array | null }[]>`SELECT substring(content from ${from}::int for ${count}::int) AS part FROM documents WHERE id = ${id}`;
    return rows[0]?.part ?? null;
  });
}
