import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import http from 'node:http';
import request from 'supertest';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { createTestDb, type TestDb } from '../support/db.js';
import { testApp } from '../support/app.js';
import { makeOrg } from '../support/factories.js';
import { invoiceBody, makeToken } from '../support/api.js';
import { hostile, invalid, valid, type Hints, type Schema } from '../support/openapi-arbitraries.js';
import { ensureApplications } from '../../src/db/applications.js';
import { openApiDocument } from '../../src/api/openapi.js';

/**
 * A walk over the OpenAPI document itself: for every operation it lists, requests generated from the operation's
 * own schemas (path parameters, query, body, If-Match and Idempotency-Key), valid ones and invalid ones, sent to the
 * real app and database with a token holding every scope. Every answer must be one the document lists for that
 * operation (status, media type, and a body its schema validates), and none a 5xx. Seeded (API_WALK_SEED=<n>
 * replays another run; the seed is in the failure message); API_WALK_RUNS sets the requests per operation and kind.
 */
const SEED = process.env.API_WALK_SEED ? Number(process.env.API_WALK_SEED) : 20_261_207;
const RUNS = process.env.API_WALK_RUNS ? Number(process.env.API_WALK_RUNS) : 6;

interface Operation {
  parameters: { name: string; in: string; required: boolean; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>>; components: { schemas: Schema } };

// The operations as the code declares them, to name a test per operation; the test reads the served document.
const declared = openApiDocument('http://pim.test') as unknown as Doc;
const METHODS = Object.entries(declared.paths)
  .flatMap(([path, item]) => Object.keys(item).map((method) => ({ method, path })))
  // Removals last, so the records the other operations find are still there.
  .sort((a, b) => Number(a.method === 'delete') - Number(b.method === 'delete'));

let db: TestDb;
let server: http.Server;
let token: string;
let doc: Doc;
const ids: Record<string, number[]> = {};
const hints: Hints = {};
const ajv = new Ajv2020({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
const validators = new Map<string, ValidateFunction>();

beforeAll(async () => {
  db = await createTestDb();
  const { app } = testApp(db, { env: { API_RATE_LIMIT: '1000000' } });
  server = http.createServer(app);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await ensureApplications(db.prisma);
  token = (
    await makeToken(
      db.prisma,
      'read,organizations:write,contacts:write,invoices:write,tickets:write,documents:write,content:write',
    )
  ).token;
  doc = (await client().get('/api/v1/openapi.json')).body as Doc;
  // Records for the generated ids to find, made through the API itself.
  const org = await makeOrg(db.prisma);
  const sub = await makeOrg(db.prisma, { parentId: org.id });
  const post = async (url: string, body: unknown) => {
    const res = await client()
      .post(url)
      .set(auth())
      .send(body as object);
    expect(res.status, `${url}: ${res.text}`).toBe(201);
    return res.body.id as number;
  };
  const contact = await post('/api/v1/contacts', {
    organizationId: org.id,
    lastName: 'Bakker',
    email: 'henk.bakker@example.nl',
    webAccess: true,
    roles: ['PORTAL_ACCESS'],
  });
  const ticket = await post('/api/v1/tickets', {
    organizationId: org.id,
    title: 'Storing',
    reporterEmail: 'henk.bakker@example.nl',
  });
  expect((await client().put('/api/v1/invoices/105000').set(auth()).send(invoiceBody(org.id))).status).toBe(201);
  const document = (
    await client()
      .post(`/api/v1/documents?kind=MANUAL&fileName=Handleiding.pdf&organizationId=${org.id}`)
      .set(auth())
      .set('content-type', 'application/pdf')
      .send(Buffer.from('%PDF-1.4 handleiding'))
  ).body.id as number;
  const faq = await post('/api/v1/faq', { questionNl: 'Waar?', answerNl: 'Hier.' });
  const announcement = await post('/api/v1/announcements', { kind: 'NEWS', titleNl: 'Nieuws', bodyNl: 'Tekst' });
  Object.assign(ids, {
    '/organizations': [org.id, sub.id],
    '/contacts': [contact],
    '/tickets': [ticket],
    '/invoices': [105000],
    '/documents': [document],
    '/faq': [faq],
    '/announcements': [announcement],
  });
  const orgs = fc.constantFrom(org.id, sub.id);
  Object.assign(hints, {
    organizationId: orgs,
    parentId: fc.oneof(orgs, fc.constant(null)),
    email: fc.stringMatching(/^[a-z]{2,12}\.[a-z]{2,12}@example\.nl$/),
    phone: fc.constantFrom('0534800900', '+31 53 480 0900'),
    fax: fc.constantFrom('0534800901'),
    mobile: fc.constantFrom('0612345678', '+31 6 12345678'),
    title: fc.constantFrom('Storing centrale', 'Helpdesk juni'),
    description: fc.constantFrom('Regel', 'De centrale valt weg.'),
    paymentTermDays: fc.integer({ min: 0, max: 365 }),
    id: fc.integer({ min: 900_000, max: 999_999 }),
    deadline: fc.constantFrom('2027-01-04'),
    cursor: fc.constantFrom(Buffer.from('0.0').toString('base64url')),
    reporterEmail: fc.constantFrom('henk.bakker@example.nl'),
    quantity: fc.constantFrom('1', '2.5', 3),
    unitPrice: fc.constantFrom('62.75', '10.00', 0),
    vatRate: fc.constantFrom('21', '9', '0'),
    date: fc.constantFrom('2026-06-30', '2026-01-05'),
    publishedAt: fc.constantFrom('2026-06-10T08:00', '2026-06-10T08:00:00Z'),
    expiresAt: fc.constantFrom('2099-01-01T00:00:00Z', null),
    reportedAt: fc.constantFrom('2026-06-10T08:00'),
    fileName: fc.constantFrom('Handleiding.pdf', 'Rapport.pdf'),
    code: fc.constantFrom('OPERATOR', 'RECORDER', 'NOPE'),
  });
  console.log(
    `api schema walk: seed ${SEED} (replay with API_WALK_SEED=${SEED}), ${RUNS} valid and ${RUNS} invalid requests per operation`,
  );
}, 120_000);
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await db?.drop();
});

/** One server for every request (see fuzz.test.ts: a server per request races Node 20's keep-alive pool). */
const client = () => request.agent(server);
const auth = () => ({ authorization: `Bearer ${token}` });

/** A generated request: URL, headers and body (JSON or raw bytes). */
interface Call {
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  raw?: Buffer;
}

/** Hostile values that fit in a URL (Node's HTTP parser refuses one past 16 KB before the app sees it: a 431). */
const inUrl = hostile.filter((v) => JSON.stringify(v ?? null).length < 2_000);

const PDF = Buffer.from('%PDF-1.4\n% generated by the schema walk\n');

/** Requests for one operation, from its schemas: `good` the documented shapes, otherwise hostile ones. */
function calls(method: string, path: string, op: Operation, good: boolean): fc.Arbitrary<Call> {
  const components = doc.components.schemas;
  const collection = `/${path.split('/')[1]}`;
  const param = (p: Operation['parameters'][number]): fc.Arbitrary<string | undefined> => {
    const known = p.in === 'path' && p.schema.type === 'integer' ? ids[collection] : undefined;
    const own = good
      ? valid(p.schema, components, hints, p.name)
      : fc.oneof(
          valid(p.schema, components, hints, p.name),
          inUrl,
          fc.constantFrom('0', '-1', 'abc', '1e3', '%', '9'.repeat(30)),
        );
    const value = (known?.length ? fc.oneof({ arbitrary: fc.constantFrom(...known), weight: 3 }, own) : own)
      .map((v) => (v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v)))
      // An empty path segment names another resource (/contacts/1/applications/), not this one.
      .filter((v) => p.in !== 'path' || !!v);
    return p.required || p.in === 'path' ? value : fc.option(value, { nil: undefined });
  };
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  // Keys of their own per operation and kind: the fixed seed would otherwise give another operation the same key.
  const key = fc.uuid().map((u) => `${method}${path}-${String(good)}-${u}`);
  const headers = fc.record({
    ifMatch: op.parameters.some((p) => p.name === 'If-Match')
      ? fc.option(fc.constantFrom('*', '"1-0"', 'W/"x"', '"a", *', ''), { nil: undefined })
      : fc.constant(undefined),
    key: op.parameters.some((p) => p.name === 'Idempotency-Key')
      ? fc.option(good ? key : fc.oneof(key, fc.constantFrom(' ', 'x'.repeat(256), 'ü')), { nil: undefined })
      : fc.constant(undefined),
  });
  const content = Object.entries(op.requestBody?.content ?? {});
  const json = content.find(([type]) => type === 'application/json')?.[1].schema;
  const rawTypes = content.filter(([type]) => type !== 'application/json').map(([type]) => type);
  const body: fc.Arbitrary<{ body?: unknown; raw?: Buffer; type?: string }> = json
    ? (good ? valid(json, components, hints) : invalid(json, components, hints)).map((b) => ({ body: b }))
    : rawTypes.length
      ? fc.record({
          raw: good
            ? fc.constantFrom(PDF, Buffer.from('PK\u0003\u0004 not really a zip'))
            : fc.oneof(
                fc.constant(Buffer.alloc(0)),
                fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
              ),
          type: good ? fc.constantFrom(...rawTypes) : fc.constantFrom(...rawTypes, 'text/plain', 'application/json'),
        })
      : fc.constant({});
  return fc
    .tuple(fc.tuple(...pathParams.map(param)), fc.tuple(...queryParams.map(param)), headers, body)
    .map(([pathValues, queryValues, h, b]) => {
      let url = `/api/v1${path}`;
      pathParams.forEach((p, i) => (url = url.replace(`{${p.name}}`, encodeURIComponent(pathValues[i] ?? ''))));
      const query = new URLSearchParams();
      queryParams.forEach((p, i) => queryValues[i] !== undefined && query.append(p.name, queryValues[i]));
      const headersOut: Record<string, string> = { ...auth() };
      if (h.ifMatch !== undefined) headersOut['if-match'] = h.ifMatch;
      if (h.key !== undefined) headersOut['idempotency-key'] = h.key;
      if (b.type) headersOut['content-type'] = b.type;
      if ('body' in b) headersOut['content-type'] = 'application/json';
      return { url: query.size ? `${url}?${query.toString()}` : url, headers: headersOut, body: b.body, raw: b.raw };
    });
}

