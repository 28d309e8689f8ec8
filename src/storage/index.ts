import type { PrismaClient } from '../db/client.js';
import { postgresStorage } from './postgres.js';
import { s3Storage, type S3Settings } from './s3.js';
import type { FileStorage } from './types.js';

export type { FileStorage } from './types.js';
export type { S3Settings } from './s3.js';

/** The storage the configuration asks for: S3 when `S3_BUCKET` is set, PostgreSQL otherwise. */
export function createStorage(s3: S3Settings | undefined, prisma: PrismaClient): FileStorage {
  return s3 ? s3Storage(s3) : postgresStorage(prisma);
}
