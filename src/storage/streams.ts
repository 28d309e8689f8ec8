import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { CHUNK_BYTES } from './postgres.js';
import type { FileStorage } from './types.js';

/** A buffer as a stream of 256 kB slices (views, not copies), the size the PostgreSQL store writes. */
export function bufferStream(bytes: Buffer): Readable {
  let at = 0;
  return new Readable({
    read() {
      if (at >= bytes.length) return void this.push(null);
      this.push(bytes.subarray(at, at + CHUNK_BYTES));
      at += CHUNK_BYTES;
    },
  });
}

/** The first `n` bytes of a stored file (fewer when it is shorter); stops reading after them. */
export async function readHead(storage: FileStorage, key: string, n: number): Promise<Buffer> {
  const body = await storage.get(key);
  if (!body) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  let got = 0;
  for await (const part of body) {
    parts.push(part as Buffer);
    got += (part as Buffer).length;
    if (got >= n) break;
  }
  body.destroy();
  return Buffer.concat(parts).subarray(0, n);
}

/** The SHA-256 (hex) of a stored file, read as a stream; null when there is no such file. */
export async function hashOf(storage: FileStorage, key: string): Promise<string | null> {
  const body = await storage.get(key);
  if (!body) return null;
  const hash = createHash('sha256');
  for await (const part of body) hash.update(part as Buffer);
  return hash.digest('hex');
}
