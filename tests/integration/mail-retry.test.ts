import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { client, csrfFrom, testApp, TestClock } from '../support/app.js';
import { makeOrg, makePerson } from '../support/factories.js';
import { enqueueMail } from '../../src/mail/outbox.js';
import { deliverDue, smtpTransport } from '../../src/mail/mailer.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { runCli } from '../../src/cli/program.js';

let db: TestDb;
let smtp: TestSmtp;
let refusing = true;
const FROM = 'PIM <noreply@pim.test>';

beforeAll(async () => {
  db = await createTestDb();
  smtp = await startSmtp(0, { refuse: () => refusing });
});
afterAll(async () => {
  await smtp.close();
  await db.drop();
});

const config = (env: Record<string, string> = {}) => loadConfig({ NODE_ENV: 'test', ...env });
const row = (to: string) => db.prisma.mailOutbox.findFirstOrThrow({ where: { recipient: to } });
const arrived = (to: string) => smtp.messages.filter((m) => m.to && JSON.stringify(m.to).includes(to)).length;

async function pim(now: Date, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    prisma: db.prisma,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    now: () => now,
    baseUrl: 'http://pim.test',
  });
  return { code, out, err };
}

describe('MAIL_RETRY_SCHEDULE and MAIL_GIVE_UP_HOURS', () => {
  it('default: short first retries, at most five minutes apart, given up after 48 hours', () => {
    expect(config().mailRetry).toEqual({ scheduleMs: [15_000, 60_000, 120_000, 300_000], giveUpMs: 48 * 3_600_000 });
    expect(config({ MAIL_RETRY_SCHEDULE: '10s, 30s,2m', MAIL_GIVE_UP_HOURS: '6' }).mailRetry).toEqual({
      scheduleMs: [10_000, 30_000, 120_000],
      giveUpMs: 6 * 3_600_000,
    });
  });

  it('a bad value stops the start with a message naming the variable', () => {
    expect(() => config({ MAIL_RETRY_SCHEDULE: '10s,soon' })).toThrow(ConfigError);
    expect(() => config({ MAIL_RETRY_SCHEDULE: '10s,soon' })).toThrow(/MAIL_RETRY_SCHEDULE: "soon"/);
    expect(() => config({ MAIL_RETRY_SCHEDULE: '0s' })).toThrow(/MAIL_RETRY_SCHEDULE/);
    expect(() => config({ MAIL_GIVE_UP_HOURS: '-1' })).toThrow(/MAIL_GIVE_UP_HOURS/);
  });
});

