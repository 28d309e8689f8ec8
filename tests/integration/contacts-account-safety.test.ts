import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, csrfFrom, logIn, testApp, visibleText } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { contactFormBody } from '../support/contacts-factories.js';

let db: TestDb;
let app: Express;

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db));
});
afterAll(() => db.drop());

/** The edit form of `c` as the browser posts it, with some fields changed. */
async function postEdit(
  agent: ReturnType<typeof client>,
  c: { id: number; organizationId: number; email: string | null; lastName: string },
  over: Record<string, string>,
) {
  const form = await agent.get(`/contacts/${c.id}/edit`);
  expect(form.status).toBe(200);
  const version = /name="version" value="(\d+)"/.exec(form.text)![1]!;
  return agent
    .post(`/contacts/${c.id}/edit`)
    .type('form')
    .send({
      _csrf: csrfFrom(form.text),
      version,
      lastName: c.lastName,
      organizationId: String(c.organizationId),
      firstName: 'Test',
      initials: '',
      infix: '',
      gender: '',
      birthDate: '',
      active: 'yes',
      subscribeUpdate: 'yes',
      subscribeCare: 'no',
      subscribeBusiness: 'no',
      subscribeFlash: 'no',
      email: c.email ?? '',
      phone: '',
      fax: '',
      mobile: '',
      privateStreet: '',
      privatePostcode: '',
      privateCity: '',
      privateCountry: '',
      webAccess: 'yes',
      ...over,
    });
}

async function setting() {
  const org = await makeOrg(db.prisma);
  const main = await makePerson(db.prisma, org.id, { main: true, roles: [] });
  const manager = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_CONTACTS'] });
  const agent = client(app);
  expect((await logIn(agent, manager.email!, PASSWORD)).status).toBe(302);
  return { org, main, manager, agent };
}

const snapshot = (id: number) =>
  db.prisma.contact.findUniqueOrThrow({ where: { id }, include: { roles: true, externalLogins: true } });

describe('a contact manager cannot take over or shut out a stronger account', () => {
  it("the main contact's e-mail address cannot be changed by someone else (the password-reset takeover)", async () => {
    const { main, agent } = await setting();
    const before = await snapshot(main.id);
    const outbox = await db.prisma.mailOutbox.count();
    const res = await postEdit(agent, main, { email: 'attacker@evil.example' });
    expect(res.status).toBe(422);
    expect(visibleText(res.text)).toContain('alleen de hoofdcontactpersoon zelf wijzigen');
    expect(await snapshot(main.id)).toEqual(before);
    expect(await db.prisma.mailOutbox.count()).toBe(outbox);
  });

  it('a colleague holding a role the manager lacks keeps address, activity and web access', async () => {
    const { org, agent } = await setting();
    const finance = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'VIEW_INVOICES'] });
    const before = await snapshot(finance.id);
    for (const over of [{ email: 'attacker@evil.example' }, { active: 'no' }, { webAccess: 'no' }] as Record<
      string,
      string
    >[]) {
      const res = await postEdit(agent, finance, over);
      expect(res.status, JSON.stringify(over)).toBe(422);
      expect(visibleText(res.text)).toContain('rollen die u zelf niet heeft');
    }
    const del = await agent
      .post(`/contacts/${finance.id}/delete`)
      .type('form')
      .send({ _csrf: csrfFrom((await agent.get(`/contacts/${finance.id}/delete`)).text) });
    expect(del.status).toBe(403);
    expect(await snapshot(finance.id)).toEqual(before);
  });

  it('the own address changes only under Persoonlijk (with the password), and nobody switches themselves off here', async () => {
    const { manager, agent } = await setting();
    const before = await snapshot(manager.id);
    for (const over of [{ email: 'new.me@example.nl' }, { active: 'no' }, { webAccess: 'no' }] as Record<
      string,
      string
    >[]) {
      expect((await postEdit(agent, manager, over)).status, JSON.stringify(over)).toBe(422);
    }
    expect(await snapshot(manager.id)).toEqual(before);
  });

  it("changing a peer's address ends what proved the old one: password, SSO links, open links, sessions; the new address is invited", async () => {
    const { org, agent } = await setting();
    const peer = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS'] });
    await db.prisma.externalLogin.create({
      data: { contactId: peer.id, provider: 'GOOGLE', subject: `peer-${peer.id}` },
    });
    const peerAgent = client(app);
    expect((await logIn(peerAgent, peer.email!, PASSWORD)).status).toBe(302);
    const res = await postEdit(agent, peer, { email: `nieuw.${peer.id}@example.nl` });
    expect(res.status).toBe(302);
    const after = await snapshot(peer.id);
    expect(after.email).toBe(`nieuw.${peer.id}@example.nl`);
    expect(after.passwordHash).toBeNull();
    expect(after.externalLogins).toEqual([]);
    expect((await peerAgent.get('/')).status).toBe(302);
    expect((await logIn(client(app), peer.email!, PASSWORD)).status).toBe(401);
    const invite = await db.prisma.mailOutbox.findFirst({ where: { recipient: `nieuw.${peer.id}@example.nl` } });
    expect(invite?.text).toContain('/password/reset/');
  });

  it("the main contact can still change a colleague's address", async () => {
    const { org, main } = await setting();
    const colleague = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'VIEW_INVOICES'] });
    const agent = client(app);
    expect((await logIn(agent, main.email!, PASSWORD)).status).toBe(302);
    expect((await postEdit(agent, colleague, { email: `c.${colleague.id}@example.nl` })).status).toBe(302);
  });

  it('probing many addresses that are in use elsewhere is slowed down, and nothing is created meanwhile', async () => {
    const { org, agent } = await setting();
    const elsewhere = await makeOrg(db.prisma);
    const taken = await makePerson(db.prisma, elsewhere.id);
    const add = async (email: string) => {
      const form = await agent.get('/contacts/new');
      return agent
        .post('/contacts/new')
        .type('form')
        .send({
          _csrf: csrfFrom(form.text),
          ...contactFormBody(org.id, email),
        });
    };
    for (let i = 0; i < 20; i++) expect(visibleText((await add(taken.email!)).text)).toContain('al in gebruik');
    const count = await db.prisma.contact.count({ where: { organizationId: org.id } });
    const locked = await add(`free.${taken.id}@example.nl`);
    expect(locked.status).toBe(422);
    expect(visibleText(locked.text)).toContain('Probeer het over een uur opnieuw.');
    expect(await db.prisma.contact.count({ where: { organizationId: org.id } })).toBe(count);
  });
});
