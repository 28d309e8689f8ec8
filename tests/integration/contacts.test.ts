import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { parse } from 'csv-parse/sync';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, csrfFrom, logIn, submitForm, testApp, visibleText } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { deliverDue, smtpTransport } from '../../src/mail/mailer.js';

let db: TestDb;
let app: Express;
let smtp: TestSmtp;

beforeAll(async () => {
  db = await createTestDb();
  smtp = await startSmtp();
  ({ app } = testApp(db));
});
afterAll(async () => {
  await smtp.close();
  await db.drop();
});

/** A customer with a main contact (all roles) who is logged in, and a subsidiary. */
async function customer(opts: { reports?: boolean } = {}) {
  const org = await makeOrg(db.prisma, {
    name: `Huisartsenpost ${Math.random().toString(36).slice(2, 7)}`,
    reportsInContract: opts.reports,
  });
  const sub = await makeOrg(db.prisma, { name: `${org.name} Dochter`, parentId: org.id });
  const main = await makePerson(db.prisma, org.id, { main: true, roles: [], firstName: 'Jan', lastName: 'Jansen' });
  const agent = client(app);
  expect((await logIn(agent, main.email!, PASSWORD)).status).toBe(302);
  return { org, sub, main, agent };
}

/** The fields of a complete, valid form, as the browser posts them. */
function formFields(over: Record<string, string> = {}, orgId: number): Record<string, string> {
  return {
    lastName: 'Breukers',
    organizationId: String(orgId),
    firstName: 'Geert',
    initials: 'G',
    infix: '',
    gender: 'MALE',
    birthDate: '',
    active: 'yes',
    subscribeUpdate: 'yes',
    subscribeCare: 'no',
    subscribeBusiness: 'no',
    subscribeFlash: 'no',
    email: '',
    phone: '0884800900',
    fax: '',
    mobile: '',
    privateStreet: '',
    privatePostcode: '',
    privateCity: '',
    privateCountry: 'Nederland',
    webAccess: 'no',
    ...over,
  };
}

/** The names in the list's table, in order. */
const namesIn = (html: string) =>
  [
    ...html.matchAll(
      /<td class="contact-name">[\s\S]*?<\/details>\s*<a href="\/contacts\/\d+">(?:<bdi>)?([^<]+)(?:<\/bdi>)?<\/a>/g,
    ),
  ].map((m) => m[1]!);

