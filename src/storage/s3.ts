import { Readable, Transform } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
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

/**
 * Files as objects in a bucket. Uploads stream through @aws-sdk/lib-storage's multipart
 * Upload (one part in flight, so memory stays bounded); downloads stream the response body.
 */
export function s3Storage(settings: S3Settings, client?: S3Client): FileStorage {
  const s3 =
    client ??
    new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: settings.forcePathStyle,
      credentials:
        settings.accessKeyId && settings.secretAccessKey
          ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey }
          : undefined,
    });
  const Key = (key: string) => `${settings.prefix}${key}`;
  return {
    kind: 's3',

    async put(key, body) {
      let size = 0;
      const counted = body.pipe(
        new Transform({
          transform(chunk: Buffer, _enc, done) {
            size += chunk.length;
            done(null, chunk);
          },
        }),
      );
      let bodyError: Error | undefined;
      body.once('error', (err) => counted.destroy((bodyError = err)));
      const upload = new Upload({
        client: s3,
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
    },

    async get(key) {
      try {
        const res = await s3.send(new GetObjectCommand({ Bucket: settings.bucket, Key: Key(key) }));
        return res.Body instanceof Readable ? res.Body : null;
      } catch (err) {
        if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return null;
        throw err;
      }
    },

    async delete(key) {
      await s3.send(new DeleteObjectCommand({ Bucket: settings.bucket, Key: Key(key) }));
    },
  };
}
