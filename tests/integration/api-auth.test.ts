import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import request from 'supertest';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, logIn, testApp, type TestClock } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { invoiceBody, makeToken, runPim } from '../support/api.js';
import { hashToken } from '../../src/auth/api-tokens.js';

let db: TestDb;
let app: Express;
let clock: TestClock;
let orgId: number;

beforeAll(async () => {
  db = await createTestDb();
  ({ app, clock } = testApp(db));
  orgId = (await makeOrg(db.prisma)).id;
});
afterAll(() => db.drop());

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const counts = async () => ({
  orgs: await db.prisma.organization.count(),
  invoices: await db.prisma.invoice.count(),
  audit: await db.prisma.auditEvent.count(),
  keys: await db.prisma.apiIdempotencyKey.count(),
});

describe('API tokens', () => {
  it('are stored only as a hash, shown once, and listed with their prefix and last use', async () => {
    const { token, id } = await makeToken(db.prisma, 'read', 'CRM sync');
    expect(token).toMatch(/^pim_[A-Za-z0-9_-]{43}$/);
    const row = await db.prisma.apiToken.findUniqueOrThrow({ where: { id } });
    expect(row.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token.slice(4));
    expect((await request(app).get('/api/v1/organizations').set(bearer(token))).status).toBe(200);
    const list = await runPim(db.prisma, 'api-token:list');
    const line = list.out.find((l) => l.startsWith(`${id}\t`))!;
    expect(line).toContain(`CRM sync\t${token.slice(0, 12)}…\tread\t`);
    expect(line).toMatch(/\tactive$/);
    expect(line).not.toMatch(/\t-\tactive$/); // last used is filled in
  });

  it('refuses scopes that do not exist', async () => {
    const r = await runPim(db.prisma, 'api-token:create', '--name', 'x', '--scopes', 'read,admin');
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(/^error: --scopes: unknown scope/);
  });
});

describe('authentication', () => {
  it('a request with only a portal session cookie is 401: the API accepts no cookie', async () => {
    const person = await makePerson(db.prisma, orgId, { roles: ['PORTAL_ACCESS', 'VIEW_ORGANIZATION'], main: true });
    const agent = client(app);
    expect((await logIn(agent, person.email!, PASSWORD)).status).toBe(302);
    expect((await agent.get('/organisations')).status).toBe(200);
    const res = await agent.get('/api/v1/organizations');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      status: 401,
      title: expect.any(String),
      type: 'http://pim.test/api/docs#problem-unauthenticated',
    });
    const before = await counts();
    expect((await agent.post('/api/v1/organizations').send({ name: 'Via cookie' })).status).toBe(401);
    expect(await counts()).toEqual(before);
  });

  it('an unknown token is 401', async () => {
    expect((await request(app).get('/api/v1/organizations').set(bearer('pim_nottherealtoken'))).status).toBe(401);
  });

  it('a revoked token is 401 on its next request and changes nothing', async () => {
    const { token, id } = await makeToken(db.prisma, 'read,invoices:write');
    expect((await request(app).put('/api/v1/invoices/810001').set(bearer(token)).send(invoiceBody(orgId))).status).toBe(
      201,
    );
    expect((await runPim(db.prisma, 'api-token:revoke', String(id))).code).toBe(0);
    const before = await counts();
    const res = await request(app).put('/api/v1/invoices/810002').set(bearer(token)).send(invoiceBody(orgId));
    expect(res.status).toBe(401);
    expect(res.body.detail).toBe('The API token is revoked');
    expect(await counts()).toEqual(before);
  });

  it('an expired token is 401', async () => {
    const r = await runPim(
      db.prisma,
      'api-token:create',
      '--name',
      'short',
      '--scopes',
      'read',
      '--expires',
      new Date(Date.now() + 3_600_000).toISOString(),
    );
    const token = /: (pim_\S+)/.exec(r.out[1]!)![1]!;
    expect((await request(app).get('/api/v1/organizations').set(bearer(token))).status).toBe(200);
    clock.advance(2 * 3_600_000);
    try {
      expect((await request(app).get('/api/v1/organizations').set(bearer(token))).status).toBe(401);
    } finally {
      clock.advance(-2 * 3_600_000);
    }
  });
});

describe('scopes', () => {
  it('a token without the write scope gets 403 and changes nothing', async () => {
    const { token } = await makeToken(db.prisma, 'read');
    const before = await counts();
    const org = await request(app)
      .post('/api/v1/organizations')
      .set(bearer(token))
      .set('idempotency-key', 'k1')
      .send({ name: 'Niet toegestaan' });
    expect(org.status).toBe(403);
    expect(org.body.detail).toBe('This request needs the scope organizations:write');
    expect((await request(app).put('/api/v1/invoices/820001').set(bearer(token)).send(invoiceBody(orgId))).status).toBe(
      403,
    );
    expect(await counts()).toEqual(before);
  });

  it('a write-only token cannot read', async () => {
    const { token } = await makeToken(db.prisma, 'organizations:write');
    expect((await request(app).get('/api/v1/organizations').set(bearer(token))).status).toBe(403);
  });

  it('every write is audited with the token as the actor', async () => {
    const { token } = await makeToken(db.prisma, 'organizations:write', 'CRM');
    const res = await request(app)
      .post('/api/v1/organizations')
      .set(bearer(token))
      .send({ name: 'Apotheek Noord', parentId: orgId, city: 'Enschede' });
    expect(res.status, res.text).toBe(201);
    const audit = await db.prisma.auditEvent.findFirstOrThrow({
      where: { subjectType: 'organization', subjectId: String(res.body.id) },
    });
    expect(audit).toMatchObject({ kind: 'organization.created', actorLabel: 'api:CRM' });
  });
});

describe('rate limit', () => {
  it('past the limit per minute: 429 with Retry-After, counted in PostgreSQL across app instances', async () => {
    const a = testApp(db, { env: { API_RATE_LIMIT: '3' } });
    const b = testApp(db, { env: { API_RATE_LIMIT: '3' }, clock: a.clock });
    const start = a.clock.now().getTime();
    a.clock.advance(60_000 - (start % 60_000) + 1_000); // one second into a fresh minute
    const { token } = await makeToken(db.prisma, 'read');
    const statuses = [];
    for (const app of [a.app, b.app, a.app])
      statuses.push((await request(app).get('/api/v1/organizations').set(bearer(token))).status);
    expect(statuses).toEqual([200, 200, 200]);
    const refused = await request(b.app).get('/api/v1/organizations').set(bearer(token));
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('59');
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    a.clock.advance(60_000);
    expect((await request(a.app).get('/api/v1/organizations').set(bearer(token))).status).toBe(200);
  });
});
