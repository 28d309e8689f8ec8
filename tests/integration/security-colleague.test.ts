import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, csrfFrom, logIn, testApp, visibleText } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import type { Role } from '../../src/auth/roles.js';

let db: TestDb;
let app: Express;
let app2: Express;

beforeAll(async () => {
  db = await createTestDb();
  const one = testApp(db);
  app = one.app;
  ({ app: app2 } = testApp(db, { sessionSecret: one.deps.sessionSecret, clock: one.clock }));
});
afterAll(() => db.drop());

const MANAGER: Role[] = ['PORTAL_ACCESS', 'MANAGE_CONTACTS', 'MANAGE_PERSONAL_DATA'];

async function world() {
  const org = await makeOrg(db.prisma);
  const main = await makePerson(db.prisma, org.id, { main: true });
  const manager = await makePerson(db.prisma, org.id, { roles: MANAGER });
  const colleague = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS'] });
  return { org, main, manager, colleague };
}

async function loggedIn(target: Express, email: string) {
  const agent = client(target);
  expect((await logIn(agent, email, PASSWORD)).status).toBe(302);
  return agent;
}

const activeRows = async (contactId: number) =>
  (await db.pool.query(`SELECT count(*)::int AS n FROM session WHERE contact_id = $1 AND expire >= now()`, [contactId]))
    .rows[0].n as number;

describe("a colleague's sessions on the contact page", () => {
  it('shows "Actieve sessies: 2"; "Overal uitloggen" ends them on both instances, audited and mailed', async () => {
    const { manager, colleague } = await world();
    const c1 = await loggedIn(app, colleague.email!);
    const c2 = await loggedIn(app2, colleague.email!);
    const m = await loggedIn(app, manager.email!);
    const page = await m.get(`/contacts/${colleague.id}`);
    expect(visibleText(page.text)).toContain('Actieve sessies: 2 Overal uitloggen');
    const res = await m
      .post(`/contacts/${colleague.id}/sessions/end`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    expect(res.status).toBe(302);
    expect(visibleText((await m.get(`/contacts/${colleague.id}`)).text)).toContain('Actieve sessies: 0');
    expect((await c1.get('/')).status).toBe(302);
    expect((await c2.get('/')).status).toBe(302);
    expect((await m.get('/')).status).toBe(200);
    expect(await activeRows(colleague.id)).toBe(0);
    const audit = await db.prisma.auditEvent.findFirstOrThrow({
      where: { kind: 'contact.signed_out_everywhere', subjectId: String(colleague.id) },
    });
    expect(audit.actorId).toBe(manager.id);
    const mail = await db.prisma.mailOutbox.findFirstOrThrow({
      where: { recipient: colleague.email!, subject: 'Uw beveiliging is gewijzigd' },
    });
    expect(mail.text).toContain('U bent op alle apparaten uitgelogd.');
  });

  it('refuses the main contact (unless by a main contact), oneself, someone stronger and another customer, and changes nothing', async () => {
    const { main, manager, colleague } = await world();
    const strong = await makePerson(
      db.prisma,
      (await db.prisma.contact.findUniqueOrThrow({ where: { id: colleague.id } })).organizationId,
      { roles: ['PORTAL_ACCESS', 'VIEW_INVOICES'] },
    );
    const other = await world();
    for (const p of [main, strong, other.colleague]) await loggedIn(app2, p.email!);
    const m = await loggedIn(app, manager.email!);
    const csrf = csrfFrom((await m.get('/')).text);
    const before = { audits: await db.prisma.auditEvent.count(), mails: await db.prisma.mailOutbox.count() };
    for (const [target, status] of [
      [main.id, 403],
      [manager.id, 403],
      [strong.id, 403],
      [other.colleague.id, 404],
    ] as const) {
      const res = await m.post(`/contacts/${target}/sessions/end`).type('form').send({ _csrf: csrf });
      expect(res.status, String(target)).toBe(status);
      const reset = await m.post(`/contacts/${target}/two-step/reset`).type('form').send({ _csrf: csrf });
      expect(reset.status, String(target)).toBe(status);
      expect((await m.get(`/contacts/${target}/two-step/reset`)).status, String(target)).toBe(status);
    }
    expect(await activeRows(main.id)).toBe(1);
    expect(await activeRows(strong.id)).toBe(1);
    expect(await activeRows(other.colleague.id)).toBe(1);
    expect({ audits: await db.prisma.auditEvent.count(), mails: await db.prisma.mailOutbox.count() }).toEqual(before);
    // The page offers no button where the action is refused.
    expect(visibleText((await m.get(`/contacts/${main.id}`)).text)).not.toContain('Overal uitloggen');

    // The main contact of a parent organisation may sign out a subsidiary's main contact.
    const parent = await makeOrg(db.prisma);
    const parentMain = await makePerson(db.prisma, parent.id, { main: true });
    const sub = await makeOrg(db.prisma, { parentId: parent.id });
    const subMain = await makePerson(db.prisma, sub.id, { main: true });
    await loggedIn(app2, subMain.email!);
    const pm = await loggedIn(app, parentMain.email!);
    const res = await pm
      .post(`/contacts/${subMain.id}/sessions/end`)
      .type('form')
      .send({ _csrf: csrfFrom((await pm.get('/')).text) });
    expect(res.status).toBe(302);
    expect(await activeRows(subMain.id)).toBe(0);
  });
});
