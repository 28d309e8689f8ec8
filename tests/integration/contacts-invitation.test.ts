import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type { ParsedMail } from 'mailparser';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, csrfFrom, logIn, submitForm, testApp, visibleText, type TestClock } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { deliverDue, smtpTransport } from '../../src/mail/mailer.js';
import { formatDateTime } from '../../src/i18n/index.js';

let db: TestDb;
let app: Express;
let clock: TestClock;
let smtp: TestSmtp;

beforeAll(async () => {
  db = await createTestDb();
  smtp = await startSmtp();
  ({ app, clock } = testApp(db));
});
afterAll(async () => {
  await smtp.close();
  await db.drop();
});

async function deliver(): Promise<ParsedMail[]> {
  const before = smtp.messages.length;
  const n = await deliverDue(db.prisma, smtpTransport(smtp.url), 'PIM <noreply@pim.test>');
  return (await smtp.waitFor(before + n)).slice(before);
}
const linkIn = (mail: ParsedMail) => /http:\/\/pim\.test(\/password\/reset\/[A-Za-z0-9_-]{43})/.exec(mail.text!)![1]!;
const state = async () => ({
  tokens: await db.prisma.passwordToken.count(),
  mails: await db.prisma.mailOutbox.count(),
  events: await db.prisma.auditEvent.count({ where: { kind: 'contact.reinvited' } }),
});

/** A customer with a logged-in main contact and a colleague who has web access but no password yet. */
async function invitedColleague() {
  const org = await makeOrg(db.prisma);
  const main = await makePerson(db.prisma, org.id, { main: true, roles: [], firstName: 'Jan', lastName: 'Jansen' });
  const agent = client(app);
  expect((await logIn(agent, main.email!, PASSWORD)).status).toBe(302);
  const kim = await makePerson(db.prisma, org.id, {
    roles: ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA'],
    password: null,
    firstName: 'Kim',
    lastName: 'Sanders',
  });
  return { org, main, agent, kim };
}

