import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, csrfFrom, logIn, testApp } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { makeToken } from '../support/api.js';

/**
 * One set of contact field rules, three doors: the contact form (a manager), the personal page
 * (the person), and the staff doors (the integration API; the staff tool's contact:add parses
 * with the same schema). A value one door refuses, every door refuses, and leaves the contact
 * as it was; a value one door takes, every door takes.
 */
let db: TestDb;
let app: Express;
let orgId: number;
let manager: TestAgent;
let token: string;

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db));
  orgId = (await makeOrg(db.prisma)).id;
  const main = await makePerson(db.prisma, orgId, { main: true, roles: [] });
  manager = client(app);
  expect((await logIn(manager, main.email!, PASSWORD)).status).toBe(302);
  token = (await makeToken(db.prisma, 'read,contacts:write')).token;
});
afterAll(() => db.drop());

type Field = 'lastName' | 'phone' | 'mobile';
const CASES: { field: Field; value: string; accepted: boolean; why: string }[] = [
  { field: 'lastName', value: 'L'.repeat(101), accepted: false, why: 'a last name over 100 characters' },
  { field: 'lastName', value: 'L'.repeat(100), accepted: true, why: 'a last name of exactly 100 characters' },
  { field: 'mobile', value: '020 123 4567', accepted: false, why: 'a landline as the mobile number' },
  { field: 'mobile', value: '06-12345678', accepted: true, why: 'a Dutch mobile number with a hyphen' },
  { field: 'phone', value: '12345', accepted: false, why: 'five digits as a phone number' },
  { field: 'phone', value: '+44 20 7946 0958', accepted: true, why: 'an international phone number' },
];

/** A person who may edit their own data, logged in. */
async function person() {
  const p = await makePerson(db.prisma, orgId, {
    roles: ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA'],
    lastName: 'Origineel',
  });
  const agent = client(app);
  expect((await logIn(agent, p.email!, PASSWORD)).status).toBe(302);
  return { p, agent };
}

const read = (id: number) =>
  db.prisma.contact.findUniqueOrThrow({
    where: { id },
    select: { lastName: true, phone: true, mobile: true, version: true },
  });

/** The doors, each posting `field = value` for contact `id` the way its user would; returns the status. */
const doors: Record<string, (id: number, agent: TestAgent, field: Field, value: string) => Promise<number>> = {
  'the contact form': async (id, _agent, field, value) => {
    const edit = await manager.get(`/contacts/${id}/edit`);
    const c = await read(id);
    const res = await manager
      .post(`/contacts/${id}/edit`)
      .type('form')
      .send({
        _csrf: csrfFrom(edit.text),
        version: String(c.version),
        lastName: c.lastName,
        organizationId: String(orgId),
        firstName: '',
        initials: '',
        infix: '',
        gender: '',
        birthDate: '',
        active: 'yes',
        subscribeUpdate: 'no',
        subscribeCare: 'no',
        subscribeBusiness: 'no',
        subscribeFlash: 'no',
        email: (await db.prisma.contact.findUniqueOrThrow({ where: { id } })).email ?? '',
        phone: c.phone ?? '',
        fax: '',
        mobile: c.mobile ?? '',
        privateStreet: '',
        privatePostcode: '',
        privateCity: '',
        privateCountry: '',
        webAccess: 'yes',
        [field]: value,
      });
    return res.status;
  },
  'the personal page': async (id, agent, field, value) => {
    const edit = await agent.get('/profile/edit');
    const c = await db.prisma.contact.findUniqueOrThrow({ where: { id } });
    const res = await agent
      .post('/profile/edit')
      .type('form')
      .send({
        _csrf: csrfFrom(edit.text),
        version: String(c.version),
        lastName: c.lastName,
        firstName: '',
        initials: '',
        infix: '',
        gender: '',
        email: c.email,
        phone: c.phone ?? '',
        mobile: c.mobile ?? '',
        privateStreet: '',
        privatePostcode: '',
        privateCity: '',
        privateCountry: '',
        [field]: value,
      });
    return res.status;
  },
  'the integration API': async (id, _agent, field, value) => {
    const got = await request(app).get(`/api/v1/contacts/${id}`).set('authorization', `Bearer ${token}`);
    const res = await request(app)
      .patch(`/api/v1/contacts/${id}`)
      .set('authorization', `Bearer ${token}`)
      .set('if-match', got.headers.etag as string)
      .send({ [field]: value });
    return res.status;
  },
};

describe('contact field rules: one rule, every door', () => {
  for (const [door, send] of Object.entries(doors)) {
    for (const { field, value, accepted, why } of CASES) {
      it(`${door}: ${why} is ${accepted ? 'taken' : 'refused, and nothing changes'}`, async () => {
        const { p, agent } = await person();
        const before = await read(p.id);
        const status = await send(p.id, agent, field, value);
        const after = await read(p.id);
        if (accepted) {
          expect(status, `${door} ${field}=${value}`).toBeLessThan(400);
          expect(after[field]).toBe(value);
        } else {
          expect(status).toBeGreaterThanOrEqual(400);
          expect(status).toBeLessThan(500);
          expect(after).toEqual(before);
        }
      });
    }
  }
});
