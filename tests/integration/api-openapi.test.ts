import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import request from 'supertest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { createTestDb, type TestDb } from '../support/db.js';
import { testApp, visibleText } from '../support/app.js';
import { makeOrg } from '../support/factories.js';
import { invoiceBody, makeToken } from '../support/api.js';
import { listRoutes } from '../support/routes.js';

type Json = Record<string, unknown>;
let db: TestDb;
let app: Express;
let token: string;
let doc: { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Json }> }> }>>; components: Json };
const ajv = new Ajv2020({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db));
  token = (await makeToken(db.prisma, 'read,organizations:write,contacts:write,invoices:write,tickets:write')).token;
  doc = (await request(app).get('/api/v1/openapi.json')).body;
});
afterAll(() => db.drop());

/** The document's path template for a mounted Express path (/api/v1/invoices/:number -> /invoices/{number}). */
const template = (path: string) => path.replace(/^\/api\/v1/, '').replace(/:(\w+)/g, '{$1}');
const checked = new Set<string>();

/** Asserts that an answer is one the document describes for this operation, and matches its schema. */
function conforms(res: request.Response, method: string, path: string): void {
  const op = doc.paths[path]?.[method];
  expect(op, `${method} ${path} in the document`).toBeDefined();
  const response = op!.responses[String(res.status)];
  expect(response, `${method} ${path} answers ${res.status}: ${res.text.slice(0, 300)}`).toBeDefined();
  const type = String(res.headers['content-type'] ?? '').split(';')[0]!;
  if (!response!.content) return;
  const media = response!.content[type];
  expect(media, `${method} ${path} ${res.status} as ${type}`).toBeDefined();
  const validate = ajv.compile({ ...media!.schema, components: doc.components });
  const ok = validate(res.body);
  expect(ok, `${method} ${path} ${res.status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  checked.add(`${method.toUpperCase()} ${path}`);
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with every mounted API route, and no route that is not mounted', () => {
    expect(doc).toMatchObject({ openapi: '3.1.0', info: { title: 'PIM integration API' } });
    const mounted = listRoutes(app, { api: true }).filter((r) => !r.path.endsWith('/openapi.json')).map((r) => `${r.method} ${template(r.path)}`).sort();
    const documented = Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`)).sort();
    expect(mounted.length).toBeGreaterThan(15);
    expect(documented).toEqual(mounted);
    // The check bites: an invoice with a field too many, or a number as text, does not match.
    const invoice = ajv.compile({ $ref: '#/components/schemas/Invoice', components: doc.components });
    expect(invoice({ number: '1' })).toBe(false);
    // Every route starts with its scope guard.
    for (const r of listRoutes(app, { api: true })) expect(r.access, `${r.method} ${r.path}`).toMatch(/^(api:|PUBLIC$)/);
  });

  it('every answer of every route matches the document (bodies, problems, statuses)', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const org = await makeOrg(db.prisma);
    const call = async (method: 'get' | 'post' | 'put' | 'patch', url: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
      const res = await request(app)[method](url).set(auth).set(headers).send(body as object);
      conforms(res, method, path);
      return res;
    };
    const o = await call('post', '/api/v1/organizations', '/organizations', { name: 'Schema BV', parentId: org.id, street: 'Pantheon 2', postcode: '7521 PR' });
    await call('post', '/api/v1/organizations', '/organizations', { name: '' });
    await call('get', '/api/v1/organizations', '/organizations');
    await call('get', `/api/v1/organizations/${o.body.id}`, '/organizations/{id}');
    await call('patch', `/api/v1/organizations/${o.body.id}`, '/organizations/{id}', { active: false }, { 'if-match': o.headers.etag as string });
    await call('patch', `/api/v1/organizations/${o.body.id}`, '/organizations/{id}', { active: true }, { 'if-match': o.headers.etag as string });
    await call('get', '/api/v1/organizations/424242', '/organizations/{id}');
    const c = await call('post', '/api/v1/contacts', '/contacts', { organizationId: org.id, lastName: 'de Vries', email: 'lisa@example.nl', webAccess: true, roles: ['PORTAL_ACCESS'] });
    await call('get', '/api/v1/contacts', '/contacts');
    await call('get', `/api/v1/contacts/${c.body.id}`, '/contacts/{id}');
    await call('patch', `/api/v1/contacts/${c.body.id}`, '/contacts/{id}', { mobile: '0612345678' });
    await call('post', `/api/v1/contacts/${c.body.id}/invitation`, '/contacts/{id}/invitation');
    await call('put', '/api/v1/invoices/610001', '/invoices/{number}', invoiceBody(org.id));
    await call('put', '/api/v1/invoices/610001', '/invoices/{number}', invoiceBody(org.id, { title: 'Anders' }));
    await call('put', '/api/v1/invoices/610002', '/invoices/{number}', invoiceBody(424242));
    await call('get', '/api/v1/invoices', '/invoices');
    await call('get', '/api/v1/invoices/610001', '/invoices/{number}');
    const pdf = await request(app).put('/api/v1/invoices/610001/pdf').set(auth).set('content-type', 'application/pdf').send(Buffer.from('%PDF-1.4 test'));
    conforms(pdf, 'put', '/invoices/{number}/pdf');
    expect(pdf.body.hasStoredPdf).toBe(true);
    const t = await call('post', '/api/v1/tickets', '/tickets', { organizationId: org.id, title: 'Schema' });
    await call('get', '/api/v1/tickets', '/tickets');
    await call('get', `/api/v1/tickets/${t.body.id}`, '/tickets/{id}');
    await call('post', `/api/v1/tickets/${t.body.id}/status`, '/tickets/{id}/status', { status: 'PLANNED_INTERNAL' });
    await call('post', `/api/v1/tickets/${t.body.id}/status`, '/tickets/{id}/status', { status: 'PLANNED_INTERNAL' });
    await call('post', `/api/v1/tickets/${t.body.id}/replies`, '/tickets/{id}/replies', { body: 'Gepland' });
    await call('put', `/api/v1/tickets/${t.body.id}/deadline`, '/tickets/{id}/deadline', { deadline: '2027-01-04' });
    const noToken = await request(app).get('/api/v1/tickets');
    conforms(noToken, 'get', '/tickets');
    const documented = Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`));
    expect(documented.filter((d) => !checked.has(d))).toEqual([]);
  });

  it('an unknown API path is a problem document, not the portal 404 page', async () => {
    const res = await request(app).get('/api/v1/nothing').set({ authorization: `Bearer ${token}` });
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe('/api/docs', () => {
  it('shows every operation, the scopes, the errors and the signature recipe, without logging in', async () => {
    const res = await request(app).get('/api/docs?lang=en');
    expect(res.status).toBe(200);
    const text = visibleText(res.text);
    for (const [p, item] of Object.entries(doc.paths)) for (const m of Object.keys(item)) expect(text).toContain(`${m.toUpperCase()} /api/v1${p}`);
    expect(text).toContain('invoices:write');
    expect(text).toContain('/api/docs#problem-validation');
    expect(text).toContain('createHmac');
    expect(res.text).not.toMatch(/<script(?![^>]*nonce)/);
    expect(visibleText((await request(app).get('/api/docs')).text)).toContain('Integratie-API: naslag');
  });
});
