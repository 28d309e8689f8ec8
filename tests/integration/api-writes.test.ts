import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import request from 'supertest';
import { createTestDb, type TestDb } from '../support/db.js';
import { testApp } from '../support/app.js';
import { makeOrg, makePerson } from '../support/factories.js';
import { invoiceBody, makeToken } from '../support/api.js';

let db: TestDb;
let app: Express;
let token: string;
let orgId: number;

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db));
  token = (await makeToken(db.prisma, 'read,organizations:write,contacts:write,invoices:write,tickets:write')).token;
  orgId = (await makeOrg(db.prisma)).id;
});
afterAll(() => db.drop());

const api = () => ({ authorization: `Bearer ${token}` });

describe('Idempotency-Key on POST', () => {
  it('a retried request creates one row and gets the first answer again', async () => {
    const body = { organizationId: orgId, title: 'Storing centrale', kind: 'INCIDENT' };
    const first = await request(app).post('/api/v1/tickets').set(api()).set('idempotency-key', 'retry-1').send(body);
    expect(first.status, first.text).toBe(201);
    const again = await request(app).post('/api/v1/tickets').set(api()).set('idempotency-key', 'retry-1').send(body);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(again.headers.location).toBe(first.headers.location);
    expect(await db.prisma.ticket.count({ where: { title: 'Storing centrale' } })).toBe(1);
  });

  it('two concurrent requests with the same key: one effect, both get its answer', async () => {
    const body = { name: 'Gelijktijdig BV', parentId: orgId };
    const [a, b] = await Promise.all(
      [0, 1].map(() =>
        request(app).post('/api/v1/organizations').set(api()).set('idempotency-key', 'race-1').send(body),
      ),
    );
    expect([a!.status, b!.status], a!.text).toEqual([201, 201]);
    expect(a!.body.id).toBe(b!.body.id);
    expect(await db.prisma.organization.count({ where: { name: 'Gelijktijdig BV' } })).toBe(1);
  });

  it('the same key with a different body is a 422 and changes nothing', async () => {
    expect(
      (
        await request(app)
          .post('/api/v1/organizations')
          .set(api())
          .set('idempotency-key', 'k-2')
          .send({ name: 'Eerste BV' })
      ).status,
    ).toBe(201);
    const other = await request(app)
      .post('/api/v1/organizations')
      .set(api())
      .set('idempotency-key', 'k-2')
      .send({ name: 'Tweede BV' });
    expect(other.status).toBe(422);
    expect(other.body.errors[0].pointer).toBe('#/headers/Idempotency-Key');
    expect(await db.prisma.organization.count({ where: { name: 'Tweede BV' } })).toBe(0);
  });

  it('a failed request stores no answer: a corrected retry with the key goes through', async () => {
    const bad = await request(app)
      .post('/api/v1/contacts')
      .set(api())
      .set('idempotency-key', 'k-3')
      .send({ organizationId: orgId, lastName: '' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0]).toEqual({ pointer: '#/lastName', detail: 'must not be empty' });
    expect(await db.prisma.apiIdempotencyKey.count({ where: { key: 'k-3' } })).toBe(0);
    const typo = await request(app)
      .post('/api/v1/contacts')
      .set(api())
      .set('idempotency-key', 'k-3')
      .send({ organizationId: orgId, lastName: 'Jansen', lastname: 'Jansen' });
    expect(typo.body.errors).toEqual([{ pointer: '#/lastname', detail: 'unknown field' }]);
    const fixed = await request(app)
      .post('/api/v1/contacts')
      .set(api())
      .set('idempotency-key', 'k-3')
      .send({ organizationId: orgId, lastName: 'Jansen' });
    expect(fixed.status).toBe(201);
    expect(fixed.headers['idempotent-replayed']).toBeUndefined();
  });
});

