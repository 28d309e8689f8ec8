import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type TestAgent from 'supertest/lib/agent.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, csrfFrom, logIn, submitForm, testApp, visibleText } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';

let db: TestDb;
let app: Express;
let orgId: number;

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db));
  orgId = (await makeOrg(db.prisma, { name: 'Demo Pim (Persoonlijke Informatie Manager)' })).id;
});
afterAll(() => db.drop());

/** A person with the personal-data role, logged in. */
async function person(over: Parameters<typeof makePerson>[2] = {}) {
  const p = await makePerson(db.prisma, orgId, {
    roles: ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA'],
    firstName: 'Jan',
    lastName: 'Jansen',
    ...over,
  });
  await db.prisma.contact.update({
    where: { id: p.id },
    data: {
      initials: 'J',
      gender: 'MALE',
      mobile: '0623123454',
      privateCountry: 'Nederland',
      subscribeUpdate: true,
      subscribeCare: false,
      subscribeBusiness: true,
      subscribeFlash: true,
    },
  });
  const agent = client(app);
  expect((await logIn(agent, p.email!, PASSWORD)).status).toBe(302);
  return { p, agent };
}

/** The edit form's current values, as the browser would send them back. */
async function formOf(agent: TestAgent): Promise<Record<string, string>> {
  const html = (await agent.get('/profile/edit')).text;
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input id="f-(\w+)" name="\w+" type="(\w+)"([^>]*)>/g)) {
    const [, name, type, rest] = m;
    if (type === 'checkbox') {
      if (/ checked/.test(rest!)) out[name!] = 'on';
    } else if (type !== 'password') out[name!] = /value="([^"]*)"/.exec(rest!)?.[1] ?? '';
  }
  out.gender = /<option value="(\w*)" selected>/.exec(html)?.[1] ?? '';
  out.version = /name="version" value="(\d+)"/.exec(html)![1]!;
  return out;
}

describe('GET /profile', () => {
  it('shows the own data grouped as in the manual, empty fields only on request', async () => {
    const { p, agent } = await person();
    const res = await agent.get('/profile');
    expect(res.status).toBe(200);
    const text = visibleText(res.text);
    for (const s of [
      'Persoonlijk',
      'Mijn gegevens',
      'Achternaam Jansen',
      'Voornaam Jan',
      'Voorletters J',
      'Geslacht Man',
      'Contact informatie',
      `Email ${p.email}`,
      'NB: het emailadres is ook uw gebruikersnaam.',
      'Mobiel 0623123454',
      'Prive adres',
      'Land Nederland',
      'Toon lege velden',
      'Inloggen',
      `Gebruikersnaam ${p.email}`,
      'NB: uw gebruikersnaam is ook het emailadres.',
      'Wachtwoord *****',
      'PIM Wachtwoord wijzigen »',
      'Organisatie Demo Pim (Persoonlijke Informatie Manager)',
      'Nieuwsbrieven & Storingsmeldingen',
      'VtelUpdate - BELANGRIJK! Storingen - onderhoudsmeldingen - urgente informatie. ja',
      'VtelFacts - Zorg Brengt nieuws dichterbij voor de zorgmarkt. (2-maandelijks) nee',
      'VtelFacts - Zakelijk Brengt nieuws dichterbij voor de zakelijkemarkt. (2-maandelijks) ja',
      'VtelFlash Bericht met informatief onderwerp. (sporadisch) ja',
    ])
      expect(text).toContain(s);
    expect(text).not.toContain('Tussenvoegsel');
    const withEmpty = visibleText((await agent.get('/profile?empty=1')).text);
    expect(withEmpty).toContain('Tussenvoegsel');
    expect(withEmpty).toContain('Telefoon');
    expect(withEmpty).toContain('Verberg lege velden');
    expect(res.text).toContain('href="/profile/password"');
  });

  it('names only the single-sign-on providers this instance offers (none here, as on its login page)', async () => {
    const { p, agent } = await person();
    const text = visibleText((await agent.get('/profile')).text);
    expect(visibleText((await client(app).get('/login')).text)).not.toContain('Microsoft 365');
    expect(text).toContain('Inloggen met een Microsoft- of Google-account is in deze PIM niet ingeschakeld.');
    expect(text).not.toContain('Inloggen met Microsoft 365');
    expect(text).not.toContain('Inloggen met Google');
    // An instance with Microsoft only names Microsoft only.
    const { app: msApp } = testApp(db, { sso: { microsoft: true, google: false } });
    const ms = client(msApp);
    expect((await logIn(ms, p.email!, PASSWORD)).status).toBe(302);
    const msText = visibleText((await ms.get('/profile')).text);
    expect(msText).toContain("eerste keer inlogt met 'Inloggen met Microsoft 365'.");
    expect(msText).toContain('Er is geen Microsoft-account gekoppeld.');
    expect(msText).not.toContain('Google');
  });
});