describe('"Uitnodiging (opnieuw) sturen" on the contact\'s page', () => {
  it('shows the real state; sends a first link, then a new one; the old one stops working, the new one sets the password; an audit event records who', async () => {
    const { agent, kim, main } = await invitedColleague();
    // Never invited: said so, and the action is a first invitation (no "previous link" that does not exist).
    const never = visibleText((await agent.get(`/contacts/${kim.id}`)).text);
    expect(never).toContain('Toegang PIM nog geen login: nog niet uitgenodigd');
    expect(never).toContain('Uitnodiging sturen');
    expect(never).not.toContain('Uitnodiging opnieuw sturen');
    expect(never).not.toContain('vorige link');
    const first = await submitForm(agent, `/contacts/${kim.id}`, `/contacts/${kim.id}/invitation`, {});
    expect(first.status).toBe(302);
    const [mail1] = await deliver();
    const page = await agent.get(`/contacts/${kim.id}`);
    const text = visibleText(page.text);
    expect(text).toContain(`Er is een uitnodiging naar ${kim.email} gestuurd.`);
    expect(text).not.toContain('De vorige link werkt niet meer');
    const token = await db.prisma.passwordToken.findFirstOrThrow({ where: { contactId: kim.id, usedAt: null } });
    expect(text).toContain(
      `Toegang PIM nog geen login: uitgenodigd op ${formatDateTime('nl', clock.now())}, link geldig tot ${formatDateTime('nl', token.expiresAt)}`,
    );
    expect(text).toContain('Uitnodiging opnieuw sturen');
    expect(text).toContain('de vorige link werkt dan niet meer');
    expect(text).toContain('Laatst ingelogd nog nooit');

    const again = await agent
      .post(`/contacts/${kim.id}/invitation`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    expect(again.status).toBe(302);
    expect(visibleText((await agent.get(`/contacts/${kim.id}`)).text)).toContain(
      `Er is een nieuwe uitnodiging naar ${kim.email} gestuurd. De vorige link werkt niet meer.`,
    );
    const [mail2] = await deliver();
    expect(mail2!.subject).toBe('Uw toegang tot PIM');
    const old = linkIn(mail1!);
    const fresh = linkIn(mail2!);
    expect(fresh).not.toBe(old);
    expect((await client(app).get(old)).status).toBe(410);
    const browser = client(app);
    expect(
      (
        await submitForm(browser, fresh, fresh, {
          password: 'een goed lang wachtwoord',
          confirm: 'een goed lang wachtwoord',
        })
      ).status,
    ).toBe(302);
    const events = await db.prisma.auditEvent.findMany({
      where: { kind: { in: ['contact.invited', 'contact.reinvited'] }, subjectId: String(kim.id) },
      orderBy: { id: 'asc' },
    });
    expect(events.map((e) => [e.kind, e.actorId])).toEqual([
      ['contact.invited', main.id],
      ['contact.reinvited', main.id],
    ]);

    // Now that Kim has a password there is nothing to resend: refused, nothing sent.
    const before = await state();
    const page2 = await agent.get(`/contacts/${kim.id}`);
    expect(visibleText(page2.text)).not.toContain('Uitnodiging opnieuw sturen');
    const refused = await agent
      .post(`/contacts/${kim.id}/invitation`)
      .type('form')
      .send({ _csrf: csrfFrom(page2.text) });
    expect(refused.status).toBe(409);
    expect(visibleText(refused.text)).toContain(
      'Er is geen uitnodiging verstuurd: Kim Sanders heeft al een wachtwoord of een gekoppelde login.',
    );
    expect(await state()).toEqual(before);
  });

  it('at most five an hour per manager: the sixth is refused with 429 and sends nothing; an hour later it works again', async () => {
    const { agent, kim, org, main } = await invitedColleague();
    const page = await agent.get(`/contacts/${kim.id}`);
    const csrf = csrfFrom(page.text);
    for (let i = 0; i < 5; i++)
      expect((await agent.post(`/contacts/${kim.id}/invitation`).type('form').send({ _csrf: csrf })).status).toBe(302);
    const before = await state();
    const sixth = await agent.post(`/contacts/${kim.id}/invitation`).type('form').send({ _csrf: csrf });
    expect(sixth.status).toBe(429);
    expect(visibleText(sixth.text)).toContain('U heeft het afgelopen uur al vijf uitnodigingen opnieuw gestuurd.');
    expect(await state()).toEqual(before);
    // The count is the manager's own: a colleague manager can still send one.
    const colleague = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_CONTACTS'] });
    const other = client(app);
    await logIn(other, colleague.email!, PASSWORD);
    expect((await submitForm(other, `/contacts/${kim.id}`, `/contacts/${kim.id}/invitation`, {})).status).toBe(302);
    clock.advance(61 * 60_000);
    // (The session has expired meanwhile: the same manager logs in again.)
    const later = client(app);
    await logIn(later, main.email!, PASSWORD);
    expect((await submitForm(later, `/contacts/${kim.id}`, `/contacts/${kim.id}/invitation`, {})).status).toBe(302);
  });

  it("is refused without the CSRF token, for someone who cannot log in, and outside the manager's organisations; nothing is sent", async () => {
    const { agent, kim, org } = await invitedColleague();
    const before = await state();
    expect((await agent.post(`/contacts/${kim.id}/invitation`).type('form').send({})).status).toBe(403);
    const noRole = await makePerson(db.prisma, org.id, {
      roles: [],
      password: null,
      firstName: 'Roy',
      lastName: 'Williams',
    });
    const page = await agent.get(`/contacts/${noRole.id}`);
    expect(visibleText(page.text)).not.toContain('Uitnodiging opnieuw sturen');
    expect(visibleText(page.text)).not.toContain('Uitnodiging sturen');
    const refused = await agent
      .post(`/contacts/${noRole.id}/invitation`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    expect(refused.status).toBe(409);
    expect(visibleText(refused.text)).toContain(
      "zonder de rol 'Toegang klantportaal PIM' kan Roy Williams niet inloggen",
    );
    const foreignOrg = await makeOrg(db.prisma);
    const foreign = await makePerson(db.prisma, foreignOrg.id, { roles: ['PORTAL_ACCESS'], password: null });
    expect(
      (
        await agent
          .post(`/contacts/${foreign.id}/invitation`)
          .type('form')
          .send({ _csrf: csrfFrom(page.text) })
      ).status,
    ).toBe(404);
    // Without MANAGE_CONTACTS: 403.
    const plain = client(app);
    await logIn(plain, (await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS'] })).email!, PASSWORD);
    const home = await plain.get('/');
    expect(
      (
        await plain
          .post(`/contacts/${kim.id}/invitation`)
          .type('form')
          .send({ _csrf: csrfFrom(home.text) })
      ).status,
    ).toBe(403);
    expect(await state()).toEqual(before);
  });
});

describe('"Laatst ingelogd" on the contact\'s page', () => {
  it('shows the time of the last password login', async () => {
    const { agent, org } = await invitedColleague();
    const lisa = await makePerson(db.prisma, org.id, {
      roles: ['PORTAL_ACCESS'],
      firstName: 'Lisa',
      lastName: 'de Vries',
    });
    expect(visibleText((await agent.get(`/contacts/${lisa.id}`)).text)).toContain('Laatst ingelogd nog nooit');
    clock.advance(5 * 60_000);
    const at = clock.now();
    expect((await logIn(client(app), lisa.email!, PASSWORD)).status).toBe(302);
    expect(visibleText((await agent.get(`/contacts/${lisa.id}`)).text)).toContain(
      `Laatst ingelogd ${formatDateTime('nl', at)}`,
    );
    const event = await db.prisma.auditEvent.findFirstOrThrow({ where: { kind: 'login.password', actorId: lisa.id } });
    expect(event.organizationId).toBe(org.id);
  });
});
