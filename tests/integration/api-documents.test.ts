import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { storedBytes } from '../support/invoices-factories.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, logIn, testApp, visibleText } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { makeToken, runPim } from '../support/api.js';

let db: TestDb;
let app: Express;
let writer: string;
let orgId: number;
let reader: TestAgent;

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n');
const PNG = Buffer.from('\x89PNG\r\n\x1a\n0000', 'latin1');

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db));
  writer = (await makeToken(db.prisma, 'read,documents:write', 'DMS')).token;
  orgId = (await makeOrg(db.prisma, { reportsInContract: true })).id;
  const person = await makePerson(db.prisma, orgId, { roles: ['PORTAL_ACCESS', 'VIEW_MANUALS', 'VIEW_REPORTS'] });
  await db.prisma.contact.update({ where: { id: person.id }, data: { reportMailOptIn: true } });
  reader = client(app);
  expect((await logIn(reader, person.email!, PASSWORD)).status).toBe(302);
});
afterAll(() => db.drop());

const auth = (t: string) => ({ authorization: `Bearer ${t}` });
const upload = (token: string, query: Record<string, string | number>, file: Buffer, type = 'application/pdf') =>
  request(app).post('/api/v1/documents').query(query).set(auth(token)).set('content-type', type).send(file);
const state = async () => ({
  documents: await db.prisma.document.findMany({
    orderBy: { id: 'asc' },
    select: {
      id: true,
      kind: true,
      organizationId: true,
      fileName: true,
      size: true,
      version: true,
      documentDate: true,
    },
  }),
  audit: await db.prisma.auditEvent.count(),
  keys: await db.prisma.apiIdempotencyKey.count(),
  mails: await db.prisma.mailOutbox.count(),
  text: await db.prisma.pageContent.findMany(),
});