describe('ETag / If-Match', () => {
  it('concurrent PUTs with the same ETag: exactly one wins, the other gets 412', async () => {
    const created = await request(app).put('/api/v1/invoices/900001').set(api()).send(invoiceBody(orgId));
    const etag = created.headers.etag as string;
    const titles = ['Versie A', 'Versie B'];
    const results = await Promise.all(
      titles.map((title) =>
        request(app)
          .put('/api/v1/invoices/900001')
          .set(api())
          .set('if-match', etag)
          .send(invoiceBody(orgId, { title })),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
    const winner = results.find((r) => r.status === 200)!;
    const stored = await db.prisma.invoice.findUniqueOrThrow({ where: { number: 900001 } });
    expect(stored.title).toBe(winner.body.title);
    expect(stored.version).toBe(2);
    expect(results.find((r) => r.status === 412)!.body.detail).toBe(`The current ETag is ${winner.headers.etag}`);
  });

  it('a stale ETag on PATCH is a 412 and changes nothing; the current one goes through', async () => {
    const org = await request(app).post('/api/v1/organizations').set(api()).send({ name: 'Huisarts Oost' });
    const etag = org.headers.etag as string;
    expect(
      (
        await request(app)
          .patch(`/api/v1/organizations/${org.body.id}`)
          .set(api())
          .set('if-match', etag)
          .send({ city: 'Hengelo' })
      ).status,
    ).toBe(200);
    const stale = await request(app)
      .patch(`/api/v1/organizations/${org.body.id}`)
      .set(api())
      .set('if-match', etag)
      .send({ name: 'Weg' });
    expect(stale.status).toBe(412);
    expect((await db.prisma.organization.findUniqueOrThrow({ where: { id: org.body.id } })).name).toBe('Huisarts Oost');
  });

  it('refuses a parent below the organisation itself (no loops in the tree)', async () => {
    const top = await request(app).post('/api/v1/organizations').set(api()).send({ name: 'Top' });
    const child = await request(app)
      .post('/api/v1/organizations')
      .set(api())
      .send({ name: 'Kind', parentId: top.body.id });
    const res = await request(app)
      .patch(`/api/v1/organizations/${top.body.id}`)
      .set(api())
      .send({ parentId: child.body.id });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].pointer).toBe('#/parentId');
  });
});

describe('lists', () => {
  it('cursor pages in order of change, with updated_since, miss nothing and repeat nothing', async () => {
    const parent = await makeOrg(db.prisma);
    const since = new Date(Date.now() - 1000).toISOString();
    const made: number[] = [];
    for (let i = 0; i < 5; i++)
      made.push(
        (
          await request(app)
            .post('/api/v1/organizations')
            .set(api())
            .send({ name: `Lijst ${i}`, parentId: parent.id })
        ).body.id as number,
      );
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await request(app)
        .get('/api/v1/organizations')
        .query({ limit: 2, updated_since: since, ...(cursor ? { cursor } : {}) })
        .set(api());
      expect(res.status).toBe(200);
      seen.push(...(res.body.data as { id: number }[]).map((o) => o.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen.filter((id) => made.includes(id))).toEqual(made);
    expect(new Set(seen).size).toBe(seen.length);
    const bad = await request(app).get('/api/v1/organizations').query({ cursor: 'nonsense' }).set(api());
    expect(bad.status).toBe(400);
    // An instant before 1970 (year 0 is valid ISO 8601, and out of PostgreSQL's range) is "everything".
    for (const early of ['0000-01-01T00:00:00Z', '0001-01-01T00:00:00+14:00', '1969-12-31T23:59:59Z']) {
      const all = await request(app)
        .get('/api/v1/organizations')
        .query({ updated_since: early, limit: 500 })
        .set(api());
      expect(all.status, `${early}: ${all.text}`).toBe(200);
      expect((all.body.data as { id: number }[]).map((o) => o.id)).toEqual(expect.arrayContaining(made));
    }
  });

  it('four requests at once for one new ticket number: one is created, the others get 409', async () => {
    const body = { organizationId: orgId, title: 'Tegelijk', id: 880777 };
    const answers = await Promise.all(
      [1, 2, 3, 4].map(() => request(app).post('/api/v1/tickets').set(api()).send(body)),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409]);
    expect(await db.prisma.ticket.count({ where: { id: 880777 } })).toBe(1);
  });
});

