import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, csrfFrom, logIn, submitForm, testApp, visibleText, type TestClock } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { deliverDue, smtpTransport } from '../../src/mail/mailer.js';

let db: TestDb;
let app: Express;
let clock: TestClock;
let settle: () => Promise<void>;
let smtp: TestSmtp;

beforeAll(async () => {
  db = await createTestDb();
  smtp = await startSmtp();
  ({ app, clock, settle } = testApp(db));
});
afterAll(async () => {
  await smtp.close();
  await db.drop();
});

/** Runs the outbox worker once against the real SMTP server. */
const sendMail = () => deliverDue(db.prisma, smtpTransport(smtp.url), 'PIM <noreply@pim.test>');

function linkIn(text: string): string {
  const m = /http:\/\/pim\.test(\/password\/reset\/[A-Za-z0-9_-]+)/.exec(text);
  if (!m?.[1]) throw new Error(`no reset link in: ${text}`);
  return m[1];
}

async function requestReset(email: string, host?: string) {
  const agent = client(app);
  const page = await agent.get('/password/forgot');
  const req = agent.post('/password/forgot').type('form');
  if (host) req.set('Host', host);
  const res = await req.send({ _csrf: csrfFrom(page.text), email });
  await settle(); // the work after the answer
  return res;
}

describe('forgotten password', () => {
  it('the whole journey: request, mail, link, new password works, old one does not, link works once', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id, { firstName: 'Lisa', lastName: 'de Vries' });
    const before = smtp.messages.length;
    // A forged Host header must not end up in the link.
    const res = await requestReset(p.email!, 'evil.example');
    expect(res.status).toBe(200);
    expect(visibleText(res.text)).toContain('Controleer uw e-mail');
    expect(await sendMail()).toBe(1);
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail!.to && 'text' in mail!.to ? mail!.to.text : '').toBe(p.email);
    expect(mail!.subject).toBe('Nieuw wachtwoord instellen voor PIM');
    expect(mail!.text).toContain('Beste Lisa de Vries');
    expect(mail!.text).not.toContain('evil.example');
    const link = linkIn(mail!.text!);

    // The token is stored only as a hash.
    const raw = link.split('/').pop()!;
    expect(await db.prisma.passwordToken.count({ where: { tokenHash: raw } })).toBe(0);
    expect(Buffer.from(raw, 'base64url').length).toBeGreaterThanOrEqual(32);

    const agent = client(app);
    const form = await agent.get(link);
    expect(visibleText(form.text)).toContain('Nieuw wachtwoord instellen');
    const newPassword = 'een nieuwe lange zin';
    const mismatch = await agent
      .post(link)
      .type('form')
      .send({ _csrf: csrfFrom(form.text), password: newPassword, confirm: 'iets anders helemaal' });
    expect(mismatch.status).toBe(422);
    expect(visibleText(mismatch.text)).toContain('De twee wachtwoorden zijn niet gelijk.');
    const short = await agent
      .post(link)
      .type('form')
      .send({ _csrf: csrfFrom(form.text), password: 'kort', confirm: 'kort' });
    expect(short.status).toBe(422);
    expect(visibleText(short.text)).toContain('minimaal 12 tekens');
    const done = await agent
      .post(link)
      .type('form')
      .send({ _csrf: csrfFrom(form.text), password: newPassword, confirm: newPassword });
    expect(done.status).toBe(302);
    expect(done.headers.location).toBe('/login');

    expect((await logIn(client(app), p.email!, PASSWORD)).status).toBe(401);
    expect((await logIn(client(app), p.email!, newPassword)).status).toBe(302);

    const again = await client(app).get(link);
    expect(again.status).toBe(410);
    expect(visibleText(again.text)).toContain('Deze link werkt niet meer');
    const events = await db.prisma.auditEvent.findMany({ where: { subjectId: String(p.id) }, orderBy: { id: 'asc' } });
    // (The login with the new password is an event too.)
    expect(events.map((e) => e.kind)).toEqual(['password.reset_requested', 'password.reset', 'login.password']);
  });

  it("ends the person's other sessions", async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    const elsewhere = client(app);
    expect((await logIn(elsewhere, p.email!, PASSWORD)).status).toBe(302);
    expect((await elsewhere.get('/')).status).toBe(200);
    const before = smtp.messages.length;
    await requestReset(p.email!);
    await sendMail();
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    const agent = client(app);
    const link = linkIn(mail!.text!);
    await submitForm(agent, link, link, {
      password: 'weer een nieuw wachtwoord',
      confirm: 'weer een nieuw wachtwoord',
    });
    expect((await elsewhere.get('/')).status).toBe(302);
  });

  it('an expired link fails', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    const before = smtp.messages.length;
    await requestReset(p.email!);
    await sendMail();
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    clock.advance(61 * 60_000);
    const link = linkIn(mail!.text!);
    const res = await client(app).get(link);
    expect(res.status).toBe(410);
    const post = await submitForm(client(app), '/password/forgot', link, {
      password: 'nog een nieuw wachtwoord',
      confirm: 'nog een nieuw wachtwoord',
    });
    expect(post.status).toBe(410);
    expect((await logIn(client(app), p.email!, PASSWORD)).status).toBe(302);
  });

  it('an unknown address, or one without access, sends nothing and gets the same answer', async () => {
    const org = await makeOrg(db.prisma);
    const noAccess = await makePerson(db.prisma, org.id, { webAccess: false });
    const known = await makePerson(db.prisma, org.id);
    const answers: string[] = [];
    const before = await db.prisma.mailOutbox.count();
    for (const email of ['unknown@example.nl', noAccess.email!]) {
      const res = await requestReset(email);
      expect(res.status).toBe(200);
      answers.push(visibleText(res.text).replace(email, 'ADDRESS'));
    }
    expect(await db.prisma.mailOutbox.count()).toBe(before);
    const res = await requestReset(known.email!);
    answers.push(visibleText(res.text).replace(known.email!, 'ADDRESS'));
    expect(await db.prisma.mailOutbox.count()).toBe(before + 1);
    expect(new Set(answers).size).toBe(1);
  });

  it('is rate-limited per address: the sixth request in an hour sends nothing, with the same answer', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    const before = await db.prisma.mailOutbox.count({ where: { recipient: p.email! } });
    for (let i = 0; i < 6; i++) expect((await requestReset(p.email!)).status).toBe(200);
    expect(await db.prisma.mailOutbox.count({ where: { recipient: p.email! } })).toBe(before + 5);
    clock.advance(16 * 60_000); // the lock is short: the owner can ask again a quarter of an hour later
    await requestReset(p.email!);
    expect(await db.prisma.mailOutbox.count({ where: { recipient: p.email! } })).toBe(before + 6);
  });

  it('rejects a malformed address with 422 and a message', async () => {
    const res = await requestReset('not-an-address');
    expect(res.status).toBe(422);
    expect(visibleText(res.text)).toContain('Vul een geldig e-mailadres in');
  });

  it('a made-up token is refused', async () => {
    expect((await client(app).get('/password/reset/' + 'A'.repeat(43))).status).toBe(410);
    expect((await client(app).get('/password/reset/short')).status).toBe(410);
  });
});