describe('documents through the API', () => {
  it('a token without documents:write gets 403 on every write, and nothing changes', async () => {
    const doc = await upload(writer, { kind: 'MANUAL', fileName: 'Vast.pdf' }, PDF);
    expect(doc.status, doc.text).toBe(201);
    for (const scopes of ['read', 'read,content:write,contacts:write']) {
      const { token } = await makeToken(db.prisma, scopes);
      const before = await state();
      const tries = [
        await upload(token, { kind: 'MANUAL', fileName: 'Nee.pdf' }, PDF).set('idempotency-key', `no-${scopes}`),
        await request(app).patch(`/api/v1/documents/${doc.body.id}`).set(auth(token)).send({ fileName: 'Anders.pdf' }),
        await request(app)
          .put(`/api/v1/documents/${doc.body.id}/file`)
          .set(auth(token))
          .set('content-type', 'application/pdf')
          .send(PDF),
        await request(app).delete(`/api/v1/documents/${doc.body.id}`).set(auth(token)),
        await request(app).put('/api/v1/product-information').set(auth(token)).send({ bodyNl: 'Nee' }),
        await request(app).delete('/api/v1/product-information').set(auth(token)),
      ];
      expect(tries.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403]);
      expect(tries[0]!.body.detail).toBe('This request needs the scope documents:write');
      expect(await state()).toEqual(before);
    }
  });

  it('upload, read, list, download, change, replace the file and remove: each audited with the token, visible on the portal page', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const created = await upload(
      writer,
      { kind: 'MANUAL', fileName: 'Operator Handleiding.pdf', organizationId: orgId, date: '2026-03-02' },
      PDF,
    );
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as number;
    expect(created.body).toMatchObject({
      kind: 'MANUAL',
      organizationId: orgId,
      fileName: 'Operator Handleiding.pdf',
      contentType: 'application/pdf',
      size: PDF.length,
      date: '2026-03-02',
    });
    expect(created.headers.location).toBe(`http://pim.test/api/v1/documents/${id}`);
    expect(created.headers.etag).toMatch(/^"1-/);

    const read = await request(app).get(`/api/v1/documents/${id}`).set(auth(writer));
    expect(read.body).toEqual(created.body);
    expect(read.headers.etag).toBe(created.headers.etag);
    const file = await request(app)
      .get(`/api/v1/documents/${id}/file`)
      .set(auth(writer))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['content-disposition']).toBe('attachment; filename="Operator Handleiding.pdf"');
    expect(Buffer.compare(file.body as Buffer, PDF)).toBe(0);
    const listed = await request(app).get('/api/v1/documents').query({ updated_since: since }).set(auth(writer));
    expect(listed.body.data.map((d: { id: number }) => d.id)).toContain(id);
    // The customer sees it where the staff tool's manuals appear, and the staff tool lists it.
    expect(visibleText((await reader.get('/downloads/manuals')).text)).toContain('Operator Handleiding.pdf');
    expect((await runPim(db.prisma, 'document:list', '--org', String(orgId))).out).toEqual([
      `${id}\tmanual\t${orgId}\tOperator Handleiding.pdf\t${PDF.length}\t2026-03-02`,
    ]);

    const patched = await request(app)
      .patch(`/api/v1/documents/${id}`)
      .set(auth(writer))
      .set('if-match', created.headers.etag as string)
      .send({ fileName: 'Operator 2.pdf', date: '2026-04-01' });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({ fileName: 'Operator 2.pdf', date: '2026-04-01' });
    expect(patched.headers.etag).toMatch(/^"2-/);
    const again = await request(app)
      .patch(`/api/v1/documents/${id}`)
      .set(auth(writer))
      .send({ fileName: 'Operator 2.pdf' });
    expect(again.headers.etag).toBe(patched.headers.etag);

    const png = await request(app)
      .put(`/api/v1/documents/${id}/file`)
      .query({ fileName: 'Operator.png' })
      .set(auth(writer))
      .set('content-type', 'image/png')
      .send(PNG);
    expect(png.status, png.text).toBe(200);
    expect(png.body).toMatchObject({ fileName: 'Operator.png', contentType: 'image/png', size: PNG.length });
    expect(
      (await storedBytes(
        db.prisma,
        (await db.prisma.document.findUniqueOrThrow({ where: { id } })).storageKey,
      ))!.equals(PNG),
    ).toBe(true);

    const gone = await request(app)
      .delete(`/api/v1/documents/${id}`)
      .set(auth(writer))
      .set('if-match', png.headers.etag as string);
    expect(gone.status).toBe(204);
    expect(await db.prisma.document.count({ where: { id } })).toBe(0);
    expect((await request(app).get(`/api/v1/documents/${id}`).set(auth(writer))).status).toBe(404);
    expect((await request(app).delete(`/api/v1/documents/${id}`).set(auth(writer))).status).toBe(404);
    const audit = await db.prisma.auditEvent.findMany({
      where: { subjectType: 'document', subjectId: String(id) },
      orderBy: { id: 'asc' },
    });
    expect(audit.map((a) => [a.kind, a.actorLabel])).toEqual([
      ['document.created', 'api:DMS'],
      ['document.updated', 'api:DMS'],
      ['document.updated', 'api:DMS'],
      ['document.removed', 'api:DMS'],
    ]);
    expect(audit[1]!.before).toEqual({ fileName: 'Operator Handleiding.pdf', documentDate: '2026-03-02' });
  });

  it('a report mails the people who opted in and may see it, as document:add does', async () => {
    const before = await db.prisma.mailOutbox.count();
    const res = await upload(writer, { kind: 'REPORT', fileName: 'week12.pdf', organizationId: orgId }, PDF);
    expect(res.status, res.text).toBe(201);
    expect(await db.prisma.mailOutbox.count()).toBe(before + 1);
    expect(visibleText((await reader.get('/downloads/reports')).text)).toContain('week12.pdf');
  });

  it('a retried upload with the same Idempotency-Key adds one document; another file under the key is a 422', async () => {
    const q = { kind: 'PRODUCT_INFO', fileName: 'Brochure.pdf' };
    const first = await upload(writer, q, PDF).set('idempotency-key', 'doc-1');
    const second = await upload(writer, q, PDF).set('idempotency-key', 'doc-1');
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(await db.prisma.document.count({ where: { fileName: 'Brochure.pdf' } })).toBe(1);
    const other = await upload(writer, q, Buffer.concat([PDF, Buffer.from('x')])).set('idempotency-key', 'doc-1');
    expect(other.status).toBe(422);
    expect(await db.prisma.document.count({ where: { fileName: 'Brochure.pdf' } })).toBe(1);
  });

  it('a stale If-Match is a 412 on every write, and nothing changes', async () => {
    const doc = await upload(writer, { kind: 'MANUAL', fileName: 'Recorder.pdf' }, PDF);
    const stale = doc.headers.etag as string;
    expect(
      (await request(app).patch(`/api/v1/documents/${doc.body.id}`).set(auth(writer)).send({ date: '2025-01-01' }))
        .status,
    ).toBe(200);
    const before = await state();
    const tries = [
      await request(app)
        .patch(`/api/v1/documents/${doc.body.id}`)
        .set(auth(writer))
        .set('if-match', stale)
        .send({ fileName: 'Weg.pdf' }),
      await request(app)
        .put(`/api/v1/documents/${doc.body.id}/file`)
        .set(auth(writer))
        .set('if-match', stale)
        .set('content-type', 'application/pdf')
        .send(Buffer.from('%PDF-1.7 other')),
      await request(app).delete(`/api/v1/documents/${doc.body.id}`).set(auth(writer)).set('if-match', stale),
    ];
    expect(tries.map((r) => r.status)).toEqual([412, 412, 412]);
    expect(tries[0]!.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await state()).toEqual(before);
  });

  it('refuses bad details and files with the field named, storing nothing', async () => {
    const before = await state();
    const kind = await upload(writer, { kind: 'BROCHURE', fileName: 'x.pdf' }, PDF);
    expect([kind.status, kind.body.errors[0].pointer]).toEqual([400, '#/query/kind']);
    const typo = await upload(writer, { kind: 'MANUAL', fileName: 'x.pdf', organisationId: orgId }, PDF);
    expect(typo.body.errors).toEqual([{ pointer: '#/query/organisationId', detail: 'unknown field' }]);
    const report = await upload(writer, { kind: 'REPORT', fileName: 'r.pdf' }, PDF);
    expect([report.status, report.body.errors]).toEqual([
      422,
      [{ pointer: '#/query/organizationId', detail: 'a report belongs to one organisation' }],
    ]);
    const noOrg = await upload(writer, { kind: 'MANUAL', fileName: 'r.pdf', organizationId: 999999 }, PDF);
    expect([noOrg.status, noOrg.body.errors[0].pointer]).toEqual([422, '#/query/organizationId']);
    const fake = await upload(
      writer,
      { kind: 'MANUAL', fileName: 'fake.pdf' },
      Buffer.from('MZ not a pdf'),
      'application/octet-stream',
    );
    expect([fake.status, fake.body.errors[0].pointer]).toEqual([422, '#']);
    expect(fake.body.errors[0].detail).toMatch(/^the name's extension and the content do not agree/);
    const declared = await upload(writer, { kind: 'MANUAL', fileName: 'plaatje.png' }, PNG, 'application/pdf');
    expect([declared.status, declared.body.errors[0].pointer]).toEqual([422, '#/headers/Content-Type']);
    const control = await upload(writer, { kind: 'MANUAL', fileName: 'bel\u0007.pdf' }, PDF);
    expect([control.status, control.body.errors[0].pointer]).toEqual([400, '#/query/fileName']);
    const notFile = await upload(writer, { kind: 'MANUAL', fileName: 'x.pdf' }, Buffer.from('{}'), 'application/json');
    expect(notFile.status).toBe(415);
    const big = await upload(
      writer,
      { kind: 'MANUAL', fileName: 'big.pdf' },
      Buffer.concat([PDF, Buffer.alloc(20 * 1024 * 1024)]),
    );
    expect(big.status).toBe(413);
    expect(await state()).toEqual(before);

    const doc = await upload(writer, { kind: 'MANUAL', fileName: 'Scheduler.pdf' }, PDF);
    const name = await request(app)
      .patch(`/api/v1/documents/${doc.body.id}`)
      .set(auth(writer))
      .send({ fileName: 'Scheduler.png' });
    expect([name.status, name.body.errors[0].pointer]).toEqual([422, '#/fileName']);
    const asReport = await request(app)
      .patch(`/api/v1/documents/${doc.body.id}`)
      .set(auth(writer))
      .send({ kind: 'REPORT' });
    expect(asReport.body.errors).toEqual([
      { pointer: '#/organizationId', detail: 'a report belongs to one organisation' },
    ]);
    const shape = await request(app)
      .patch(`/api/v1/documents/${doc.body.id}`)
      .set(auth(writer))
      .send({ date: '1-4-2026', size: 3 });
    expect(shape.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['#/date', '#/size']);
    expect((await db.prisma.document.findUniqueOrThrow({ where: { id: doc.body.id } })).version).toBe(1);
  });
});