describe('POST /profile/edit', () => {
  it('saves the own data, normalises the postcode, and audits the changed fields', async () => {
    const { p, agent } = await person();
    const form = await formOf(agent);
    const res = await submitForm(agent, '/profile/edit', '/profile/edit', {
      ...form,
      phone: '088 4 800 900',
      privatePostcode: '7521pr',
      privateCity: 'Enschede',
      subscribeCare: 'on',
      subscribeFlash: '',
    });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/profile');
    const page = visibleText((await agent.get('/profile')).text);
    expect(page).toContain('Uw gegevens zijn opgeslagen.');
    expect(page).toContain('Postcode 7521 PR');
    const saved = await db.prisma.contact.findUniqueOrThrow({ where: { id: p.id } });
    expect(saved).toMatchObject({
      phone: '088 4 800 900',
      privatePostcode: '7521 PR',
      privateCity: 'Enschede',
      subscribeCare: true,
      subscribeFlash: false,
      version: 2,
    });
    const audit = await db.prisma.auditEvent.findFirstOrThrow({
      where: { kind: 'profile.updated', subjectId: String(p.id) },
    });
    expect(audit.actorId).toBe(p.id);
    expect(audit.before).toEqual({
      phone: null,
      privatePostcode: null,
      privateCity: null,
      subscribeCare: false,
      subscribeFlash: true,
    });
    expect(audit.after).toEqual({
      phone: '088 4 800 900',
      privatePostcode: '7521 PR',
      privateCity: 'Enschede',
      subscribeCare: true,
      subscribeFlash: false,
    });
  });

  it("refuses invalid values with 422, every field's message and the user's values, and saves nothing", async () => {
    const { p, agent } = await person();
    const before = await db.prisma.contact.findUniqueOrThrow({ where: { id: p.id } });
    const form = await formOf(agent);
    const res = await submitForm(agent, '/profile/edit', '/profile/edit', {
      ...form,
      lastName: '',
      phone: '12345',
      mobile: '06-1234',
      privatePostcode: '0123 AB',
      email: 'geen-adres',
    });
    expect(res.status).toBe(422);
    const text = visibleText(res.text);
    for (const s of [
      'Er is een probleem',
      'Vul uw achternaam in.',
      'Vul een geldig telefoonnummer in, zoals 0884800900 of +31 6 12345678.',
      'Vul een geldige postcode in, zoals 7521 PR.',
      'Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.',
    ])
      expect(text).toContain(s);
    expect(res.text).toContain('value="12345"');
    expect(res.text).toContain('value="0123 AB"');
    expect(res.text).toContain('value="geen-adres"');
    expect(await db.prisma.contact.findUniqueOrThrow({ where: { id: p.id } })).toEqual(before);
    expect(
      await db.prisma.auditEvent.count({ where: { subjectId: String(p.id), kind: { not: 'login.password' } } }),
    ).toBe(0);
  });

  it('saves an infix as long as the contact form allows (the two forms share the limits)', async () => {
    const { p, agent } = await person();
    const long = 'van der van den van de ver'.padEnd(40, 'x');
    await db.prisma.contact.update({ where: { id: p.id }, data: { infix: long } });
    const html = (await agent.get('/profile/edit')).text;
    expect(html).toMatch(/name="infix" type="text" value="[^"]+" maxlength="40"/);
    const res = await submitForm(agent, '/profile/edit', '/profile/edit', await formOf(agent));
    expect(res.status).toBe(302);
    expect((await db.prisma.contact.findUniqueOrThrow({ where: { id: p.id } })).infix).toBe(long);
  });

  it('accepts a foreign postcode outside the Netherlands and international numbers', async () => {
    const { p, agent } = await person();
    const form = await formOf(agent);
    const res = await submitForm(agent, '/profile/edit', '/profile/edit', {
      ...form,
      privateCountry: 'België',
      privatePostcode: '2000',
      phone: '+32 3 123 45 67',
      mobile: '+31 6 12345678',
    });
    expect(res.status).toBe(302);
    expect(await db.prisma.contact.findUniqueOrThrow({ where: { id: p.id } })).toMatchObject({
      privatePostcode: '2000',
      phone: '+32 3 123 45 67',
    });
  });

  it('changing the e-mail address (the username) needs the current password, and must be unique across the portal', async () => {
    const { p, agent } = await person();
    const other = client(app);
    expect((await logIn(other, p.email!, PASSWORD)).status).toBe(302);
    const elsewhere = await makePerson(db.prisma, (await makeOrg(db.prisma)).id);
    const newEmail = `nieuw.${p.id}@example.nl`;
    const form = await formOf(agent);

    const noPassword = await submitForm(agent, '/profile/edit', '/profile/edit', { ...form, email: newEmail });
    expect(noPassword.status).toBe(422);
    expect(visibleText(noPassword.text)).toContain(
      'Vul uw huidige wachtwoord in om uw emailadres (uw gebruikersnaam) te wijzigen.',
    );

    const wrong = await submitForm(agent, '/profile/edit', '/profile/edit', {
      ...form,
      email: newEmail,
      currentPassword: 'not my password at all',
    });
    expect(wrong.status).toBe(422);
    expect(visibleText(wrong.text)).toContain('Het huidige wachtwoord is niet juist. Er is niets gewijzigd.');

    const taken = await submitForm(agent, '/profile/edit', '/profile/edit', {
      ...form,
      email: elsewhere.email!.toUpperCase(),
      currentPassword: PASSWORD,
    });
    expect(taken.status).toBe(422);
    expect(visibleText(taken.text)).toContain('Dit emailadres is al in gebruik in PIM.');
    expect((await db.prisma.contact.findUniqueOrThrow({ where: { id: p.id } })).email).toBe(p.email);

    const ok = await submitForm(agent, '/profile/edit', '/profile/edit', {
      ...form,
      email: newEmail.toUpperCase(),
      currentPassword: PASSWORD,
    });
    expect(ok.status).toBe(302);
    expect((await db.prisma.contact.findUniqueOrThrow({ where: { id: p.id } })).email).toBe(newEmail);
    // The username changed with it; this session carries on, the other one ends.
    expect((await agent.get('/profile')).status).toBe(200);
    expect((await other.get('/profile')).status).toBe(302);
    // "Uw beveiliging is gewijzigd" goes to the old address.
    const notice = await db.prisma.mailOutbox.findFirstOrThrow({
      where: { recipient: p.email!, subject: 'Uw beveiliging is gewijzigd' },
    });
    expect(notice.text).toContain('Het e-mailadres waarmee u inlogt is gewijzigd.');
    expect((await logIn(client(app), p.email!, PASSWORD)).status).toBe(401);
    expect((await logIn(client(app), newEmail, PASSWORD)).status).toBe(302);
    const audit = await db.prisma.auditEvent.findFirstOrThrow({
      where: { kind: 'profile.email_changed', subjectId: String(p.id) },
    });
    expect(audit).toMatchObject({ before: { email: p.email }, after: { email: newEmail }, actorId: p.id });
  });

  it('when the data was saved elsewhere since the form was opened, refuses with 409 and keeps the other change', async () => {
    const { p, agent } = await person();
    const form = await formOf(agent);
    await db.prisma.contact.update({ where: { id: p.id }, data: { mobile: '0611111111', version: { increment: 1 } } });
    const res = await submitForm(agent, '/profile/edit', '/profile/edit', { ...form, mobile: '0622222222' });
    expect(res.status).toBe(409);
    expect(visibleText(res.text)).toContain('Uw gegevens zijn intussen elders gewijzigd.');
    expect((await db.prisma.contact.findUniqueOrThrow({ where: { id: p.id } })).mobile).toBe('0611111111');
  });

  it('without MANAGE_PERSONAL_DATA the pages and the form are refused', async () => {
    const p = await makePerson(db.prisma, orgId, { roles: ['PORTAL_ACCESS', 'VIEW_ORGANIZATION'] });
    const agent = client(app);
    await logIn(agent, p.email!, PASSWORD);
    for (const path of ['/profile', '/profile/edit', '/profile/password'])
      expect((await agent.get(path)).status, path).toBe(403);
    const home = await agent.get('/');
    const res = await agent
      .post('/profile/edit')
      .type('form')
      .send({ _csrf: csrfFrom(home.text), lastName: 'Gehackt', email: p.email!, version: '1' });
    expect(res.status).toBe(403);
    expect((await db.prisma.contact.findUniqueOrThrow({ where: { id: p.id } })).lastName).toBe(p.lastName);
  });
});