/** Sends a generated request as it is (JSON text for a JSON body, bytes for a file). */
async function send(method: string, call: Call): Promise<request.Response> {
  const req = client()[method as 'get'](call.url).set(call.headers);
  if (call.raw) return req.send(call.raw);
  if (call.body !== undefined || call.headers['content-type'] === 'application/json')
    return req.send(JSON.stringify(call.body ?? null));
  return req;
}

/** The answer is one the document lists for the operation: its status, its media type, a body its schema takes. */
function conforms(res: request.Response, method: string, path: string, op: Operation, call: Call): void {
  const where = `${method.toUpperCase()} ${call.url} -> ${res.status} ${(res.text ?? '').slice(0, 300)}`;
  expect(res.status, where).toBeLessThan(500);
  const response = op.responses[String(res.status)];
  expect(response, `${where}: status not in the document (${Object.keys(op.responses).join(', ')})`).toBeDefined();
  if (!response!.content) {
    expect(res.text ?? '', `${where}: the document lists no body`).toBe('');
    return;
  }
  const type = String(res.headers['content-type'] ?? '').split(';')[0]!;
  if (type === 'application/problem+json')
    expect(res.body.status, `${where}: the problem's own status`).toBe(res.status);
  const media = response!.content[type];
  expect(media, `${where}: ${type} not in the document`).toBeDefined();
  if (media!.schema.contentEncoding === 'binary') return;
  const id = `${method} ${path} ${res.status} ${type}`;
  let validate = validators.get(id);
  if (!validate) {
    validate = ajv.compile({ ...media!.schema, components: doc.components });
    validators.set(id, validate);
  }
  expect(validate(res.body), `${where}: ${ajv.errorsText(validate.errors)}`).toBe(true);
}