describe('the product-information text through the API', () => {
  it('set, read, set again (no change), reset: the portal page follows; If-Match and validation guard it', async () => {
    expect((await request(app).get('/api/v1/product-information').set(auth(writer))).status).toBe(404);
    const set = await request(app)
      .put('/api/v1/product-information')
      .set(auth(writer))
      .send({ bodyNl: '# Nieuw: Operator 3\n\nNu met **wachtrijen**.', bodyEn: null });
    expect(set.status, set.text).toBe(201);
    expect(set.body).toMatchObject({
      bodyNl: '# Nieuw: Operator 3\n\nNu met **wachtrijen**.',
      bodyEn: null,
      updatedBy: 'api:DMS',
    });
    expect(visibleText((await reader.get('/downloads/product-information')).text)).toContain('Nieuw: Operator 3');
    const same = await request(app)
      .put('/api/v1/product-information')
      .set(auth(writer))
      .send({ bodyNl: '# Nieuw: Operator 3\n\nNu met **wachtrijen**.' });
    expect([same.status, same.headers.etag]).toEqual([200, set.headers.etag]);
    expect(await db.prisma.auditEvent.count({ where: { kind: 'pageContent.updated', actorLabel: 'api:DMS' } })).toBe(1);

    const changed = await request(app)
      .put('/api/v1/product-information')
      .set(auth(writer))
      .set('if-match', set.headers.etag as string)
      .send({ bodyNl: 'Tweede versie', bodyEn: 'Second version' });
    expect(changed.status).toBe(200);
    const before = await state();
    const stale = await request(app)
      .put('/api/v1/product-information')
      .set(auth(writer))
      .set('if-match', set.headers.etag as string)
      .send({ bodyNl: 'Derde' });
    expect(stale.status).toBe(412);
    expect(
      (
        await request(app)
          .delete('/api/v1/product-information')
          .set(auth(writer))
          .set('if-match', set.headers.etag as string)
      ).status,
    ).toBe(412);
    const blank = await request(app)
      .put('/api/v1/product-information')
      .set(auth(writer))
      .send({ bodyNl: '  ', bodyEn: 'x' });
    expect([blank.status, blank.body.errors]).toEqual([422, [{ pointer: '#/bodyNl', detail: 'must not be empty' }]]);
    const long = await request(app)
      .put('/api/v1/product-information')
      .set(auth(writer))
      .send({ bodyNl: 'x', bodyEn: 'é'.repeat(25_001) });
    expect(long.body.errors[0].pointer).toBe('#/bodyEn');
    expect(await state()).toEqual(before);

    expect(
      (
        await request(app)
          .delete('/api/v1/product-information')
          .set(auth(writer))
          .set('if-match', changed.headers.etag as string)
      ).status,
    ).toBe(204);
    expect(visibleText((await reader.get('/downloads/product-information')).text)).not.toContain('Tweede versie');
    expect(await db.prisma.auditEvent.count({ where: { kind: 'pageContent.reset', actorLabel: 'api:DMS' } })).toBe(1);
  });
});