describe('POST /profile/password', () => {
  const NEW = 'een nieuwe lange wachtzin';

  it('checks the form: too short, not the same twice, current missing (422, nothing changed)', async () => {
    const { p, agent } = await person();
    const hash = (await db.prisma.contact.findUniqueOrThrow({ where: { id: p.id } })).passwordHash;
    const short = await submitForm(agent, '/profile/password', '/profile/password', {
      current: PASSWORD,
      password: 'kort',
      confirm: 'kort',
    });
    expect(short.status).toBe(422);
    expect(visibleText(short.text)).toContain('Het wachtwoord moet minimaal 12 tekens lang zijn.');
    const mismatch = await submitForm(agent, '/profile/password', '/profile/password', {
      current: PASSWORD,
      password: NEW,
      confirm: `${NEW}!`,
    });
    expect(mismatch.status).toBe(422);
    expect(visibleText(mismatch.text)).toContain('De twee wachtwoorden zijn niet gelijk.');
    const noCurrent = await submitForm(agent, '/profile/password', '/profile/password', {
      current: '',
      password: NEW,
      confirm: NEW,
    });
    expect(noCurrent.status).toBe(422);
    expect(visibleText(noCurrent.text)).toContain('Vul uw huidige wachtwoord in.');
    expect((await db.prisma.contact.findUniqueOrThrow({ where: { id: p.id } })).passwordHash).toBe(hash);
  });

  it('the journey: wrong current password refused; then the change ends other sessions, keeps this one, and the old password stops working', async () => {
    const { p, agent } = await person();
    const other = client(app);
    expect((await logIn(other, p.email!, PASSWORD)).status).toBe(302);
    const page = await agent.get('/profile/password');
    expect(visibleText(page.text)).toContain('PIM Wachtwoord wijzigen');
    expect(visibleText(page.text)).toContain(`Gebruikersnaam ${p.email} Huidig wachtwoord`);

    const wrong = await submitForm(agent, '/profile/password', '/profile/password', {
      current: 'this is not it at all',
      password: NEW,
      confirm: NEW,
    });
    expect(wrong.status).toBe(422);
    expect(visibleText(wrong.text)).toContain('Het huidige wachtwoord is niet juist. Er is niets gewijzigd.');
    expect((await other.get('/profile')).status).toBe(200);

    const ok = await submitForm(agent, '/profile/password', '/profile/password', {
      current: PASSWORD,
      password: NEW,
      confirm: NEW,
    });
    expect(ok.status).toBe(302);
    // The password change lives under Beveiliging now.
    expect(ok.headers.location).toBe('/profile/security');
    const after = await agent.get('/profile/security');
    expect(after.status).toBe(200);
    expect(visibleText(after.text)).toContain('Uw wachtwoord is gewijzigd.');
    const notice = await db.prisma.mailOutbox.findFirstOrThrow({
      where: { recipient: p.email!, subject: 'Uw beveiliging is gewijzigd' },
    });
    expect(notice.text).toContain('Uw wachtwoord is gewijzigd.');
    expect(notice.text).not.toContain(NEW);
    // The other session is off the list of sessions too.
    expect(
      (await db.pool.query(`SELECT count(*)::int AS n FROM session WHERE contact_id = $1 AND expire >= now()`, [p.id]))
        .rows[0].n,
    ).toBe(1);
    // The other browser is logged out on its next request.
    const otherAfter = await other.get('/profile');
    expect(otherAfter.status).toBe(302);
    expect(otherAfter.headers.location).toMatch(/^\/login/);
    expect((await logIn(client(app), p.email!, PASSWORD)).status).toBe(401);
    expect((await logIn(client(app), p.email!, NEW)).status).toBe(302);
    const audit = await db.prisma.auditEvent.findMany({ where: { kind: 'password.changed', subjectId: String(p.id) } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actorId).toBe(p.id);
    // And this session still works for forms (a new CSRF token comes with the new session).
    expect((await submitForm(agent, '/profile/edit', '/profile/edit', await formOf(agent))).status).toBe(302);
  });

  it('locks the form after five wrong current passwords, even for the right one', async () => {
    const { p, agent } = await person();
    const hash = (await db.prisma.contact.findUniqueOrThrow({ where: { id: p.id } })).passwordHash;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push(
        (
          await submitForm(agent, '/profile/password', '/profile/password', {
            current: `wrong guess number ${i}`,
            password: NEW,
            confirm: NEW,
          })
        ).status,
      );
    }
    expect(statuses).toEqual([422, 422, 422, 422, 429]);
    const right = await submitForm(agent, '/profile/password', '/profile/password', {
      current: PASSWORD,
      password: NEW,
      confirm: NEW,
    });
    expect(right.status).toBe(429);
    expect(visibleText(right.text)).toContain('Te vaak een onjuist wachtwoord.');
    expect((await db.prisma.contact.findUniqueOrThrow({ where: { id: p.id } })).passwordHash).toBe(hash);
  });
});
