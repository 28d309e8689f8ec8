import type { PrismaClient } from '../db/client.js';
import { postgresStorage } from './postgres.js';
import { registeredStorage } from './registry.js';
import { s3Storage, type S3Settings } from './s3.js';
import type { FileStorage } from './types.js';

export type { FileStorage } from './types.js';
export type { S3Settings } from './s3.js';

/**
 * The storage the configuration asks for: S3 when `S3_BUCKET` is set, PostgreSQL otherwise;
 * every file registered (src/storage/registry.ts).
 */
export function createStorage(s3: S3Settings | undefined, prisma: PrismaClient): FileStorage {
  const postgres = postgresStorage(prisma);
  return registeredStorage(s3 ? withFallback(s3Storage(s3), postgres) : postgres, prisma);
}

/**
 * S3 first, then PostgreSQL for a key the bucket lacks: the migration that moved invoice PDFs and
 * documents out of their bytea columns could only move them into the PostgreSQL store, and an
 * S3 deployment keeps serving them from there. New files go to the bucket.
 */
export function withFallback(primary: FileStorage, fallback: FileStorage): FileStorage {
  return {
    kind: primary.kind,
    put: (key, body) => primary.put(key, body),
    async get(key) {
      return (await primary.get(key)) ?? fallback.get(key);
    },
    async delete(key) {
      await Promise.all([primary.delete(key), fallback.delete(key)]);
    },
  };
}
