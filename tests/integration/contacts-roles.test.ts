import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type TestAgent from 'supertest/lib/agent.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, csrfFrom, logIn, testApp, visibleText } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import type { Role } from '../../src/auth/roles.js';

let db: TestDb;
let app: Express;

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db));
});
afterAll(() => db.drop());

async function loggedIn(person: { email: string | null }): Promise<TestAgent> {
  const agent = client(app);
  expect((await logIn(agent, person.email!, PASSWORD)).status).toBe(302);
  return agent;
}

/** Posts the roles form (OK) with exactly these roles ticked. */
async function postRoles(agent: TestAgent, id: number, roles: Role[]) {
  const csrf = csrfFrom((await agent.get('/')).text);
  return agent.post(`/contacts/${id}/roles`).type('form').send({ _csrf: csrf, roles });
}

const rolesOf = async (id: number) =>
  (await db.prisma.contactRole.findMany({ where: { contactId: id }, orderBy: { role: 'asc' } }))
    .map((r) => r.role)
    .sort();

describe('the Rollen tab', () => {
  it('lists the assigned roles, marks VIEW_REPORTS not in effect without reports in the contract, and links to Rollen wijzigen', async () => {
    const org = await makeOrg(db.prisma, { reportsInContract: false });
    const main = await makePerson(db.prisma, org.id, { main: true, roles: [] });
    const geert = await makePerson(db.prisma, org.id, {
      firstName: 'Geert',
      lastName: 'Breukers',
      roles: ['PORTAL_ACCESS', 'VIEW_REPORTS'],
    });
    const none = await makePerson(db.prisma, org.id, { roles: [] });
    const agent = await loggedIn(main);
    const res = await agent.get(`/contacts/${geert.id}/roles`);
    expect(res.status).toBe(200);
    const text = visibleText(res.text);
    expect(text).toContain('Alle toegewezen rollen van deze contactpersoon');
    expect(text).toContain('Toegang klantportaal PIM');
    expect(text).toContain(
      'Rapportages inzien (afhankelijk van contract) (niet van kracht: rapportages zitten niet in het contract van de organisatie)',
    );
    expect(text).toContain('Rollen wijzigen »');
    expect(visibleText((await agent.get(`/contacts/${none.id}/roles`)).text)).toContain('Geen rollen gevonden.');
    // The edit form: two lists' worth of checkboxes, OK and Cancel.
    const form = visibleText((await agent.get(`/contacts/${geert.id}/roles/edit`)).text);
    for (const w of ['Rollen Contactpersoon', 'Contactpersoon : Geert Breukers', 'Rollen toewijzen', 'OK', 'Annuleren'])
      expect(form).toContain(w);
  });

  it('shows the list to MANAGE_CONTACTS without ASSIGN_ROLES, but not the way to change it', async () => {
    const org = await makeOrg(db.prisma);
    const manager = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_CONTACTS'] });
    const target = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS'] });
    const agent = await loggedIn(manager);
    const res = await agent.get(`/contacts/${target.id}/roles`);
    expect(res.status).toBe(200);
    expect(visibleText(res.text)).not.toContain('Rollen wijzigen');
    expect((await agent.get(`/contacts/${target.id}/roles/edit`)).status).toBe(403);
    expect((await postRoles(agent, target.id, ['PORTAL_ACCESS', 'VIEW_MANUALS'])).status).toBe(403);
    expect(await rolesOf(target.id)).toEqual(['PORTAL_ACCESS']);
  });
});