describe('GET /contacts (the list)', () => {
  it("shows the own organisation with the manual's default filters as chips, sorted by name", async () => {
    const { org, sub, agent } = await customer();
    await makePerson(db.prisma, org.id, { firstName: 'Henk', lastName: 'Bakker', webAccess: false });
    await makePerson(db.prisma, org.id, { firstName: 'Kim', lastName: 'Sanders', active: false });
    await makePerson(db.prisma, sub.id, { firstName: 'Sanne', lastName: 'Visser' });
    const res = await agent.get('/contacts');
    expect(res.status).toBe(200);
    const text = visibleText(res.text);
    expect(text).toContain('2 gevonden');
    expect(text).toContain(`Organisatie › ${org.name}`);
    expect(text).toContain('Actief › ja');
    expect(text).toContain('Organisatie Actief › ja');
    for (const col of ['Naam', 'Sexe', 'Actief', 'Organisatie', 'Hoofdcontact', 'Contact opnemen via'])
      expect(text).toContain(col);
    expect(namesIn(res.text)).toEqual(['Henk Bakker', 'Jan Jansen']);
    // Jan has web access (the PIM icon), Henk does not; the main contact has no "verwijderen".
    expect(res.text.match(/class="pim-access"/g)?.length).toBe(1);
    expect(res.text.match(/>verwijderen</g)?.length).toBe(1);
    const desc = await agent.get('/contacts?sort=name&dir=desc');
    expect(namesIn(desc.text)).toEqual(['Jan Jansen', 'Henk Bakker']);
    // Removing the "Actief" chip shows the inactive contact too.
    const all = await agent.get('/contacts?active=all');
    expect(namesIn(all.text)).toEqual(['Henk Bakker', 'Jan Jansen', 'Kim Sanders']);
  });

  it('includes subsidiaries only with SUBSIDIARY_ACCESS', async () => {
    const { org, sub, agent } = await customer();
    await makePerson(db.prisma, sub.id, { firstName: 'Sanne', lastName: 'Visser' });
    const withSubs = await agent.get('/contacts?subs=1&sort=organization');
    expect(namesIn(withSubs.text)).toEqual(['Jan Jansen', 'Sanne Visser']);
    expect(visibleText(withSubs.text)).toContain('of van dochter organisatie');

    const manager = await makePerson(db.prisma, org.id, {
      roles: ['PORTAL_ACCESS', 'MANAGE_CONTACTS'],
      firstName: 'Anna',
      lastName: 'Aalders',
    });
    const other = client(app);
    await logIn(other, manager.email!, PASSWORD);
    const res = await other.get('/contacts?subs=1');
    expect(namesIn(res.text)).toEqual(['Anna Aalders', 'Jan Jansen']);
    expect(res.text).not.toContain('name="subs"');
    // Asking for the subsidiary itself falls back to the own organisation.
    expect(namesIn((await other.get(`/contacts?org=${sub.id}`)).text)).toEqual(['Anna Aalders', 'Jan Jansen']);
  });

  it('filters by name and by any field, and pages', async () => {
    const { org, agent } = await customer();
    await db.prisma.contact.createMany({
      data: Array.from({ length: 30 }, (_, i) => ({
        organizationId: org.id,
        lastName: `Lid ${String(i).padStart(2, '0')}`,
        privateCity: i % 2 ? 'Hengelo' : 'Almelo',
      })),
    });
    const page1 = await agent.get('/contacts');
    expect(visibleText(page1.text)).toContain('31 gevonden');
    expect(namesIn(page1.text)).toHaveLength(25);
    const page2 = await agent.get('/contacts?page=2');
    expect(namesIn(page2.text)).toEqual(['Lid 24', 'Lid 25', 'Lid 26', 'Lid 27', 'Lid 28', 'Lid 29']);
    const byName = await agent.get('/contacts?name=jans');
    expect(namesIn(byName.text)).toEqual(['Jan Jansen']);
    expect(visibleText(byName.text)).toContain('Naam › jans');
    const anyField = await agent.get('/contacts?q=hengelo');
    expect(visibleText(anyField.text)).toContain('15 gevonden');
    expect(visibleText(anyField.text)).toContain('Uitgebreid zoeken › hengelo');
  });

  it('exports the current selection as CSV and collects its e-mail addresses, both equal to the list', async () => {
    const { org, agent } = await customer();
    await makePerson(db.prisma, org.id, { firstName: 'Lisa', lastName: 'de Vries', email: 'l.devries@example.nl' });
    await makePerson(db.prisma, org.id, { firstName: '=Formule', lastName: 'Test', email: null });
    await makePerson(db.prisma, org.id, {
      firstName: 'Oud',
      lastName: 'Inactief',
      email: 'oud@example.nl',
      active: false,
    });
    const list = await agent.get('/contacts?sort=name&dir=desc');
    const names = namesIn(list.text);

    const csv = await agent.get('/contacts/export.csv?sort=name&dir=desc');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toContain('contactpersonen.csv');
    expect(csv.text.startsWith('\uFEFF')).toBe(true);
    const rows = parse(csv.text.slice(1), { delimiter: ';' });
    expect(rows[0]!.slice(0, 2)).toEqual(['Naam', 'Achternaam']);
    expect(rows.slice(1).map((r) => r[0])).toEqual(names.map((n) => (n.startsWith('=') ? `'${n}` : n)));
    const jan = rows.find((r) => r[0] === 'Jan Jansen')!;
    expect(jan[6]).toBe(org.name);
    expect(jan[7]).toBe('ja');

    const emails = await agent.get('/contacts/emails?sort=name&dir=desc');
    const box = /<textarea[^>]*>([^<]*)<\/textarea>/.exec(emails.text)![1]!;
    const listed = box.split('; ');
    const expected = await db.prisma.contact.findMany({
      where: { organizationId: org.id, active: true, email: { not: null } },
      select: { email: true },
    });
    expect(listed.sort()).toEqual(expected.map((e) => e.email!).sort());
    expect(listed).not.toContain('oud@example.nl');
  });
});

