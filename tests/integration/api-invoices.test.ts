import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import request from 'supertest';
import { createTestDb, type TestDb } from '../support/db.js';
import { testApp } from '../support/app.js';
import { makeOrg } from '../support/factories.js';
import { invoiceBody, makeToken } from '../support/api.js';

let db: TestDb;
let app: Express;
let writer: string;
let orgId: number;

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db));
  writer = (await makeToken(db.prisma, 'read,invoices:write')).token;
  orgId = (await makeOrg(db.prisma)).id;
});
afterAll(() => db.drop());

const auth = (t: string) => ({ authorization: `Bearer ${t}` });

describe('PUT /api/v1/invoices/{number}', () => {
  it('creates the invoice with totals from the lines, then answers the same PUT with 200 and no change', async () => {
    const res = await request(app).put('/api/v1/invoices/700001').set(auth(writer)).send(invoiceBody(orgId));
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      number: 700001,
      organizationId: orgId,
      amountExclVat: '135.50',
      vatAmount: '27.26',
      amountInclVat: '162.76',
    });
    expect(res.headers.etag).toMatch(/^"1-/);
    expect(res.headers.location).toBe('http://pim.test/api/v1/invoices/700001');
    const again = await request(app).put('/api/v1/invoices/700001').set(auth(writer)).send(invoiceBody(orgId));
    expect(again.status).toBe(200);
    expect(again.headers.etag).toBe(res.headers.etag);
    expect(await db.prisma.invoice.count({ where: { number: 700001 } })).toBe(1);
    expect(await db.prisma.auditEvent.count({ where: { subjectType: 'invoice', subjectId: '700001' } })).toBe(1);
  });

  it('names each invalid field with its JSON pointer, as a problem document, and stores nothing', async () => {
    const bad = invoiceBody(orgId, {
      lines: [{ description: 'x', quantity: '1.2345', unitPrice: '1', vatRate: '21' }],
    });
    const res = await request(app).put('/api/v1/invoices/700002').set(auth(writer)).send(bad);
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.errors).toEqual([
      { pointer: '#/lines/0/quantity', detail: expect.stringContaining('at most 3 decimals') },
    ]);
    const shape = await request(app)
      .put('/api/v1/invoices/700002')
      .set(auth(writer))
      .send({ ...invoiceBody(orgId), title: 5 });
    expect(shape.status).toBe(422);
    expect(shape.body.errors[0].pointer).toBe('#/title');
    expect(await db.prisma.invoice.count({ where: { number: 700002 } })).toBe(0);
  });
});
