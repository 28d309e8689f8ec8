import { Readable, Transform } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { FileStorage } from './types.js';

/** S3-compatible object storage (AWS S3, MinIO, Ceph, ...), from the `S3_*` variables. */
export interface S3Settings {
  bucket: string;
  region: string;
  /** Another service than AWS (MinIO, a local test server); path-style addressing then. */
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Prepended to every key, so one bucket can serve several installations. */
  prefix: string;
  forcePathStyle: boolean;
}

/** 5 MB: S3's smallest multipart part; with one part in flight an upload holds at most ~10 MB. */
const PART_BYTES = 5 * 1024 * 1024;

// The AWS SDK loads on the first file operation: a portal whose files live in PostgreSQL never holds it.
const sdk = () => import('@aws-sdk/client-s3');

/**
 * Files as objects in a bucket. Uploads stream through @aws-sdk/lib-storage's multipart
 * Upload (one part in flight, so memory stays bounded); downloads stream the response body.
 */
export function s3Storage(settings: S3Settings, client?: S3Client): FileStorage {
  let made: Promise<S3Client> | undefined;
  const s3 = () =>
    (made ??= client
      ? Promise.resolve(client)
      : sdk()
          .then(
            ({ S3Client }) =>
              new S3Client({
                region: settings.region,
                endpoint: settings.endpoint,
                forcePathStyle: settings.forcePathStyle,
                credentials:
                  settings.accessKeyId && settings.secretAccessKey
                    ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey }
                    : undefined,
              }),
          )
          // A failed load or set-up is tried again on the next operation, not kept for the process's life.
          .catch((e: unknown) => {
            made = undefined;
            throw e;
          }));
  const Key = (key: string) => `${settings.prefix}${key}`;
  return {
    kind: 's3',

    async put(key, body) {
      try {
        // The SDK first: when it cannot load or set up, nothing has been piped anywhere yet.
        const [{ Upload }, client] = await Promise.all([import('@aws-sdk/lib-storage'), s3()]);
        let size = 0;
        const counted = new Transform({
          transform(chunk: Buffer, _enc, done) {
            size += chunk.length;
            done(null, chunk);
          },
        });
        // Its errors reach the caller through upload.done() (or as the body's own): never unhandled.
        counted.on('error', () => {});
        let bodyError: Error | undefined;
        body.once('error', (err) => counted.destroy((bodyError = err)));
        body.pipe(counted);
        const upload = new Upload({
          client,
          params: { Bucket: settings.bucket, Key: Key(key), Body: counted },
          partSize: PART_BYTES,
          queueSize: 1,
        });
        try {
          await upload.done();
        } catch (err) {
          // The upload is aborted (its parts removed); the caller wants to know why the body broke.
          throw bodyError ?? err;
        }
        return { size };
      } catch (err) {
        // As FileStorage promises: a failed put ends the body, so a source piped into it is let go.
        body.destroy();
        throw err;
      }
    },

    async get(key) {
      const [{ GetObjectCommand, NoSuchKey }, client] = await Promise.all([sdk(), s3()]);
      try {
        const res = await client.send(new GetObjectCommand({ Bucket: settings.bucket, Key: Key(key) }));
        return res.Body instanceof Readable ? res.Body : null;
      } catch (err) {
        if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return null;
        throw err;
      }
    },

    async delete(key) {
      const [{ DeleteObjectCommand }, client] = await Promise.all([sdk(), s3()]);
      await client.send(new DeleteObjectCommand({ Bucket: settings.bucket, Key: Key(key) }));
    },
  };
}
