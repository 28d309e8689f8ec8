import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import request from 'supertest';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, csrfFrom, logIn, testApp } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { makeToken } from '../support/api.js';

/**
 * One change of address, whichever door: the person on the personal page, a manager on the
 * contact form, staff through the API. What proved the old address stops counting in each
 * case: SSO links, open reset links, other sessions; and the old address hears of it.
 */
let db: TestDb;
let app: Express;
let orgId: number;
let token: string;

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db));
  orgId = (await makeOrg(db.prisma)).id;
  token = (await makeToken(db.prisma, 'read,contacts:write')).token;
});
afterAll(() => db.drop());

type Person = Awaited<ReturnType<typeof makePerson>>;

const doors: Record<
  string,
  { self: boolean; change: (p: Person, to: string, own: ReturnType<typeof client>) => Promise<number> }
> = {
  'the personal page (the person)': {
    self: true,
    change: async (p, to, own) => {
      const edit = await own.get('/profile/edit');
      const version = /name="version" value="(\d+)"/.exec(edit.text)![1]!;
      const res = await own
        .post('/profile/edit')
        .type('form')
        .send({
          _csrf: csrfFrom(edit.text),
          version,
          lastName: p.lastName,
          firstName: '',
          initials: '',
          infix: '',
          gender: '',
          email: to,
          phone: '',
          mobile: '',
          privateStreet: '',
          privatePostcode: '',
          privateCity: '',
          privateCountry: '',
          currentPassword: PASSWORD,
        });
      return res.status;
    },
  },
  'the contact form (a manager)': {
    self: false,
    change: async (p, to) => {
      // Holding every role the person holds, or the form refuses (a manager cannot take over a stronger account).
      const main = await makePerson(db.prisma, orgId, {
        roles: ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA', 'MANAGE_CONTACTS'],
      });
      const manager = client(app);
      expect((await logIn(manager, main.email!, PASSWORD)).status).toBe(302);
      const edit = await manager.get(`/contacts/${p.id}/edit`);
      const version = /name="version" value="(\d+)"/.exec(edit.text)![1]!;
      const res = await manager
        .post(`/contacts/${p.id}/edit`)
        .type('form')
        .send({
          _csrf: csrfFrom(edit.text),
          version,
          lastName: p.lastName,
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
          email: to,
          phone: '',
          fax: '',
          mobile: '',
          privateStreet: '',
          privatePostcode: '',
          privateCity: '',
          privateCountry: '',
          webAccess: 'yes',
        });
      return res.status;
    },
  },
  'the integration API (staff)': {
    self: false,
    change: async (p, to) => {
      const got = await request(app).get(`/api/v1/contacts/${p.id}`).set('authorization', `Bearer ${token}`);
      const res = await request(app)
        .patch(`/api/v1/contacts/${p.id}`)
        .set('authorization', `Bearer ${token}`)
        .set('if-match', got.headers.etag as string)
        .send({ email: to });
      return res.status;
    },
  },
};

describe('a new e-mail address ends what proved the old one, at every door', () => {
  for (const [door, { self, change }] of Object.entries(doors)) {
    it(door, async () => {
      const p = await makePerson(db.prisma, orgId, { roles: ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA'] });
      const old = p.email!;
      await db.prisma.externalLogin.create({ data: { contactId: p.id, provider: 'GOOGLE', subject: `sub-${p.id}` } });
      await db.prisma.passwordToken.create({
        data: {
          contactId: p.id,
          purpose: 'RESET',
          tokenHash: `hash-${p.id}`,
          expiresAt: new Date(Date.now() + 3_600_000),
        },
      });
      const own = client(app);
      const elsewhere = client(app);
      for (const agent of [own, elsewhere]) expect((await logIn(agent, old, PASSWORD)).status).toBe(302);
      const to = `nieuw.${p.id}@example.nl`;

      expect(await change(p, to, own)).toBeLessThan(400);

      const after = await db.prisma.contact.findUniqueOrThrow({
        where: { id: p.id },
        include: { externalLogins: true, passwordTokens: { where: { purpose: 'RESET' } } },
      });
      expect(after.email).toBe(to);
      expect(after.externalLogins).toEqual([]);
      expect(after.passwordTokens.every((t) => t.usedAt !== null)).toBe(true);
      // The other browser is logged out; the person's own browser stays in when they made the change.
      expect((await elsewhere.get('/')).status).toBe(302);
      if (self) {
        expect((await own.get('/')).status).toBe(200);
        expect(after.passwordHash).not.toBeNull();
      } else {
        expect(after.passwordHash).toBeNull();
      }
      const notice = await db.prisma.mailOutbox.findFirst({
        where: { recipient: old, subject: 'Uw beveiliging is gewijzigd' },
      });
      expect(notice?.text).toContain('Het e-mailadres waarmee u inlogt is gewijzigd.');
    });
  }
});
