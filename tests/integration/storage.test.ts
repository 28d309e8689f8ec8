import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import S3rver from 's3rver';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { createTestDb, type TestDb } from '../support/db.js';
import { postgresStorage, CHUNK_BYTES } from '../../src/storage/postgres.js';
import { s3Storage, type S3Settings } from '../../src/storage/s3.js';
import type { FileStorage } from '../../src/storage/types.js';
import { createStorage } from '../../src/storage/index.js';
import { sweepStoredFiles, SWEEP_AFTER_MS } from '../../src/storage/registry.js';
import { runCli } from '../../src/cli/program.js';
import request from 'supertest';
import { makeToken } from '../support/api.js';
import { binary, makeDocument, makeInvoice, storedBytes } from '../support/invoices-factories.js';
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
  s3 = {
    bucket: 'pim-files',
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    prefix: 'test/',
    forcePathStyle: true,
  };
  const client = new S3Client({
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
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

/** A source piped into a pass-through, as the upload form pipes a file into its type check. */
function piped(bytes: Buffer): { source: Readable; body: PassThrough; drained: Promise<void> } {
  const source = Readable.from(
    (function* () {
      for (let at = 0; at < bytes.length; at += 64 * 1024) yield bytes.subarray(at, at + 64 * 1024);
    })(),
  );
  const body = source.pipe(new PassThrough());
  const drained = new Promise<void>((resolve) => source.once('end', resolve));
  return { source, body, drained };
}

// A put that fails part-way must let go of its body: the form drains the rest of the upload and
// answers, instead of a request that hangs until the client gives up.
describe.each<[string, () => { storage: FileStorage; key: string } | Promise<{ storage: FileStorage; key: string }>]>([
  [
    'PostgreSQL, a key already taken',
    async () => {
      const key = randomUUID();
      await postgresStorage(db.prisma).put(key, source(Buffer.from('er staat al iets')));
      return { storage: postgresStorage(db.prisma), key };
    },
  ],
  [
    'S3, a bucket that does not exist',
    () => ({ storage: s3Storage({ ...s3, bucket: 'no-such-bucket' }), key: randomUUID() }),
  ],
])('a failed put (%s)', (_name, make) => {
  it('rejects and destroys its body, so the source piped into it drains to the end', async () => {
    const { storage, key } = await make();
    const { source, body, drained } = piped(randomBytes(12 * 1024 * 1024));
    await expect(storage.put(key, body)).rejects.toThrow();
    expect(body.destroyed).toBe(true);
    source.unpipe(body);
    source.resume();
    await drained;
  });
});

describe('PostgreSQL storage writes chunks, never the whole file', () => {
  it('stores 3 MB as 12 rows of 256 kB', async () => {
    const key = randomUUID();
    await postgresStorage(db.prisma).put(key, source(randomBytes(3 * 1024 * 1024), 10_000));
    const rows = await db.prisma.$queryRaw<
      { seq: number; n: number }[]
    >`SELECT seq, length(data) AS n FROM stored_file_chunks WHERE key = ${key} ORDER BY seq`;
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
    const res = await agent
      .post('/tickets/new')
      .field('_csrf', csrfFrom(page.text))
      .field('organizationId', String(org.id))
      .field('title', 'Via S3')
      .attach('files', log, 'server.log');
    expect(res.status).toBe(302);
    const file = await db.prisma.ticketAttachment.findFirstOrThrow({ where: { uploaderId: me.id } });
    expect(await db.prisma.storedFileChunk.count()).toBe(chunksBefore);
    expect(Buffer.compare(await readAll((await s3Storage(s3).get(file.storageKey))!), log)).toBe(0);
    const back = await agent
      .get(`/tickets/${file.ticketId}/attachments/${file.id}`)
      .buffer(true)
      .parse((r, cb) => {
        const parts: Buffer[] = [];
        r.on('data', (c: Buffer) => parts.push(c));
        r.on('end', () => cb(null, Buffer.concat(parts)));
      });
    expect(back.status).toBe(200);
    expect(Buffer.compare(back.body as Buffer, log)).toBe(0);
  });
});

describe('the app with S3 storage that refuses the upload', () => {
  it('a 12 MB attachment the bucket refuses part-way gets an answer (no hanging request) and leaves no ticket', async () => {
    const { app } = testApp(db, { storage: s3Storage({ ...s3, bucket: 'no-such-bucket' }) });
    const org = await makeOrg(db.prisma);
    const me = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_OWN_TICKETS'] });
    const agent = client(app);
    await logIn(agent, me.email!, PASSWORD);
    const page = await agent.get('/tickets/new');
    const res = await agent
      .post('/tickets/new')
      .field('_csrf', csrfFrom(page.text))
      .field('organizationId', String(org.id))
      .field('title', 'Te groot voor een emmer die er niet is')
      .attach('files', Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(12 * 1024 * 1024)]), 'groot.pdf');
    // A storage fault is the portal's, not the user's: the error page, and nothing half-saved.
    expect(res.status).toBe(500);
    expect(res.text).toContain('Er ging iets mis');
    expect(await db.prisma.ticket.count({ where: { reporterId: me.id } })).toBe(0);
  }, 20_000);
});