describe('GET /contacts/:id (details)', () => {
  it('groups the fields, hides empty ones until "Toon lege velden", and shows the four subscriptions', async () => {
    const { org, agent } = await customer();
    const p = await makePerson(db.prisma, org.id, { firstName: 'Geert', lastName: 'Breukers', webAccess: false });
    const res = await agent.get(`/contacts/${p.id}`);
    expect(res.status).toBe(200);
    const text = visibleText(res.text);
    expect(text).toContain('Contactpersoon: Geert Breukers');
    for (const w of [
      'Contactinformatie',
      'Inloggen',
      'Nieuwsbrieven & Storingsmeldingen',
      'VtelUpdate - BELANGRIJK!',
      'VtelFacts - Zorg',
      'VtelFacts - Zakelijk',
      'VtelFlash',
    ])
      expect(text).toContain(w);
    expect(text).not.toContain('Voorletters');
    expect(text).toContain('Toon lege velden');
    // No Rollen tab without web access.
    expect(res.text).not.toContain(`/contacts/${p.id}/roles"`);
    const full = visibleText((await agent.get(`/contacts/${p.id}?empty=1`)).text);
    expect(full).toContain('Voorletters');
    expect(full).toContain('Fax');
  });
});

describe('POST /contacts/new', () => {
  it('refuses bad input field by field with 422, keeping what was typed', async () => {
    const { org, agent } = await customer();
    const before = await db.prisma.contact.count();
    const res = await submitForm(
      agent,
      '/contacts/new',
      '/contacts/new',
      formFields(
        {
          lastName: '',
          phone: '12345',
          mobile: '0201234567',
          email: 'geen-adres',
          privatePostcode: '0123 AB',
          birthDate: '2999-01-01',
          webAccess: 'yes',
        },
        org.id,
      ),
    );
    expect(res.status).toBe(422);
    const text = visibleText(res.text);
    for (const m of [
      'Vul de achternaam in.',
      'Vul een geldig telefoonnummer in',
      'Vul een geldig mobiel nummer in',
      'Vul een geldig e-mailadres in',
      'Vul een geldige postcode in',
      'Vul een geldige geboortedatum',
    ])
      expect(text).toContain(m);
    expect(res.text).toContain('value="geen-adres"');
    expect(await db.prisma.contact.count()).toBe(before);
    const noMail = await submitForm(agent, '/contacts/new', '/contacts/new', formFields({ webAccess: 'yes' }, org.id));
    expect(noMail.status).toBe(422);
    expect(visibleText(noMail.text)).toContain('Voor webtoegang is een persoonsgebonden e-mailadres nodig.');
  });

  it('refuses an e-mail address used anywhere in the portal as a field error, not a 500', async () => {
    const { org, agent } = await customer();
    const elsewhere = await makeOrg(db.prisma);
    const taken = await makePerson(db.prisma, elsewhere.id);
    const res = await submitForm(
      agent,
      '/contacts/new',
      '/contacts/new',
      formFields({ email: taken.email!.toUpperCase() }, org.id),
    );
    expect(res.status).toBe(422);
    expect(visibleText(res.text)).toContain('Dit e-mailadres is al in gebruik in PIM.');
  });

  it('adds a contact, normalises the postcode, returns to the details and records the event', async () => {
    const { org, sub, agent } = await customer();
    const res = await submitForm(
      agent,
      '/contacts/new',
      '/contacts/new',
      formFields(
        { privatePostcode: '7521pr', phone: '+31 53 123 45 67', mobile: '06-12345678', organizationId: String(sub.id) },
        org.id,
      ),
    );
    expect(res.status).toBe(302);
    const id = Number(/\/contacts\/(\d+)$/.exec(res.headers.location!)![1]);
    const c = await db.prisma.contact.findUniqueOrThrow({ where: { id } });
    expect(c).toMatchObject({
      organizationId: sub.id,
      lastName: 'Breukers',
      privatePostcode: '7521 PR',
      webAccess: false,
      email: null,
    });
    const page = await agent.get(res.headers.location!);
    expect(visibleText(page.text)).toContain('De contactpersoon is toegevoegd.');
    const event = await db.prisma.auditEvent.findFirstOrThrow({
      where: { kind: 'contact.created', subjectId: String(id) },
    });
    expect(event.after).toMatchObject({ lastName: 'Breukers', privatePostcode: '7521 PR' });
  });
});

