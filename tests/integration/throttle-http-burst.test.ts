import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import type { Express } from 'express';
import request from 'supertest';
import { createTestDb, type TestDb } from '../support/db.js';
import { csrfFrom, logIn, testApp } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';

// A limit is taken and counted before the costly work (argon2, a mail), so requests that arrive
// together get no more than the limit, whatever the order PostgreSQL serves them in.

let db: TestDb;
let app: Express;
let settle: () => Promise<void>;
let server: Server;

beforeAll(async () => {
  db = await createTestDb();
  ({ app, settle } = testApp(db, { env: { TRUST_PROXY: 'loopback' } }));
  // One listening server for the burst (supertest would start one per request on an app).
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await db.drop();
});

// Each test comes from an address of its own (behind the trusted loopback proxy): the per-address
// counter of one burst must not lock the next test out.
let n = 0;
const from = () => `198.51.100.${++n}`;
const burstClient = (address = from()) => request.agent(server).set('X-Forwarded-For', address);

const count = (statuses: number[]) =>
  statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});

describe('bursts against the limits', () => {
  it('100 parallel logins for one person from one address: at most five passwords are checked; then even the right one waits', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    const address = from();
    const agent = burstClient(address);
    const csrf = csrfFrom((await agent.get('/login')).text);
    const guesses = Array.from({ length: 100 }, (_, i) => (i === 97 ? PASSWORD : `wrong password ${i}`));
    const answers = await Promise.all(
      guesses.map((password) => agent.post('/login').type('form').send({ _csrf: csrf, username: p.email, password })),
    );
    const statuses = answers.map((a) => a.status);
    // Every answer is 401 (checked and wrong), 302 (checked and right) or 429 (not checked): never a 5xx.
    expect(Object.keys(count(statuses)).every((s) => ['302', '401', '429'].includes(s))).toBe(true);
    expect(statuses.filter((s) => s !== 429).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(95);
    // Unless the right password happened to be among the five checked, the account is locked for it too.
    if (answers[97]!.status === 429) expect((await logIn(burstClient(address), p.email!, PASSWORD)).status).toBe(429);
  });

  it('50 parallel "wachtwoord vergeten" requests for one address queue at most five mails', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    const agent = burstClient();
    const csrf = csrfFrom((await agent.get('/password/forgot')).text);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        agent.post('/password/forgot').type('form').send({ _csrf: csrf, email: p.email }),
      ),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true); // the same page for every address and every request
    await settle();
    expect(await db.prisma.mailOutbox.count({ where: { recipient: p.email! } })).toBe(5);
  });

  it('30 parallel "Uitnodiging opnieuw sturen" by one manager send at most five invitations', async () => {
    const org = await makeOrg(db.prisma);
    const main = await makePerson(db.prisma, org.id, { main: true, roles: [] });
    const kim = await makePerson(db.prisma, org.id, {
      roles: ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA'],
      password: null,
    });
    const agent = burstClient();
    expect((await logIn(agent, main.email!, PASSWORD)).status).toBe(302);
    const csrf = csrfFrom((await agent.get(`/contacts/${kim.id}`)).text);
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => agent.post(`/contacts/${kim.id}/invitation`).type('form').send({ _csrf: csrf })),
    );
    const statuses = count(answers.map((a) => a.status));
    expect(statuses).toEqual({ 302: 5, 429: 25 });
    expect(await db.prisma.mailOutbox.count({ where: { recipient: kim.email! } })).toBe(5);
    // Kim was never invited: the first is an invitation, the four after it are sent again.
    const kinds = await db.prisma.auditEvent.groupBy({
      by: ['kind'],
      where: { kind: { in: ['contact.invited', 'contact.reinvited'] }, subjectId: String(kim.id) },
      _count: true,
    });
    expect(Object.fromEntries(kinds.map((k) => [k.kind, k._count]))).toEqual({
      'contact.invited': 1,
      'contact.reinvited': 4,
    });
  });

  it('100 parallel password confirmations on Beveiliging check at most five', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA'] });
    const agent = burstClient();
    expect((await logIn(agent, p.email!, PASSWORD)).status).toBe(302);
    const csrf = csrfFrom((await agent.get('/profile/security/confirm')).text);
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        agent
          .post('/profile/security/confirm')
          .type('form')
          .send({ _csrf: csrf, password: `wrong password ${i}` }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s !== 429).length).toBeLessThanOrEqual(5);
    expect(statuses.every((s) => s === 422 || s === 429)).toBe(true);
  });
});