describe('invoice PDFs and documents with S3 storage', () => {
  const bigPdf = (size: number) => Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(size - 9)]);
  const bucketHas = async (key: string) => {
    const body = await s3Storage(s3).get(key);
    return body ? readAll(body) : null;
  };
  const unnamed = async () =>
    (
      await db.prisma.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM stored_files f
      WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.storage_key = f.key) AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.pdf_key = f.key)
        AND NOT EXISTS (SELECT 1 FROM ticket_attachments a WHERE a.storage_key = f.key)`
    )[0]!.n;
  const later = () => new Date(Date.now() + 60_000);

  it('land in the bucket (not in PostgreSQL), come back byte for byte through the pages and the API, and leave with their rows', async () => {
    const storage = createStorage(s3, db.prisma);
    const { app } = testApp(db, { storage });
    const org = await makeOrg(db.prisma);
    const me = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'VIEW_INVOICES', 'VIEW_MANUALS'] });
    const agent = client(app);
    await logIn(agent, me.email!, PASSWORD);
    const { token } = await makeToken(db.prisma, 'read,invoices:write,documents:write');
    const auth = { authorization: `Bearer ${token}` };
    const chunksBefore = await db.prisma.storedFileChunk.count();

    // 6 MB: more than one multipart part on the way in.
    const pdf = bigPdf(6 * 1024 * 1024 + 3);
    const invoice = await makeInvoice(db.prisma, org.id);
    const put = await request(app)
      .put(`/api/v1/invoices/${invoice.number}/pdf`)
      .set(auth)
      .set('content-type', 'application/pdf')
      .send(pdf);
    expect(put.status, put.text).toBe(200);
    expect(put.body.hasStoredPdf).toBe(true);
    const doc = bigPdf(3 * 1024 * 1024);
    const added = await request(app)
      .post('/api/v1/documents')
      .query({ kind: 'MANUAL', fileName: 'Groot.pdf', organizationId: org.id })
      .set(auth)
      .set('content-type', 'application/pdf')
      .send(doc);
    expect(added.status, added.text).toBe(201);

    expect(await db.prisma.storedFileChunk.count()).toBe(chunksBefore);
    const { pdfKey } = await db.prisma.invoice.findUniqueOrThrow({ where: { id: invoice.id } });
    const { storageKey } = await db.prisma.document.findUniqueOrThrow({ where: { id: added.body.id } });
    expect(Buffer.compare((await bucketHas(pdfKey!))!, pdf)).toBe(0);
    expect(Buffer.compare((await bucketHas(storageKey))!, doc)).toBe(0);
    expect(await db.prisma.storedFile.count({ where: { key: { in: [pdfKey!, storageKey] } } })).toBe(2);

    const invoicePage = await agent.get(`/invoices/${invoice.id}/pdf`).buffer(true).parse(binary);
    expect(invoicePage.status).toBe(200);
    expect(invoicePage.headers['content-type']).toBe('application/pdf');
    expect(Buffer.compare(invoicePage.body as Buffer, pdf)).toBe(0);
    const docPage = await agent.get(`/documents/${added.body.id}`).buffer(true).parse(binary);
    expect(docPage.status).toBe(200);
    expect(Buffer.compare(docPage.body as Buffer, doc)).toBe(0);
    const docApi = await request(app)
      .get(`/api/v1/documents/${added.body.id}/file`)
      .set(auth)
      .buffer(true)
      .parse(binary);
    expect(docApi.status).toBe(200);
    expect(Buffer.compare(docApi.body as Buffer, doc)).toBe(0);

    // Removed and replaced inside the API's transaction: the sweep takes the files once committed.
    expect((await request(app).delete(`/api/v1/documents/${added.body.id}`).set(auth)).status).toBe(204);
    expect(
      (
        await request(app)
          .put(`/api/v1/invoices/${invoice.number}/pdf`)
          .set(auth)
          .set('content-type', 'application/pdf')
          .send(bigPdf(1000))
      ).status,
    ).toBe(200);
    expect(await unnamed()).toBe(2);
    expect(await sweepStoredFiles(db.prisma, storage, later())).toBe(2);
    expect(await bucketHas(storageKey)).toBeNull();
    expect(await bucketHas(pdfKey!)).toBeNull();
    expect(await unnamed()).toBe(0);
  });

  it('a save refused after its file was stored leaves a file only the sweep still knows, and the sweep removes it', async () => {
    const storage = createStorage(s3, db.prisma);
    const { app } = testApp(db, { storage });
    const { token } = await makeToken(db.prisma, 'read,documents:write');
    const registered = await db.prisma.storedFile.count();
    // Sent as PNG but a PDF: refused after the row was written, so the whole transaction rolls back.
    const res = await request(app)
      .post('/api/v1/documents')
      .query({ kind: 'MANUAL', fileName: 'Fout.pdf' })
      .set({ authorization: `Bearer ${token}` })
      .set('content-type', 'image/png')
      .send(bigPdf(2000));
    expect(res.status).toBe(422);
    expect(await db.prisma.document.count({ where: { fileName: 'Fout.pdf' } })).toBe(0);
    expect(await db.prisma.storedFile.count()).toBe(registered + 1);
    // Not before a day has passed (a save may still be on its way) ...
    expect(await sweepStoredFiles(db.prisma, storage, new Date(Date.now() - SWEEP_AFTER_MS))).toBe(0);
    // ... then it goes.
    expect(await sweepStoredFiles(db.prisma, storage, later())).toBe(1);
    expect(await unnamed()).toBe(0);
  });

  it("the staff tool removes a document's file with it; files moved into PostgreSQL by the migration are still served", async () => {
    const storage = createStorage(s3, db.prisma);
    const { app } = testApp(db, { storage });
    const org = await makeOrg(db.prisma);
    const me = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'VIEW_MANUALS'] });
    const agent = client(app);
    await logIn(agent, me.email!, PASSWORD);
    const run = (...argv: string[]) =>
      runCli(argv, {
        prisma: db.prisma,
        out: () => {},
        err: () => {},
        now: () => new Date('2026-03-02T10:00:00Z'),
        baseUrl: 'http://pim.test',
        storage,
      });

    const dir = mkdtempSync(path.join(tmpdir(), 'pim-doc-'));
    const file = path.join(dir, 'Weg.pdf');
    const bytes = bigPdf(5000);
    writeFileSync(file, bytes);
    expect(await run('document:add', '--kind', 'manual', '--org', String(org.id), file)).toBe(0);
    rmSync(dir, { recursive: true, force: true });
    const doc = await db.prisma.document.findFirstOrThrow({ where: { organizationId: org.id, fileName: 'Weg.pdf' } });
    expect(Buffer.compare((await bucketHas(doc.storageKey))!, bytes)).toBe(0);
    expect(await run('document:remove', String(doc.id))).toBe(0);
    expect(await bucketHas(doc.storageKey)).toBeNull();
    expect(await db.prisma.storedFile.count({ where: { key: doc.storageKey } })).toBe(0);

    // As the migration left it: the bytes in the PostgreSQL store, the bucket without them.
    const old = await makeDocument(db.prisma, { kind: 'MANUAL', organizationId: org.id, content: bigPdf(300_000) });
    expect(await bucketHas(old.storageKey)).toBeNull();
    const res = await agent.get(`/documents/${old.id}`).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(Buffer.compare(res.body as Buffer, (await storedBytes(db.prisma, old.storageKey))!)).toBe(0);
  });
});