describe('web access and the invitation mail', () => {
  it('turning web access on mails a set-password link through SMTP; the contact can then log in; off ends their sessions', async () => {
    const { org, agent } = await customer();
    const p = await makePerson(db.prisma, org.id, {
      firstName: 'Kim',
      lastName: 'Sanders',
      webAccess: false,
      password: null,
      email: 'k.sanders@example.nl',
    });
    const edit = await agent.get(`/contacts/${p.id}/edit`);
    const before = smtp.messages.length;
    const res = await agent
      .post(`/contacts/${p.id}/edit`)
      .type('form')
      .send({
        _csrf: csrfFrom(edit.text),
        version: '1',
        ...formFields(
          { firstName: 'Kim', lastName: 'Sanders', email: 'k.sanders@example.nl', webAccess: 'yes' },
          org.id,
        ),
      });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/contacts/${p.id}`);
    expect(await deliverDue(db.prisma, smtpTransport(smtp.url), 'PIM <noreply@pim.test>')).toBe(1);
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail!.subject).toBe('Uw toegang tot PIM');
    expect(mail!.text).toContain('Beste Kim Sanders,');
    const link = /http:\/\/pim\.test(\/password\/reset\/[A-Za-z0-9_-]{43})/.exec(mail!.text!)![1]!;
    const kim = client(app);
    const set = await submitForm(kim, link, link, {
      password: 'een goed lang wachtwoord',
      confirm: 'een goed lang wachtwoord',
    });
    expect(set.status).toBe(302);
    expect((await logIn(kim, 'k.sanders@example.nl', 'een goed lang wachtwoord')).status).toBe(302);
    expect((await kim.get('/')).status).toBe(200);
    expect(
      (await db.prisma.auditEvent.findMany({ where: { subjectId: String(p.id) }, orderBy: { id: 'asc' } })).map(
        (e) => e.kind,
      ),
    ).toEqual(expect.arrayContaining(['contact.updated', 'contact.web_access_on', 'contact.invited']));

    const edit2 = await agent.get(`/contacts/${p.id}/edit`);
    const off = await agent
      .post(`/contacts/${p.id}/edit`)
      .type('form')
      .send({
        _csrf: csrfFrom(edit2.text),
        version: /name="version" value="(\d+)"/.exec(edit2.text)![1],
        ...formFields(
          { firstName: 'Kim', lastName: 'Sanders', email: 'k.sanders@example.nl', webAccess: 'no' },
          org.id,
        ),
      });
    expect(off.status).toBe(302);
    expect((await kim.get('/')).status).toBe(302);
    const after = await db.prisma.contact.findUniqueOrThrow({ where: { id: p.id } });
    expect(after.sessionEpoch).toBeGreaterThan(p.sessionEpoch);
    expect(
      await db.prisma.auditEvent.count({ where: { kind: 'contact.web_access_off', subjectId: String(p.id) } }),
    ).toBe(1);
  });
});

describe('POST /contacts/:id/edit', () => {
  it('two people edit the same contact: the second save is refused with 409 and the first change survives', async () => {
    const { org, agent } = await customer();
    const p = await makePerson(db.prisma, org.id, { firstName: 'Roy', lastName: 'Williams', webAccess: false });
    const colleague = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_CONTACTS'] });
    const second = client(app);
    await logIn(second, colleague.email!, PASSWORD);
    const formA = await agent.get(`/contacts/${p.id}/edit`);
    const formB = await second.get(`/contacts/${p.id}/edit`);
    const a = await agent
      .post(`/contacts/${p.id}/edit`)
      .type('form')
      .send({
        _csrf: csrfFrom(formA.text),
        version: '1',
        ...formFields({ firstName: 'Roy', lastName: 'Williams', phone: '0534000001' }, org.id),
      });
    expect(a.status).toBe(302);
    const b = await second
      .post(`/contacts/${p.id}/edit`)
      .type('form')
      .send({
        _csrf: csrfFrom(formB.text),
        version: '1',
        ...formFields({ firstName: 'Roy', lastName: 'Williams', phone: '0534000002' }, org.id),
      });
    expect(b.status).toBe(409);
    expect(visibleText(b.text)).toContain('Iemand anders heeft deze contactpersoon intussen gewijzigd.');
    const c = await db.prisma.contact.findUniqueOrThrow({ where: { id: p.id } });
    expect(c.phone).toBe('0534000001');
    expect(c.version).toBe(2);
  });

  it('the main contact stays active, with web access, and cannot be deleted', async () => {
    const { org, main, agent } = await customer();
    const edit = await agent.get(`/contacts/${main.id}/edit`);
    const res = await agent
      .post(`/contacts/${main.id}/edit`)
      .type('form')
      .send({
        _csrf: csrfFrom(edit.text),
        version: '1',
        ...formFields(
          { firstName: 'Jan', lastName: 'Jansen', email: main.email!, active: 'no', webAccess: 'no' },
          org.id,
        ),
      });
    expect(res.status).toBe(422);
    const text = visibleText(res.text);
    expect(text).toContain('De hoofdcontactpersoon kan niet op inactief worden gezet.');
    expect(text).toContain('De webtoegang van de hoofdcontactpersoon kan niet worden uitgezet.');
    const page = await agent.get(`/contacts/${main.id}/delete`);
    expect(visibleText(page.text)).toContain('De hoofdcontactpersoon kan niet worden verwijderd.');
    const del = await agent
      .post(`/contacts/${main.id}/delete`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    expect(del.status).toBe(403);
    expect(await db.prisma.contact.findUniqueOrThrow({ where: { id: main.id } })).toMatchObject({
      active: true,
      webAccess: true,
      deletedAt: null,
      version: 1,
    });
  });
});

describe('Kopiëren', () => {
  it('opens the form prefilled without e-mail, password or roles, and adds a new contact', async () => {
    const { org, agent } = await customer();
    const src = await makePerson(db.prisma, org.id, {
      firstName: 'Lisa',
      lastName: 'de Vries',
      roles: ['PORTAL_ACCESS', 'VIEW_INVOICES'],
    });
    await db.prisma.contact.update({
      where: { id: src.id },
      data: {
        phone: '0884800900',
        fax: '0884800901',
        mobile: '0612345678',
        gender: 'FEMALE',
        birthDate: new Date('1980-05-17'),
        privateCity: 'Enschede',
        subscribeCare: true,
        subscribeUpdate: false,
      },
    });
    const form = await agent.get(`/contacts/${src.id}/copy`);
    expect(form.status).toBe(200);
    // The organisation's fields come along: organisation, phone, fax, subscriptions.
    expect(form.text).toMatch(new RegExp(`<option value="${org.id}"[^>]* selected`));
    expect(form.text).toContain('value="0884800900"');
    expect(form.text).toContain('value="0884800901"');
    expect(form.text).toMatch(/id="f-subscribeCare-yes"[^>]* checked/);
    expect(form.text).toMatch(/id="f-subscribeUpdate-no"[^>]* checked/);
    // The other person's own fields do not: mobile, gender, birth date, name, address, e-mail.
    expect(form.text).not.toContain('0612345678');
    expect(form.text).not.toContain('1980-05-17');
    expect(form.text).not.toMatch(/<option value="FEMALE"[^>]* selected/);
    expect(form.text).not.toContain('value="Lisa"');
    expect(form.text).not.toContain('value="Enschede"');
    expect(form.text).not.toContain(src.email!);
    const res = await agent
      .post(`/contacts/${src.id}/copy`)
      .type('form')
      .send({
        _csrf: csrfFrom(form.text),
        ...formFields(
          { firstName: 'Bram', lastName: 'de Vries', phone: '0884800900', privateCity: 'Enschede' },
          org.id,
        ),
      });
    expect(res.status).toBe(302);
    const id = Number(/\/contacts\/(\d+)$/.exec(res.headers.location!)![1]);
    const copy = await db.prisma.contact.findUniqueOrThrow({ where: { id }, include: { roles: true } });
    expect(copy).toMatchObject({
      firstName: 'Bram',
      email: null,
      passwordHash: null,
      webAccess: false,
      privateCity: 'Enschede',
    });
    expect(copy.roles).toEqual([]);
    const event = await db.prisma.auditEvent.findFirstOrThrow({
      where: { kind: 'contact.copied', subjectId: String(id) },
    });
    expect(event.before).toEqual({ copiedFrom: src.id });
  });
});

describe('Verwijderen', () => {
  it('asks for confirmation, then deletes softly: gone everywhere, history kept, address freed', async () => {
    const { org, agent } = await customer();
    const p = await makePerson(db.prisma, org.id, {
      firstName: 'Henk',
      lastName: 'Bakker',
      roles: ['PORTAL_ACCESS', 'VIEW_MANUALS'],
    });
    const henk = client(app);
    await logIn(henk, p.email!, PASSWORD);
    const confirm = await agent.get(`/contacts/${p.id}/delete`);
    expect(visibleText(confirm.text)).toContain('Weet u zeker dat u Henk Bakker wilt verwijderen?');
    const res = await agent
      .post(`/contacts/${p.id}/delete`)
      .type('form')
      .send({ _csrf: csrfFrom(confirm.text) });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/contacts');
    const row = await db.prisma.contact.findUniqueOrThrow({ where: { id: p.id }, include: { roles: true } });
    expect(row.deletedAt).not.toBeNull();
    expect(row).toMatchObject({ email: null, passwordHash: null, webAccess: false });
    expect(row.roles).toEqual([]);
    expect((await henk.get('/')).status).toBe(302);
    const event = await db.prisma.auditEvent.findFirstOrThrow({
      where: { kind: 'contact.deleted', subjectId: String(p.id) },
    });
    expect(event.before).toMatchObject({ email: p.email, roles: ['PORTAL_ACCESS', 'VIEW_MANUALS'] });
    expect(namesIn((await agent.get('/contacts?active=all')).text)).not.toContain('Henk Bakker');
    // The address can be used again.
    const again = await submitForm(agent, '/contacts/new', '/contacts/new', formFields({ email: p.email! }, org.id));
    expect(again.status).toBe(302);
  });
});

describe('out of scope: another organisation, a subsidiary without SUBSIDIARY_ACCESS, a deleted contact', () => {
  it('is 404 on every page, GET and POST, and nothing changes', async () => {
    const { org, sub, agent: mainAgent } = await customer();
    const manager = await makePerson(db.prisma, org.id, {
      roles: ['PORTAL_ACCESS', 'MANAGE_CONTACTS', 'ASSIGN_ROLES'],
    });
    const agent = client(app);
    await logIn(agent, manager.email!, PASSWORD);
    const foreignOrg = await makeOrg(db.prisma);
    const foreign = await makePerson(db.prisma, foreignOrg.id);
    const inSub = await makePerson(db.prisma, sub.id);
    const gone = await makePerson(db.prisma, org.id);
    const confirm = await mainAgent.get(`/contacts/${gone.id}/delete`);
    expect(
      (
        await mainAgent
          .post(`/contacts/${gone.id}/delete`)
          .type('form')
          .send({ _csrf: csrfFrom(confirm.text) })
      ).status,
    ).toBe(302);
    const snapshot = async () =>
      db.prisma.contact.findMany({
        where: { id: { in: [foreign.id, inSub.id, gone.id] } },
        include: { roles: true },
        orderBy: { id: 'asc' },
      });
    const before = await snapshot();
    const events = await db.prisma.auditEvent.count();
    const csrf = csrfFrom((await agent.get('/contacts')).text);
    for (const [who, target] of [
      ['another organisation', foreign],
      ['subsidiary', inSub],
      ['deleted', gone],
    ] as const) {
      for (const path of ['', '/edit', '/copy', '/delete', '/roles', '/roles/edit']) {
        expect((await agent.get(`/contacts/${target.id}${path}`)).status, `${who} GET ${path}`).toBe(404);
      }
      for (const path of ['/edit', '/copy', '/delete']) {
        const res = await agent
          .post(`/contacts/${target.id}${path}`)
          .type('form')
          .send({ _csrf: csrf, version: '1', ...formFields({}, org.id) });
        expect(res.status, `${who} POST ${path}`).toBe(404);
      }
      const roles = await agent
        .post(`/contacts/${target.id}/roles`)
        .type('form')
        .send({ _csrf: csrf, roles: ['PORTAL_ACCESS'] });
      expect(roles.status, `${who} POST roles`).toBe(404);
    }
    expect(await snapshot()).toEqual(before);
    expect(await db.prisma.auditEvent.count()).toBe(events);
  });
});

describe('the role matrix of the contact pages', () => {
  it('MANAGE_CONTACTS opens every contact page; ASSIGN_ROLES (with MANAGE_CONTACTS) the roles form; others get 403', async () => {
    const { org, main } = await customer();
    const target = await makePerson(db.prisma, org.id);
    const pages: [string, 'MANAGE_CONTACTS' | 'ASSIGN_ROLES'][] = [
      ['/contacts', 'MANAGE_CONTACTS'],
      ['/contacts/new', 'MANAGE_CONTACTS'],
      ['/contacts/emails', 'MANAGE_CONTACTS'],
      ['/contacts/export.csv', 'MANAGE_CONTACTS'],
      [`/contacts/${target.id}`, 'MANAGE_CONTACTS'],
      [`/contacts/${target.id}/edit`, 'MANAGE_CONTACTS'],
      [`/contacts/${target.id}/copy`, 'MANAGE_CONTACTS'],
      [`/contacts/${target.id}/delete`, 'MANAGE_CONTACTS'],
      [`/contacts/${target.id}/roles`, 'MANAGE_CONTACTS'],
      [`/contacts/${target.id}/roles/edit`, 'ASSIGN_ROLES'],
    ];
    const people = {
      'PORTAL_ACCESS only': await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS'] }),
      'ASSIGN_ROLES without MANAGE_CONTACTS': await makePerson(db.prisma, org.id, {
        roles: ['PORTAL_ACCESS', 'ASSIGN_ROLES'],
      }),
      MANAGE_CONTACTS: await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_CONTACTS'] }),
      'MANAGE_CONTACTS + ASSIGN_ROLES': await makePerson(db.prisma, org.id, {
        roles: ['PORTAL_ACCESS', 'MANAGE_CONTACTS', 'ASSIGN_ROLES'],
      }),
      'main contact': main,
    };
    const holds: Record<string, string[]> = {
      'PORTAL_ACCESS only': [],
      'ASSIGN_ROLES without MANAGE_CONTACTS': [],
      MANAGE_CONTACTS: ['MANAGE_CONTACTS'],
      'MANAGE_CONTACTS + ASSIGN_ROLES': ['MANAGE_CONTACTS', 'ASSIGN_ROLES'],
      'main contact': ['MANAGE_CONTACTS', 'ASSIGN_ROLES'],
    };
    for (const [name, person] of Object.entries(people)) {
      const agent = client(app);
      expect((await logIn(agent, person.email!, PASSWORD)).status).toBe(302);
      for (const [path, role] of pages) {
        expect((await agent.get(path)).status, `${name} GET ${path}`).toBe(holds[name]!.includes(role) ? 200 : 403);
      }
      const csrf = csrfFrom((await agent.get('/')).text);
      const post = await agent
        .post(`/contacts/${target.id}/roles`)
        .type('form')
        .send({ _csrf: csrf, roles: ['PORTAL_ACCESS'] });
      expect(post.status, `${name} POST roles`).toBe(holds[name]!.includes('ASSIGN_ROLES') ? 302 : 403);
    }
  });
});
