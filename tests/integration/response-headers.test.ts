import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, logIn, testApp } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';

let db: TestDb;
let app: Express;

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db));
});
afterAll(() => db.close());

describe('what a browser or a proxy may keep', () => {
  it('keeps no page behind the login (the security page lists session addresses), nor the login form with its token', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    const agent = client(app);
    const login = await agent.get('/login');
    expect(login.headers['cache-control']).toBe('no-store');
    expect((await logIn(agent, p.email!, PASSWORD)).status).toBe(302);
    for (const path of ['/', '/profile', '/profile/security', '/contacts', '/tickets', '/does-not-exist']) {
      const res = await agent.get(path);
      expect([path, res.headers['cache-control']]).toEqual([path, 'no-store']);
    }
  });

  it('says nosniff on static files and the probes too, not only on pages', async () => {
    for (const path of ['/healthz', '/css/pim.css', '/js/passkey.js', '/login']) {
      const res = await client(app).get(path);
      expect([path, res.status, res.headers['x-content-type-options']]).toEqual([path, 200, 'nosniff']);
    }
  });
});
