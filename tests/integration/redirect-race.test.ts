import http from 'node:http';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.js';
import { testApp } from '../support/app.js';
import { serve } from '../support/server.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';

let db: TestDb;
let server: { url: string; close(): Promise<void> };

beforeAll(async () => {
  db = await createTestDb();
  // A session store whose writes are slow (a busy database): the race shows every time.
  const slowWrites = Object.create(db.pool) as pg.Pool;
  slowWrites.query = (async (text: string, params?: unknown[]) => {
    if (/^INSERT INTO/i.test(String(text))) await new Promise((r) => setTimeout(r, 150));
    return db.pool.query(text, params);
  }) as pg.Pool['query'];
  server = await serve(testApp(db, { pool: slowWrites }).app);
});
afterAll(async () => {
  await server.close();
  await db.drop();
});

/** One HTTP request; resolves on the response HEADERS, as a browser following a redirect does. */
function headersOf(method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = http.request(`${server.url}${path}`, { method, headers, agent: false }, (res) => {
      resolve(res);
      res.resume();
    });
    req.on('error', reject);
    req.end(body);
  });
}

const cookiesOf = (res: http.IncomingMessage) =>
  (res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');

describe('a redirect and the page it leads to', () => {
  it('the page after a login redirect sees the new session even when the browser follows on the headers alone', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    for (let i = 0; i < 3; i++) {
      const page = await fetch(`${server.url}/login`);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
      const anonymous = page.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const body = new URLSearchParams({ _csrf: csrf, username: p.email!, password: PASSWORD }).toString();
      const login = await headersOf(
        'POST',
        '/login',
        { cookie: anonymous, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      );
      expect(login.statusCode).toBe(302);
      // Straight on, without waiting for the end of the login response.
      const next = await headersOf('GET', '/', { cookie: cookiesOf(login) });
      expect(next.statusCode, `attempt ${i + 1}`).toBe(200);
    }
  });

  it('a flash message set before a redirect is on the next page', async () => {
    const page = await fetch(`${server.url}/login`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    const cookie = page.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const out = await headersOf(
      'POST',
      '/logout',
      { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      `_csrf=${encodeURIComponent(csrf)}`,
    );
    expect(out.statusCode).toBe(302);
    const next = await fetch(`${server.url}/login`, { headers: { cookie: cookiesOf(out) || cookie } });
    expect(await next.text()).toContain('U bent uitgelogd.');
  });
});