describe('POST /contacts/:id/roles', () => {
  it('the main contact gives a contact the right to manage contacts and roles; it works on the next request, without a new login', async () => {
    const org = await makeOrg(db.prisma);
    const main = await makePerson(db.prisma, org.id, { main: true, roles: [] });
    const geert = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS'] });
    const geertAgent = await loggedIn(geert);
    expect((await geertAgent.get('/contacts')).status).toBe(403);
    const agent = await loggedIn(main);
    const res = await postRoles(agent, geert.id, ['PORTAL_ACCESS', 'MANAGE_CONTACTS', 'ASSIGN_ROLES']);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/contacts/${geert.id}/roles`);
    expect(visibleText((await agent.get(res.headers.location!)).text)).toContain('De rollen zijn opgeslagen.');
    expect(await rolesOf(geert.id)).toEqual(['ASSIGN_ROLES', 'MANAGE_CONTACTS', 'PORTAL_ACCESS']);
    expect((await geertAgent.get('/contacts')).status).toBe(200);
    expect((await geertAgent.get(`/contacts/${main.id}/roles/edit`)).status).toBe(200);
    const event = await db.prisma.auditEvent.findFirstOrThrow({
      where: { kind: 'contact.roles_changed', subjectId: String(geert.id) },
    });
    expect(event.before).toEqual({ roles: ['PORTAL_ACCESS'] });
    expect(event.after).toEqual({ roles: ['PORTAL_ACCESS', 'MANAGE_CONTACTS', 'ASSIGN_ROLES'] });
    // And taking MANAGE_CONTACTS away again also works on the next request.
    await postRoles(agent, geert.id, ['PORTAL_ACCESS']);
    expect((await geertAgent.get('/contacts')).status).toBe(403);
  });

  it("refuses to change the main contact's roles, and nothing changes", async () => {
    const org = await makeOrg(db.prisma);
    const main = await makePerson(db.prisma, org.id, { main: true, roles: ['PORTAL_ACCESS'] });
    const manager = await makePerson(db.prisma, org.id, {
      roles: ['PORTAL_ACCESS', 'MANAGE_CONTACTS', 'ASSIGN_ROLES'],
    });
    for (const who of [main, manager]) {
      const res = await postRoles(await loggedIn(who), main.id, ['PORTAL_ACCESS', 'VIEW_INVOICES']);
      expect(res.status).toBe(403);
      expect(visibleText(res.text)).toContain('De rollen van de hoofdcontactpersoon kunnen niet worden gewijzigd.');
    }
    expect(await rolesOf(main.id)).toEqual(['PORTAL_ACCESS']);
    expect(
      await db.prisma.auditEvent.count({ where: { kind: 'contact.roles_changed', subjectId: String(main.id) } }),
    ).toBe(0);
  });

  it('refuses ASSIGN_ROLES without MANAGE_CONTACTS', async () => {
    const org = await makeOrg(db.prisma);
    const main = await makePerson(db.prisma, org.id, { main: true, roles: [] });
    const target = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS'] });
    const res = await postRoles(await loggedIn(main), target.id, ['PORTAL_ACCESS', 'ASSIGN_ROLES']);
    expect(res.status).toBe(403);
    expect(visibleText(res.text)).toContain(
      "Voor 'Rollen in klantportaal PIM toekennen' is de rol 'Contactpersonen beheren' noodzakelijk.",
    );
    expect(await rolesOf(target.id)).toEqual(['PORTAL_ACCESS']);
  });

  it('nobody grants or takes away a role they do not hold: not to others, not to themselves', async () => {
    const org = await makeOrg(db.prisma);
    const mgr: Role[] = ['PORTAL_ACCESS', 'MANAGE_CONTACTS', 'ASSIGN_ROLES'];
    const manager = await makePerson(db.prisma, org.id, { roles: mgr });
    const target = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'VIEW_INVOICES'] });
    const agent = await loggedIn(manager);
    const notHeld = 'U kunt alleen rollen toekennen of afnemen die u zelf heeft.';
    const own = 'U kunt uw eigen rollen niet wijzigen';
    const stronger = 'alleen iemand met al die rollen kan er een afnemen';
    for (const [id, wanted, says] of [
      // Not their own roles at all (as they cannot deactivate themselves): not more, and not fewer.
      [manager.id, [...mgr, 'VIEW_INVOICES'], own],
      [manager.id, [...mgr, 'SUBSIDIARY_ACCESS'], own],
      [manager.id, ['MANAGE_CONTACTS', 'ASSIGN_ROLES'], own],
      [target.id, ['PORTAL_ACCESS', 'VIEW_INVOICES', 'VIEW_MANUALS'], notHeld],
      [target.id, ['PORTAL_ACCESS'], notHeld],
      // A colleague holding a role the manager lacks keeps their portal role: no shutting them out.
      [target.id, ['VIEW_INVOICES'], stronger],
    ] as [number, Role[], string][]) {
      const res = await postRoles(agent, id, wanted);
      expect(res.status, `${id} ${wanted.join(',')}`).toBe(403);
      expect(visibleText(res.text)).toContain(says);
    }
    expect(await rolesOf(manager.id)).toEqual([...mgr].sort());
    expect(await rolesOf(target.id)).toEqual(['PORTAL_ACCESS', 'VIEW_INVOICES']);
    // Their own Rollen tab says so instead of offering "Rollen wijzigen".
    const ownTab = await agent.get(`/contacts/${manager.id}/roles`);
    expect(ownTab.text).not.toContain(`/contacts/${manager.id}/roles/edit`);
    expect(visibleText(ownTab.text)).toContain(own);
    expect((await agent.get(`/contacts/${target.id}/roles`)).text).toContain(`/contacts/${target.id}/roles/edit`);
    // The form keeps a role the manager does not hold as it is (disabled, carried along).
    const form = await agent.get(`/contacts/${target.id}/roles/edit`);
    expect(form.text).toMatch(/id="role-VIEW_INVOICES" name="roles" value="VIEW_INVOICES" checked disabled/);
    expect(form.text).toContain('<input type="hidden" name="roles" value="VIEW_INVOICES">');
    // Roles they do hold, they may grant.
    expect((await postRoles(agent, target.id, ['PORTAL_ACCESS', 'VIEW_INVOICES', 'MANAGE_CONTACTS'])).status).toBe(302);
    expect(await rolesOf(target.id)).toEqual(['MANAGE_CONTACTS', 'PORTAL_ACCESS', 'VIEW_INVOICES']);
  });

  it('two people adding the same role at the same moment: both are told it is saved, the role is there once', async () => {
    const org = await makeOrg(db.prisma);
    const main = await makePerson(db.prisma, org.id, { main: true, roles: [] });
    const manager = await makePerson(db.prisma, org.id, {
      roles: ['PORTAL_ACCESS', 'MANAGE_CONTACTS', 'ASSIGN_ROLES'],
    });
    const [a, b] = [await loggedIn(main), await loggedIn(manager)];
    for (let round = 0; round < 3; round++) {
      const target = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS'] });
      const answers = await Promise.all(
        [a, b].map((agent) => postRoles(agent, target.id, ['PORTAL_ACCESS', 'MANAGE_CONTACTS'])),
      );
      expect(answers.map((r) => r.status)).toEqual([302, 302]);
      expect(await rolesOf(target.id)).toEqual(['MANAGE_CONTACTS', 'PORTAL_ACCESS']);
    }
  });

  it('rejects an unknown role name as a bad request', async () => {
    const org = await makeOrg(db.prisma);
    const main = await makePerson(db.prisma, org.id, { main: true, roles: [] });
    const target = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS'] });
    expect((await postRoles(await loggedIn(main), target.id, ['SUPERUSER' as Role])).status).toBe(400);
    expect(await rolesOf(target.id)).toEqual(['PORTAL_ACCESS']);
  });
});