describe('tickets and contacts', () => {
  it('status, staff reply and deadline go through the staff services (mails, audit, version)', async () => {
    // Ticket mails go to the reporter and the Betrokkenen who may still see the ticket (a ticket role).
    const reporter = await makePerson(db.prisma, orgId, { roles: ['PORTAL_ACCESS', 'MANAGE_OWN_TICKETS'] });
    const colleague = await makePerson(db.prisma, orgId, { roles: ['PORTAL_ACCESS', 'MANAGE_OWN_TICKETS'] });
    const t = await request(app)
      .post('/api/v1/tickets')
      .set(api())
      .send({ organizationId: orgId, title: 'Headset', reporterEmail: reporter.email, id: 880001 });
    expect(t.status, t.text).toBe(201);
    expect(t.body.id).toBe(880001);
    await db.prisma.ticketWatcher.create({ data: { ticketId: 880001, contactId: colleague.id } });
    expect(
      (
        await request(app)
          .post('/api/v1/tickets')
          .set(api())
          .send({ organizationId: orgId, title: 'Dubbel', id: 880001 })
      ).status,
    ).toBe(409);
    expect(
      (await request(app).post('/api/v1/tickets/880001/status').set(api()).send({ status: 'IN_PROGRESS' })).body.status,
    ).toBe('IN_PROGRESS');
    const reply = await request(app)
      .post('/api/v1/tickets/880001/replies')
      .set(api())
      .send({ body: 'Nieuwe headset onderweg', staffName: 'Kim' });
    expect(reply.body.notes).toEqual([expect.objectContaining({ staffName: 'Kim', body: 'Nieuwe headset onderweg' })]);
    const deadline = await request(app)
      .put('/api/v1/tickets/880001/deadline')
      .set(api())
      .send({ deadline: '2026-12-24' });
    expect(deadline.body.deadline).toBe('2026-12-24');
    expect(
      (await request(app).put('/api/v1/tickets/880001/deadline').set(api()).send({ deadline: '2026-02-30' })).status,
    ).toBe(422);
    expect(await db.prisma.mailOutbox.count({ where: { recipient: reporter.email! } })).toBe(2); // status and reply
    expect(await db.prisma.mailOutbox.count({ where: { recipient: colleague.email! } })).toBe(2); // the Betrokkene too
    expect((await db.prisma.ticket.findUniqueOrThrow({ where: { id: 880001 } })).version).toBe(4);
    expect((await request(app).post('/api/v1/tickets/999999/status').set(api()).send({ status: 'NEW' })).status).toBe(
      404,
    );
  });

  it('a contact with roles; a new address through PATCH ends the old sessions and password', async () => {
    const c = await request(app)
      .post('/api/v1/contacts')
      .set(api())
      .send({
        organizationId: orgId,
        lastName: 'Sanders',
        email: 'K.Sanders@Example.nl',
        webAccess: true,
        roles: ['PORTAL_ACCESS', 'VIEW_INVOICES'],
        subscribeCare: true,
      });
    expect(c.status, c.text).toBe(201);
    // Web access means the person can log in: the basic roles come
    // with it (src/auth/web-access.ts), as in the form and the CLI.
    expect(c.body).toMatchObject({
      email: 'k.sanders@example.nl',
      roles: ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA', 'VIEW_INVOICES'],
      subscribeCare: true,
      isMainContact: false,
    });
    expect(
      (
        await request(app)
          .post('/api/v1/contacts')
          .set(api())
          .send({ organizationId: orgId, lastName: 'X', email: 'k.sanders@example.nl' })
      ).status,
    ).toBe(409);
    await db.prisma.contact.update({ where: { id: c.body.id }, data: { passwordHash: 'x' } });
    const read = await request(app).get(`/api/v1/contacts/${c.body.id}`).set(api());
    const res = await request(app)
      .patch(`/api/v1/contacts/${c.body.id}`)
      .set(api())
      .set('if-match', read.headers.etag as string)
      .send({ email: 'kim@example.nl', roles: ['PORTAL_ACCESS'] });
    expect(res.status, res.text).toBe(200);
    const row = await db.prisma.contact.findUniqueOrThrow({ where: { id: c.body.id } });
    expect(row).toMatchObject({ email: 'kim@example.nl', passwordHash: null, sessionEpoch: 1 });
    expect(res.body.roles).toEqual(['PORTAL_ACCESS']);
    const noMail = await request(app).patch(`/api/v1/contacts/${c.body.id}`).set(api()).send({ email: null });
    expect(noMail.status).toBe(422);
    expect(noMail.body.errors[0].pointer).toBe('#/webAccess');
  });
});