describe('the outbox with an SMTP server that refuses, then accepts', () => {
  it('retries on the schedule by the app clock and delivers once SMTP accepts, exactly once', async () => {
    const policy = config({ MAIL_RETRY_SCHEDULE: '10s,30s' }).mailRetry;
    refusing = true;
    await enqueueMail(db.prisma, { to: 'wacht@example.nl', subject: 'Even geduld', text: 'x' });
    // The app's clock starts when the mail became due; from then on only the test moves it.
    const clock = new TestClock((await row('wacht@example.nl')).nextAttemptAt.getTime());
    const send = () => deliverDue(db.prisma, smtpTransport(smtp.url), FROM, { now: clock.now(), policy });
    expect(await send()).toBe(0);
    const first = await row('wacht@example.nl');
    expect(first.attempts).toBe(1);
    expect(first.lastError).toMatch(/451/);
    expect(first.nextAttemptAt.getTime()).toBe(clock.now().getTime() + 10_000);

    clock.advance(9_000);
    expect(await send()).toBe(0);
    expect((await row('wacht@example.nl')).attempts).toBe(1); // not due yet: no attempt
    clock.advance(1_000);
    expect(await send()).toBe(0);
    const second = await row('wacht@example.nl');
    expect(second.attempts).toBe(2);
    expect(second.nextAttemptAt.getTime()).toBe(clock.now().getTime() + 30_000);

    refusing = false;
    clock.advance(30_000);
    expect(await send()).toBe(1);
    await smtp.waitFor(1);
    expect(arrived('wacht@example.nl')).toBe(1);
    clock.advance(3_600_000);
    expect(await send()).toBe(0);
    expect(arrived('wacht@example.nl')).toBe(1);
  });

  it('gives up after MAIL_GIVE_UP_HOURS into a failed state; staff see it and put it back', async () => {
    const policy = config({ MAIL_GIVE_UP_HOURS: '1' }).mailRetry;
    refusing = true;
    await enqueueMail(db.prisma, { to: 'opgegeven@example.nl', subject: 'Factuur', text: 'x' });
    const clock = new TestClock((await row('opgegeven@example.nl')).nextAttemptAt.getTime());
    let m = await row('opgegeven@example.nl');
    for (let i = 0; i < 40 && !m.failedAt; i++) {
      await deliverDue(db.prisma, smtpTransport(smtp.url), FROM, { now: clock.now(), policy });
      m = await row('opgegeven@example.nl');
      clock.advance(Math.max(0, m.nextAttemptAt.getTime() - clock.now().getTime()));
    }
    expect(m.failedAt).not.toBeNull();
    // 15 s, 1, 2 and then every 5 minutes: a dozen attempts in the hour, not one every 30 minutes.
    expect(m.attempts).toBeGreaterThan(10);
    expect(m.failedAt!.getTime() - m.createdAt.getTime()).toBeLessThanOrEqual(3_600_000);

    refusing = false;
    clock.advance(600_000);
    expect(await deliverDue(db.prisma, smtpTransport(smtp.url), FROM, { now: clock.now(), policy })).toBe(0);

    const list = await pim(clock.now(), 'mail:list', '--failed');
    expect(list.code).toBe(0);
    const line = list.out.find((l) => l.includes('opgegeven@example.nl'))!;
    expect(line.split('\t').slice(0, 2)).toEqual([String(m.id), 'failed']);
    expect(list.out.at(-1)).toMatch(/\d+ pending, [1-9]\d* failed/);

    const retry = await pim(clock.now(), 'mail:retry', String(m.id));
    expect(retry).toMatchObject({ code: 0, out: ['1 mail back in the outbox'] });
    expect(await db.prisma.auditEvent.count({ where: { kind: 'mail.retried', subjectId: String(m.id) } })).toBe(1);
    expect(await deliverDue(db.prisma, smtpTransport(smtp.url), FROM, { now: clock.now(), policy })).toBe(1);
    await smtp.waitFor(1);
    expect(arrived('opgegeven@example.nl')).toBe(1);
    expect((await pim(clock.now(), 'mail:retry', String(m.id))).err).toEqual([
      `error: <id>: mail ${m.id} is sent, not failed`,
    ]);
    expect((await pim(clock.now(), 'mail:retry')).err).toEqual(['error: give one mail id, or --all']);
  });

  it('a password-reset link is not sent after it expired: the mail fails as expired, and staff cannot send it late', async () => {
    const clock = new TestClock();
    const { app, settle } = testApp(db, { clock });
    const org = await makeOrg(db.prisma);
    const person = await makePerson(db.prisma, org.id, { email: 'laat@example.nl' });
    refusing = true;
    const agent = client(app);
    const page = await agent.get('/password/forgot');
    expect(
      (
        await agent
          .post('/password/forgot')
          .type('form')
          .send({ _csrf: csrfFrom(page.text), email: person.email! })
      ).status,
    ).toBe(200);
    await settle();
    const policy = config().mailRetry;
    const requestedAt = clock.now().getTime();
    clock.advance(Math.max(0, (await row('laat@example.nl')).nextAttemptAt.getTime() - requestedAt));
    expect(await deliverDue(db.prisma, smtpTransport(smtp.url), FROM, { now: clock.now(), policy })).toBe(0);
    const queued = await row('laat@example.nl');
    expect(queued.expiresAt!.getTime()).toBe(requestedAt + 3_600_000);
    expect(queued.attempts).toBe(1);

    // SMTP is back only after the link's hour.
    refusing = false;
    clock.advance(3_600_000 + 1_000);
    expect(await deliverDue(db.prisma, smtpTransport(smtp.url), FROM, { now: clock.now(), policy })).toBe(0);
    const expired = await row('laat@example.nl');
    expect(expired.sentAt).toBeNull();
    expect(expired.failedAt).not.toBeNull();
    expect(expired.lastError).toMatch(/^expired/);
    expect(arrived('laat@example.nl')).toBe(0);

    expect((await pim(clock.now(), 'mail:list', '--failed')).out.find((l) => l.includes('laat@example.nl'))).toMatch(
      /\texpired\t/,
    );
    const one = await pim(clock.now(), 'mail:retry', String(expired.id));
    expect(one.code).toBe(1);
    expect(one.err[0]).toMatch(/expired .* not sent late/);
    await pim(clock.now(), 'mail:retry', '--all');
    expect((await row('laat@example.nl')).failedAt).not.toBeNull();
    expect(await deliverDue(db.prisma, smtpTransport(smtp.url), FROM, { now: clock.now(), policy })).toBe(0);
    expect(arrived('laat@example.nl')).toBe(0);
  });
});