describe('every operation of the OpenAPI document, with inputs generated from its schemas', () => {
  it('the served document is the one the code declares', () => {
    expect(doc.paths).toEqual(declared.paths);
  });

  it('a method a path of the document does not have is a 405 whose Allow header lists the methods it has', async () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      const url = `/api/v1${path.replace(/\{\w+\}/g, '1')}`;
      const methods = Object.keys(item).map((m) => m.toUpperCase());
      const allow = [...methods, ...(methods.includes('GET') ? ['HEAD'] : []), 'OPTIONS'];
      for (const method of ['get', 'post', 'put', 'patch', 'delete'].filter((m) => !(m in item))) {
        const res = await client()[method as 'get'](url).set(auth());
        expect(res.status, `${method.toUpperCase()} ${url}`).toBe(405);
        expect(new Set(String(res.headers.allow).split(', ')), `${method.toUpperCase()} ${url}`).toEqual(
          new Set(allow),
        );
        expect(res.body.status).toBe(405);
      }
    }
  });

  it.each(METHODS)('$method $path answers only what the document lists, never a 5xx', async ({ method, path }) => {
    const op = doc.paths[path]![method]!;
    for (const good of [true, false]) {
      await fc.assert(
        fc.asyncProperty(calls(method, path, op, good), async (call) => {
          conforms(await send(method, call), method, path, op, call);
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    }
  });
});
