import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import S3rver from 's3rver';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { createTestDb, type TestDb } from '../support/db.js';
import { postgresStorage, CHUNK_BYTES } from '../../src/storage/postgres.js';
import { s3Storage, type S3Settings } from '../../src/storage/s3.js';
import type { FileStorage } from '../../src/storage/types.js';
import { client, csrfFrom, logIn, testApp } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { FILES } from '../support/files.js';

let db: TestDb;
let s3rver: S3rver;
let s3dir: string;
let s3: S3Settings;

beforeAll(async () => {
  db = await createTestDb();
  // A real S3-protocol server on loopback (s3rver keeps objects in a temporary folder).
  s3dir = mkdtempSync(path.join(tmpdir(), 'pim-s3-'));
  s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3dir });
  const { port } = await s3rver.run();
  s3 = { bucket: 'pim-files', region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', prefix: 'test/', forcePathStyle: true };
  const client = new S3Client({ region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  await client.send(new CreateBucketCommand({ Bucket: s3.bucket }));
  client.destroy();
});
afterAll(async () => {
  await s3rver?.close();
  rmSync(s3dir, { recursive: true, force: true });
  await db.drop();
});

/** Feeds `total` bytes in pieces of `piece`, as a network upload arrives. */
function source(bytes: Buffer, piece = 64 * 1024): Readable {
  let at = 0;
  return new Readable({
    read() {
      if (at >= bytes.length) return void this.push(null);
      this.push(bytes.subarray(at, at + piece));
      at += piece;
    },
  });
}
async function readAll(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

const adapters: [string, () => FileStorage][] = [
  ['PostgreSQL', () => postgresStorage(db.prisma)],
  ['S3 (s3rver on loopback)', () => s3Storage(s3)],
];

describe.each(adapters)('file storage: %s', (_name, make) => {
  it('gives back exactly what it took: empty, one byte, a chunk boundary, and 12 MB over several parts', async () => {
    const storage = make();
    for (const size of [0, 1, CHUNK_BYTES, CHUNK_BYTES + 1, 12 * 1024 * 1024 + 7]) {
      const bytes = randomBytes(size);
      const key = randomUUID();
      expect(await storage.put(key, source(bytes))).toEqual({ size });
      const back = await storage.get(key);
      expect(back, `size ${size}`).not.toBeNull();
      expect(Buffer.compare(await readAll(back!), bytes), `size ${size}`).toBe(0);
    }
  });

  it('answers null for an unknown key, and after delete', async () => {
    const storage = make();
    expect(await storage.get(randomUUID())).toBeNull();
    const key = randomUUID();
    await storage.put(key, source(Buffer.from('weg ermee')));
    await storage.delete(key);
    expect(await storage.get(key)).toBeNull();
    await storage.delete(key); // deleting again is no error
  });

  it('a broken upload rejects and leaves no file behind', async () => {
    const storage = make();
    const key = randomUUID();
    let sent = 0;
    const broken = new Readable({
      read() {
        sent += 1;
        if (sent > 30) return void this.destroy(new Error('connection reset'));
        this.push(randomBytes(256 * 1024));
      },
    });
    await expect(storage.put(key, broken)).rejects.toThrow(/connection reset/);
    await storage.delete(key).catch(() => {});
    expect(await storage.get(key)).toBeNull();
  });
});

describe('PostgreSQL storage writes chunks, never the whole file', () => {
  it('stores 3 MB as 12 rows of 256 kB', async () => {
    const key = randomUUID();
    await postgresStorage(db.prisma).put(key, source(randomBytes(3 * 1024 * 1024), 10_000));
    const rows = await db.prisma.$queryRaw<{ seq: number; n: number }[]>`SELECT seq, length(data) AS n FROM stored_file_chunks WHERE key = ${key} ORDER BY seq`;
    expect(rows.length).toBe(12);
    expect(rows.every((r) => r.n === CHUNK_BYTES)).toBe(true);
  });
});

describe('the app with S3 storage', () => {
  it('a ticket attachment goes to the bucket (not to PostgreSQL) and comes back', async () => {
    const { app } = testApp(db, { storage: s3Storage(s3) });
    const org = await makeOrg(db.prisma);
    const me = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_OWN_TICKETS'] });
    const agent = client(app);
    await logIn(agent, me.email!, PASSWORD);
    const chunksBefore = await db.prisma.storedFileChunk.count();
    const log = FILES.log(2000);
    const page = await agent.get('/tickets/new');
    const res = await agent.post('/tickets/new').field('_csrf', csrfFrom(page.text)).field('organizationId', String(org.id)).field('title', 'Via S3').attach('files', log, 'server.log');
    expect(res.status).toBe(302);
    const file = await db.prisma.ticketAttachment.findFirstOrThrow({ where: { uploaderId: me.id } });
    expect(await db.prisma.storedFileChunk.count()).toBe(chunksBefore);
    expect(Buffer.compare(await readAll((await s3Storage(s3).get(file.storageKey))!), log)).toBe(0);
    const back = await agent.get(`/tickets/${file.ticketId}/attachments/${file.id}`).buffer(true).parse((r, cb) => {
      const parts: Buffer[] = [];
      r.on('data', (c: Buffer) => parts.push(c));
      r.on('end', () => cb(null, Buffer.concat(parts)));
    });
    expect(back.status).toBe(200);
    expect(Buffer.compare(back.body as Buffer, log)).toBe(0);
  });
});
