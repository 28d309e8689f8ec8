import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import request from 'supertest';
import { createTestDb, type TestDb } from '../support/db.js';
import { testApp } from '../support/app.js';
import { makeOrg } from '../support/factories.js';
import { invoiceBody, makeToken } from '../support/api.js';
import { openApiDocument } from '../../src/api/openapi.js';
import { canonicalJson } from '../../src/api/idempotency.js';

/**
 * The API as its document says (issue 21): integers PostgreSQL can hold, If-Match: * as RFC 9110 means it, an
 * Idempotency-Key that ignores key order, 405 for a method a path does not have, and the document's own metadata.
 */
let db: TestDb;
let app: Express;
let token: string;
let orgId: number;
type Json = Record<string, unknown>;
let doc: Json & { paths: Record<string, Record<string, Json & { responses: Json; tags: string[] }>> };

const BEYOND = 2_147_483_648;
const api = () => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db));
  token = (
    await makeToken(
      db.prisma,
      'read,organizations:write,contacts:write,invoices:write,tickets:write,documents:write,content:write',
    )
  ).token;
  orgId = (await makeOrg(db.prisma)).id;
  doc = (await request(app).get('/api/v1/openapi.json')).body;
});
afterAll(() => db.drop());

describe('integers beyond PostgreSQL integer', () => {
  it('an organizationId past the range is a 422 naming the field, and no contact is stored', async () => {
    const before = await db.prisma.contact.count();
    const res = await request(app)
      .post('/api/v1/contacts')
      .set(api())
      .send({ organizationId: BEYOND, lastName: 'Bakker' });
    expect(res.status, res.text).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.errors).toContainEqual({
      pointer: '#/organizationId',
      detail: 'must be an integer from -2147483648 to 2147483647',
    });
    expect(await db.prisma.contact.count()).toBe(before);
  });

  it('a parentId past the range on PATCH /organizations/{id} is a 422, and the organisation is unchanged', async () => {
    const org = await request(app).post('/api/v1/organizations').set(api()).send({ name: 'Grens BV' });
    for (const parentId of [BEYOND, -BEYOND - 1, 1e20]) {
      const res = await request(app).patch(`/api/v1/organizations/${org.body.id}`).set(api()).send({ parentId });
      expect(res.status, res.text).toBe(422);
      expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['#/parentId']);
    }
    const created = await request(app)
      .post('/api/v1/organizations')
      .set(api())
      .send({ name: 'Te ver', parentId: BEYOND });
    expect(created.status).toBe(422);
    const stored = await db.prisma.organization.findUniqueOrThrow({ where: { id: org.body.id } });
    expect([stored.parentId, stored.version]).toEqual([null, 1]);
    expect(await db.prisma.organization.count({ where: { name: 'Te ver' } })).toBe(0);
  });

  it('an announcement for an organisation past the range is a 422 on POST and PATCH', async () => {
    const body = { kind: 'NEWS', titleNl: 'Nieuws', bodyNl: 'Tekst', organizationId: BEYOND };
    const posted = await request(app).post('/api/v1/announcements').set(api()).send(body);
    expect(posted.status, posted.text).toBe(422);
    expect(posted.body.errors[0].pointer).toBe('#/organizationId');
    const ok = await request(app)
      .post('/api/v1/announcements')
      .set(api())
      .send({ ...body, organizationId: orgId });
    expect(ok.status).toBe(201);
    const patched = await request(app)
      .patch(`/api/v1/announcements/${ok.body.id}`)
      .set(api())
      .send({ organizationId: BEYOND });
    expect(patched.status).toBe(422);
    expect((await db.prisma.announcement.findUniqueOrThrow({ where: { id: ok.body.id } })).organizationId).toBe(orgId);
  });

  it('a cursor past the range is a 400 on every list; so are path ids past it', async () => {
    for (const list of ['organizations', 'contacts', 'invoices', 'tickets', 'documents', 'faq', 'announcements']) {
      const res = await request(app).get(`/api/v1/${list}?cursor=MS45OTk5OTk5OTk5`).set(api());
      expect(res.status, `${list}: ${res.text}`).toBe(400);
      expect(res.body.errors).toEqual([{ pointer: '#/cursor', detail: 'unknown cursor' }]);
    }
    for (const path of ['contacts/2147483648', 'organizations/99999999999999999999', 'tickets/2147483648/status'])
      expect((await request(app).get(`/api/v1/${path}`).set(api())).status, path).toBeLessThan(500);
    const status = await request(app).post('/api/v1/tickets/2147483648/status').set(api()).send({ status: 'NEW' });
    expect(status.status).toBe(400);
    expect(status.body.errors[0].pointer).toBe('#/path/id');
  });

  it('the document bounds every integer, in requests and answers, to PostgreSQL integer', () => {
    const unbounded: string[] = [];
    const walk = (node: unknown, at: string) => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${at}/${i}`));
      if (!node || typeof node !== 'object') return;
      const s = node as Json;
      if (s.type === 'integer' && !(Number(s.minimum) >= -BEYOND && Number(s.maximum) <= BEYOND - 1))
        unbounded.push(at);
      for (const [k, v] of Object.entries(s)) walk(v, `${at}/${k}`);
    };
    walk(doc, '#');
    expect(unbounded).toEqual([]);
    expect(JSON.stringify(doc)).toContain('"maximum":2147483647');
  });

  it('a JSON body nested thousands deep is a 400, not a 500', async () => {
    const deepObject = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const deepArray = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    for (const [method, url, body] of [
      ['post', '/api/v1/contacts', deepObject],
      ['put', '/api/v1/invoices/700001', deepArray],
      ['patch', `/api/v1/organizations/${orgId}`, `{"name":"x","street":${deepArray}}`],
    ] as const) {
      const res = await request(app)[method](url).set(api()).set('content-type', 'application/json').send(body);
      expect(res.status, `${method} ${url}: ${res.text.slice(0, 200)}`).toBe(400);
      expect(res.body.detail).toBe('The body nests deeper than 32 levels');
    }
    expect(await db.prisma.invoice.count({ where: { number: 700001 } })).toBe(0);
  });
});

describe('If-Match: * (RFC 9110 13.1.1)', () => {
  it('matches any current record and fails where there is none', async () => {
    const missing = await request(app)
      .put('/api/v1/invoices/700100')
      .set(api())
      .set('if-match', '*')
      .send(invoiceBody(orgId));
    expect(missing.status, missing.text).toBe(412);
    expect(await db.prisma.invoice.count({ where: { number: 700100 } })).toBe(0);
    expect((await request(app).put('/api/v1/invoices/700100').set(api()).send(invoiceBody(orgId))).status).toBe(201);
    const replaced = await request(app)
      .put('/api/v1/invoices/700100')
      .set(api())
      .set('if-match', '*')
      .send(invoiceBody(orgId, { title: 'Vervangen' }));
    expect(replaced.status, replaced.text).toBe(200);
    expect((await db.prisma.invoice.findUniqueOrThrow({ where: { number: 700100 } })).title).toBe('Vervangen');

    const c = await request(app).post('/api/v1/contacts').set(api()).send({ organizationId: orgId, lastName: 'Ster' });
    const contact = await request(app)
      .patch(`/api/v1/contacts/${c.body.id}`)
      .set(api())
      .set('if-match', '*')
      .send({ firstName: 'Roy' });
    expect([contact.status, contact.body.firstName]).toEqual([200, 'Roy']);
    const f = await request(app).post('/api/v1/faq').set(api()).send({ questionNl: 'Vraag?', answerNl: 'Antwoord.' });
    const faq = await request(app)
      .patch(`/api/v1/faq/${f.body.id}`)
      .set(api())
      .set('if-match', '*')
      .send({ answerNl: 'Nieuw antwoord.' });
    expect([faq.status, faq.body.answerNl]).toEqual([200, 'Nieuw antwoord.']);

    // The product-information text has no record until one is set: * fails then, and succeeds once there is one.
    const noText = await request(app)
      .put('/api/v1/product-information')
      .set(api())
      .set('if-match', '*')
      .send({ bodyNl: 'Tekst' });
    expect(noText.status).toBe(412);
    expect(await db.prisma.pageContent.count()).toBe(0);
  });
});

describe('Idempotency-Key', () => {
  it('the same body with its keys in another order is the same request: replayed, stored once', async () => {
    const first = await request(app)
      .post('/api/v1/organizations')
      .set(api())
      .set('idempotency-key', 'order-1')
      .send({ name: 'Volgorde BV', parentId: orgId, city: 'Enschede' });
    expect(first.status).toBe(201);
    const again = await request(app)
      .post('/api/v1/organizations')
      .set(api())
      .set('idempotency-key', 'order-1')
      .set('content-type', 'application/json')
      .send('{"city":"Enschede","parentId":' + orgId + ',\n "name":"Volgorde BV"}');
    expect(again.status, again.text).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await db.prisma.organization.count({ where: { name: 'Volgorde BV' } })).toBe(1);
    // Canonical at every depth; arrays keep their order.
    expect(canonicalJson({ b: [{ y: 1, x: 2 }], a: null })).toBe(canonicalJson({ a: null, b: [{ x: 2, y: 1 }] }));
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });
});

describe('answers the document lists', () => {
  const op = (path: string, method: string) => doc.paths[path]![method]!.responses;

  it('lists the refusals of the input layer on every operation that can give them', () => {
    for (const path of ['/tickets/{id}/replies', '/tickets/{id}/status', '/tickets/{id}/deadline'])
      expect(Object.keys(op(path, path.endsWith('deadline') ? 'put' : 'post'))).toEqual(
        expect.arrayContaining(['412', '422']),
      );
    expect(Object.keys(op('/tickets', 'post'))).toContain('409');
    expect(Object.keys(op('/documents', 'post'))).toContain('415');
    expect(Object.keys(op('/documents/{id}/file', 'put'))).toEqual(expect.arrayContaining(['413', '415']));
    expect(Object.keys(op('/invoices/{number}/pdf', 'put'))).toEqual(expect.arrayContaining(['413', '415']));
  });

  it('a ticket number that exists is a 409', async () => {
    const body = { id: 880001, organizationId: orgId, title: 'Uit de helpdesk' };
    expect((await request(app).post('/api/v1/tickets').set(api()).send(body)).status).toBe(201);
    const again = await request(app)
      .post('/api/v1/tickets')
      .set(api())
      .send({ ...body, title: 'Nog een keer' });
    expect(again.status, again.text).toBe(409);
    expect((await db.prisma.ticket.findUniqueOrThrow({ where: { id: 880001 } })).title).toBe('Uit de helpdesk');
  });

  it('an empty upload is a 415 that says the body is empty; a wrong type one that names what was sent', async () => {
    const empty = await request(app)
      .post('/api/v1/documents?kind=MANUAL&fileName=Leeg.pdf')
      .set(api())
      .set('content-type', 'application/pdf');
    expect(empty.status).toBe(415);
    expect(empty.body.detail).toMatch(/^The body is empty: send the file itself as application\/pdf or /);
    const text = await request(app)
      .post('/api/v1/documents?kind=MANUAL&fileName=x.pdf')
      .set(api())
      .set('content-type', 'text/plain')
      .send('hallo');
    expect(text.status).toBe(415);
    expect(text.body.detail).toMatch(/^A file sent as text\/plain is not taken here: send it as application\/pdf/);
    expect(await db.prisma.document.count()).toBe(0);
  });

  it('a method the path does not have is a 405 with Allow; an unknown path stays a 404', async () => {
    const trace = await request(app).trace('/api/v1/contacts').set(api());
    expect(trace.status).toBe(405);
    expect(trace.headers.allow).toBe('GET, HEAD, POST, OPTIONS');
    expect(trace.headers['content-type']).toMatch(/^application\/problem\+json/);
    const del = await request(app).delete('/api/v1/contacts').set(api());
    expect([del.status, del.body.type]).toEqual([405, 'http://pim.test/api/docs#problem-method-not-allowed']);
    const one = await request(app).delete(`/api/v1/organizations/${orgId}`).set(api());
    expect([one.status, one.headers.allow]).toEqual([405, 'GET, HEAD, PATCH, OPTIONS']);
    const options = await request(app).options('/api/v1/faq/12').set(api());
    expect([options.status, options.headers.allow]).toEqual([204, 'GET, HEAD, PATCH, DELETE, OPTIONS']);
    expect(await db.prisma.organization.count({ where: { id: orgId } })).toBe(1);
    const unknown = await request(app).delete('/api/v1/nothing').set(api());
    expect([unknown.status, unknown.body.detail]).toEqual([404, 'No such API route']);
    expect((await request(app).trace('/api/v1/contacts')).status).toBe(401);
  });
});

describe('the document itself', () => {
  it('has a licence, a tag list naming every tag an operation has, and BASE_URL as its server', () => {
    expect(doc.info).toMatchObject({ license: { name: expect.any(String), identifier: expect.any(String) } });
    const tags = (doc.tags as { name: string; description?: string }[]).map((t) => t.name);
    const used = Object.values(doc.paths).flatMap((item) => Object.values(item).map((o) => o.tags));
    expect(used.every((t) => t.length > 0 && t.every((name) => tags.includes(name)))).toBe(true);
    expect(new Set(used.flat())).toEqual(new Set(tags));
    expect((doc.tags as { description?: string }[]).every((t) => t.description)).toBe(true);
    expect(doc.servers).toEqual([{ url: 'http://pim.test/api/v1' }]);
    // Without BASE_URL the server is relative to wherever the document was read, never a guessed localhost.
    expect(openApiDocument(null).servers).toEqual([{ url: '/api/v1' }]);
  });
});
