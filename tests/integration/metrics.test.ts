import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import request from 'supertest';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, logIn, testApp } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { enqueueMail } from '../../src/mail/outbox.js';
import { createMetrics, metricsOnlyApp } from '../../src/http/metrics.js';
import { loadConfig } from '../../src/config.js';

const TOKEN = 'metrics-token-for-tests-0123456789abcdef';
let db: TestDb;

beforeAll(async () => {
  db = await createTestDb();
});
afterAll(() => db.drop());

/** The value of one sample line (`name{labels} value`), or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `) || (labels === '' && l.startsWith(`${name} `)));
  return line ? Number(line.split(' ').at(-1)) : undefined;
}

describe('/metrics', () => {
  it('is off unless enabled: 404 without METRICS_TOKEN or METRICS_PORT', async () => {
    const { app } = testApp(db);
    expect((await client(app).get('/metrics')).status).toBe(404);
    expect((await client(app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`)).status).toBe(404);
  });

  it('with METRICS_TOKEN answers only a request carrying it', async () => {
    const { app } = testApp(db, { env: { METRICS_TOKEN: TOKEN } });
    expect((await client(app).get('/metrics')).status).toBe(404);
    expect(
      (
        await client(app)
          .get('/metrics')
          .set('Authorization', `Bearer ${TOKEN.replace(/.$/, 'x')}`)
      ).status,
    ).toBe(404);
    const ok = await client(app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
  });

  it('counts and times requests per route pattern, and shows the outbox, the pool and login failures and locks', async () => {
    const { app } = testApp(db, { env: { METRICS_TOKEN: TOKEN } });
    const org = await makeOrg(db.prisma);
    const person = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_CONTACTS'] });
    const agent = client(app);
    expect((await logIn(agent, person.email!, PASSWORD)).status).toBe(302);
    for (const id of [person.id, 999_999, 123]) await agent.get(`/contacts/${id}`);
    await agent.get('/no/such/page');
    for (let i = 0; i < 5; i++) await logIn(client(app), person.email!, 'wrong password');
    await client(app).get('/contacts?q=%00');
    await db.prisma.mailOutbox.deleteMany({});
    await enqueueMail(db.prisma, { to: 'x@example.nl', subject: 'a', text: 'b' });

    const text = (await client(app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`)).text;
    expect(sample(text, 'pim_http_requests_total', 'method="GET",route="/contacts/:id",status="200"')).toBe(1);
    expect(sample(text, 'pim_http_requests_total', 'method="GET",route="/contacts/:id",status="404"')).toBe(2);
    expect(sample(text, 'pim_http_requests_total', 'method="GET",route="unmatched",status="404"')).toBe(1);
    expect(text).not.toContain('/contacts/123');
    expect(sample(text, 'pim_http_request_duration_seconds_count', 'method="GET",route="/contacts/:id"')).toBe(3);
    expect(text).toMatch(
      /pim_http_request_duration_seconds_bucket\{le="0.1",method="GET",route="\/contacts\/:id"\} \d/,
    );
    expect(sample(text, 'pim_login_failures_total')).toBe(5);
    expect(sample(text, 'pim_login_locks_total')).toBe(1);
    expect(sample(text, 'pim_refused_requests_total', 'reason="badCharacters"')).toBe(1);
    expect(sample(text, 'pim_outbox_pending')).toBe(1);
    expect(sample(text, 'pim_outbox_oldest_pending_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'pim_db_pool_connections', 'state="total"')).toBeGreaterThan(0);
    expect(sample(text, 'pim_db_pool_max')).toBe(5);
  });

  it('with METRICS_PORT lives on its own listener (its token too when set), never on the app port', async () => {
    const config = loadConfig({ NODE_ENV: 'test', METRICS_PORT: '9464', METRICS_TOKEN: TOKEN });
    expect(config.metrics).toEqual({ enabled: true, token: TOKEN, port: 9464, host: '127.0.0.1' });
    const { app } = testApp(db, { env: { METRICS_PORT: '9464', METRICS_TOKEN: TOKEN } });
    expect((await client(app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`)).status).toBe(404);

    const metrics = createMetrics({ prisma: db.prisma, pool: db.pool });
    const open = express().use(metricsOnlyApp(metrics, undefined));
    expect((await request(open).get('/metrics')).status).toBe(200);
    expect((await request(open).get('/')).status).toBe(404);
    const guarded = express().use(metricsOnlyApp(metrics, TOKEN));
    expect((await request(guarded).get('/metrics')).status).toBe(404);
    expect((await request(guarded).get('/metrics').set('Authorization', `Bearer ${TOKEN}`)).text).toContain(
      'pim_outbox_pending',
    );
  });
});

describe('request ids', () => {
  it('a sane X-Request-Id is kept, anything else replaced by a fresh id', async () => {
    const { app } = testApp(db);
    expect((await client(app).get('/login').set('X-Request-Id', 'lb-7f3a9c21-0001')).headers['x-request-id']).toBe(
      'lb-7f3a9c21-0001',
    );
    const replaced = (await client(app).get('/login').set('X-Request-Id', 'bad id; rm -rf')).headers['x-request-id'];
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
    expect((await client(app).get('/login')).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
