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
import { ensureApplications } from '../../src/db/applications.js';

type Json = Record<string, unknown>;
let db: TestDb;
let app: Express;
let token: string;
let doc: {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Json }> }> }>>;
  components: Json;
};
const ajv = new Ajv2020({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db));
  token = (
    await makeToken(
      db.prisma,
      'read,organizations:write,contacts:write,invoices:write,tickets:write,documents:write,content:write',
    )
  ).token;
  doc = (await request(app).get('/api/v1/openapi.json')).body;
  await ensureApplications(db.prisma);
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
  expect(response, `${method} ${path} answers ${res.status}: ${(res.text ?? '').slice(0, 300)}`).toBeDefined();
  const type = String(res.headers['content-type'] ?? '').split(';')[0]!;
  if (!response!.content) {
    // A documented answer without content (204): it must have none.
    expect(res.text ?? '', `${method} ${path} ${res.status} has no body`).toBe('');
    checked.add(`${method.toUpperCase()} ${path}`);
    return;
  }
  const media = response!.content[type];
  expect(media, `${method} ${path} ${res.status} as ${type}`).toBeDefined();
  if (media!.schema.contentEncoding === 'binary') {
    // A file: the document promises this media type; the bytes are checked by the resource's own tests.
    checked.add(`${method.toUpperCase()} ${path}`);
    return;
  }
  const validate = ajv.compile({ ...media!.schema, components: doc.components });
  const ok = validate(res.body);
  expect(ok, `${method} ${path} ${res.status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  checked.add(`${method.toUpperCase()} ${path}`);
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with every mounted API route, and no route that is not mounted', () => {
    expect(doc).toMatchObject({ openapi: '3.1.0', info: { title: 'PIM integration API' } });
    const mounted = listRoutes(app, { api: true })
      .filter((r) => !r.path.endsWith('/openapi.json'))
      .map((r) => `${r.method} ${template(r.path)}`)
      .sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`))
      .sort();
    expect(mounted.length).toBeGreaterThan(15);
    expect(documented).toEqual(mounted);
    // The check bites: an invoice with a field too many, or a number as text, does not match.
    const invoice = ajv.compile({ $ref: '#/components/schemas/Invoice', components: doc.components });
    expect(invoice({ number: '1' })).toBe(false);
    // Every route starts with its scope guard.
    for (const r of listRoutes(app, { api: true }))
      expect(r.access, `${r.method} ${r.path}`).toMatch(/^(api:|PUBLIC$)/);
  });

  it('every answer of every route matches the document (bodies, problems, statuses)', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const org = await makeOrg(db.prisma);
    const call = async (
      method: 'get' | 'post' | 'put' | 'patch' | 'delete',
      url: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ) => {
      const req = request(app)[method](url).set(auth).set(headers);
      const res = Buffer.isBuffer(body) ? await req.send(body) : await req.send(body as object);
      conforms(res, method, path);
      return res;
    };
    const o = await call('post', '/api/v1/organizations', '/organizations', {
      name: 'Schema BV',
      parentId: org.id,
      street: 'Pantheon 2',
      postcode: '7521 PR',
    });
    await call('post', '/api/v1/organizations', '/organizations', { name: '' });
    await call('get', '/api/v1/organizations', '/organizations');
    await call('get', `/api/v1/organizations/${o.body.id}`, '/organizations/{id}');
    await call(
      'patch',
      `/api/v1/organizations/${o.body.id}`,
      '/organizations/{id}',
      { active: false },
      { 'if-match': o.headers.etag as string },
    );
    await call(
      'patch',
      `/api/v1/organizations/${o.body.id}`,
      '/organizations/{id}',
      { active: true },
      { 'if-match': o.headers.etag as string },
    );
    await call('get', '/api/v1/organizations/424242', '/organizations/{id}');
    const c = await call('post', '/api/v1/contacts', '/contacts', {
      organizationId: org.id,
      lastName: 'de Vries',
      email: 'lisa@example.nl',
      webAccess: true,
      roles: ['PORTAL_ACCESS'],
    });
    await call('get', '/api/v1/contacts', '/contacts');
    await call('get', `/api/v1/contacts/${c.body.id}`, '/contacts/{id}');
    await call('patch', `/api/v1/contacts/${c.body.id}`, '/contacts/{id}', { mobile: '0612345678' });
    await call('post', `/api/v1/contacts/${c.body.id}/invitation`, '/contacts/{id}/invitation');
    await call('put', '/api/v1/invoices/610001', '/invoices/{number}', invoiceBody(org.id));
    await call('put', '/api/v1/invoices/610001', '/invoices/{number}', invoiceBody(org.id, { title: 'Anders' }));
    await call('put', '/api/v1/invoices/610002', '/invoices/{number}', invoiceBody(424242));
    await call('get', '/api/v1/invoices', '/invoices');
    await call('get', '/api/v1/invoices/610001', '/invoices/{number}');
    const pdf = await request(app)
      .put('/api/v1/invoices/610001/pdf')
      .set(auth)
      .set('content-type', 'application/pdf')
      .send(Buffer.from('%PDF-1.4 test'));
    conforms(pdf, 'put', '/invoices/{number}/pdf');
    expect(pdf.body.hasStoredPdf).toBe(true);
    const t = await call('post', '/api/v1/tickets', '/tickets', { organizationId: org.id, title: 'Schema' });
    await call('get', '/api/v1/tickets', '/tickets');
    await call('get', `/api/v1/tickets/${t.body.id}`, '/tickets/{id}');
    await call('post', `/api/v1/tickets/${t.body.id}/status`, '/tickets/{id}/status', { status: 'PLANNED_INTERNAL' });
    await call('post', `/api/v1/tickets/${t.body.id}/status`, '/tickets/{id}/status', { status: 'PLANNED_INTERNAL' });
    await call('post', `/api/v1/tickets/${t.body.id}/replies`, '/tickets/{id}/replies', { body: 'Gepland' });
    await call('put', `/api/v1/tickets/${t.body.id}/deadline`, '/tickets/{id}/deadline', { deadline: '2027-01-04' });
    await call('get', `/api/v1/contacts/${c.body.id}/applications`, '/contacts/{id}/applications');
    await call('put', `/api/v1/contacts/${c.body.id}/applications/OPERATOR`, '/contacts/{id}/applications/{code}');
    await call('put', `/api/v1/contacts/${c.body.id}/applications/OPERATOR`, '/contacts/{id}/applications/{code}');
    await call('put', `/api/v1/contacts/${c.body.id}/applications/NOPE`, '/contacts/{id}/applications/{code}');
    await call('delete', `/api/v1/contacts/${c.body.id}/applications/OPERATOR`, '/contacts/{id}/applications/{code}');
    const pdfType = { 'content-type': 'application/pdf' };
    const d = await call(
      'post',
      `/api/v1/documents?kind=MANUAL&fileName=Handleiding.pdf&organizationId=${org.id}`,
      '/documents',
      Buffer.from('%PDF-1.4 handleiding'),
      pdfType,
    );
    await call(
      'post',
      '/api/v1/documents?kind=REPORT&fileName=week1.pdf',
      '/documents',
      Buffer.from('%PDF-1.4 rapport'),
      pdfType,
    );
    await call(
      'post',
      '/api/v1/documents?kind=BROCHURE&fileName=x.pdf',
      '/documents',
      Buffer.from('%PDF-1.4'),
      pdfType,
    );
    await call('post', '/api/v1/documents?kind=MANUAL&fileName=x.pdf', '/documents', Buffer.from('{}'), {
      'content-type': 'text/plain',
    });
    await call('get', '/api/v1/documents', '/documents');
    await call('get', `/api/v1/documents/${d.body.id}`, '/documents/{id}');
    await call('get', `/api/v1/documents/${d.body.id}/file`, '/documents/{id}/file');
    await call('patch', `/api/v1/documents/${d.body.id}`, '/documents/{id}', { date: '2026-01-05' });
    await call('patch', `/api/v1/documents/${d.body.id}`, '/documents/{id}', { fileName: 'Handleiding.docx' });
    await call(
      'put',
      `/api/v1/documents/${d.body.id}/file?fileName=Handleiding-2.pdf`,
      '/documents/{id}/file',
      Buffer.from('%PDF-1.4 nieuw'),
      pdfType,
    );
    await call('put', `/api/v1/documents/${d.body.id}/file`, '/documents/{id}/file', Buffer.from('%PDF-1.4'), {
      ...pdfType,
      'if-match': '"1-0"',
    });
    await call('delete', `/api/v1/documents/${d.body.id}`, '/documents/{id}');
    await call('delete', `/api/v1/documents/${d.body.id}`, '/documents/{id}');
    await call('get', '/api/v1/product-information', '/product-information');
    await call('put', '/api/v1/product-information', '/product-information', { bodyNl: '# Nieuw' });
    await call('put', '/api/v1/product-information', '/product-information', { bodyNl: '# Nieuw', bodyEn: '# New' });
    await call('put', '/api/v1/product-information', '/product-information', { bodyNl: ' ' });
    await call('get', '/api/v1/product-information', '/product-information');
    await call('delete', '/api/v1/product-information', '/product-information', undefined, { 'if-match': '"9-0"' });
    await call('delete', '/api/v1/product-information', '/product-information');
    const f = await call('post', '/api/v1/faq', '/faq', {
      questionNl: 'Waar vind ik mijn facturen?',
      answerNl: 'Onder **Administratie**.',
    });
    await call('post', '/api/v1/faq', '/faq', { questionNl: 'Vraag', answerNl: 'Antwoord', questionEn: 'Question' });
    await call('get', '/api/v1/faq', '/faq');
    await call('get', `/api/v1/faq/${f.body.id}`, '/faq/{id}');
    await call('patch', `/api/v1/faq/${f.body.id}`, '/faq/{id}', { position: 1 });
    await call(
      'patch',
      `/api/v1/faq/${f.body.id}`,
      '/faq/{id}',
      { answerNl: 'x' },
      { 'if-match': f.headers.etag as string },
    );
    await call('delete', `/api/v1/faq/${f.body.id}`, '/faq/{id}');
    await call('get', `/api/v1/faq/${f.body.id}`, '/faq/{id}');
    const a = await call('post', '/api/v1/announcements', '/announcements', {
      kind: 'OUTAGE',
      titleNl: 'Storing',
      bodyNl: 'Er is een storing.',
      organizationId: org.id,
    });
    await call('post', '/api/v1/announcements', '/announcements', {
      kind: 'NEWS',
      titleNl: 'T',
      bodyNl: 'B',
      publishedAt: '2026-06-10T08:00',
      expiresAt: '2026-06-01',
    });
    await call('get', '/api/v1/announcements', '/announcements');
    await call('get', `/api/v1/announcements/${a.body.id}`, '/announcements/{id}');
    await call('patch', `/api/v1/announcements/${a.body.id}`, '/announcements/{id}', {
      expiresAt: '2099-01-01T00:00:00Z',
    });
    await call(
      'patch',
      `/api/v1/announcements/${a.body.id}`,
      '/announcements/{id}',
      { titleNl: 'x' },
      { 'if-match': a.headers.etag as string },
    );
    await call('delete', `/api/v1/announcements/${a.body.id}`, '/announcements/{id}');
    await call('delete', `/api/v1/announcements/${a.body.id}`, '/announcements/{id}');
    const noToken = await request(app).get('/api/v1/tickets');
    conforms(noToken, 'get', '/tickets');
    const documented = Object.entries(doc.paths).flatMap(([p, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(documented.filter((d) => !checked.has(d))).toEqual([]);
  });

  it('an unknown API path is a problem document, not the portal 404 page', async () => {
    const res = await request(app)
      .get('/api/v1/nothing')
      .set({ authorization: `Bearer ${token}` });
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe('/api/docs', () => {
  it('shows every operation, the scopes, the errors and the signature recipe, without logging in', async () => {
    const res = await request(app).get('/api/docs?lang=en');
    expect(res.status).toBe(200);
    const text = visibleText(res.text);
    for (const [p, item] of Object.entries(doc.paths))
      for (const m of Object.keys(item)) expect(text).toContain(`${m.toUpperCase()} /api/v1${p}`);
    expect(text).toContain('invoices:write');
    expect(text).toContain('/api/docs#problem-validation');
    expect(text).toContain('createHmac');
    expect(res.text).not.toMatch(/<script(?![^>]*nonce)/);
    expect(visibleText((await request(app).get('/api/docs')).text)).toContain('Integratie-API: naslag');
  });

  it('shows request and response bodies as links to their schemas on the same page, never a raw $ref', async () => {
    const res = await request(app).get('/api/docs?lang=en');
    expect(res.text).not.toContain('$ref');
    const links = [...res.text.matchAll(/<a href="#schema-([\w.-]+)">\1<\/a>/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(10);
    // Every link has its section: a schema named in a body can be read one click away.
    for (const name of new Set(links)) expect(res.text).toContain(`<h3 id="schema-${name}">${name}</h3>`);
  });
});
