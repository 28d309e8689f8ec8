import type { Readable } from 'node:stream';

/**
 * Where stored files live (ticket attachments, invoice PDFs, documents): PostgreSQL by default,
 * S3-compatible object storage when configured. Bytes always flow as streams: no adapter holds
 * a whole file in memory.
 */
export interface FileStorage {
  /** 'postgres' or 's3', for logs and the README's promise. */
  readonly kind: 'postgres' | 's3';
  /**
   * Writes `body` under `key` (a new key: keys are never reused); resolves with the byte count.
   * When it rejects, `body` has been destroyed (a stream piped into it is unpiped and can be drained).
   */
  put(key: string, body: Readable): Promise<{ size: number }>;
  /** The bytes under `key` as a stream; null when there is no such file. */
  get(key: string): Promise<Readable | null>;
  /** Removes the file (no error when it is already gone). */
  delete(key: string): Promise<void>;
}
