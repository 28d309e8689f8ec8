import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapFlow } from 'imapflow';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { testApp, TestClock } from '../support/app.js';
import { makeOrg, makePerson } from '../support/factories.js';
import { makeTicket } from '../support/tickets-factories.js';
import { dovecotInstalled, startDovecot, type TestImap } from '../support/dovecot.js';
import { createServices, type Services } from '../../src/services.js';
import { createStorage } from '../../src/storage/index.js';
import { pollMailbox, type ImapPollerOptions } from '../../src/mail/inbound-imap.js';
import { replyAddress } from '../../src/mail/reply-address.js';
import type { Config } from '../../src/config.js';

// A real IMAP server: Debian's Dovecot, started by the test with a configuration of its own.
// .ci/run installs it (apt-get install dovecot-imapd); on a machine without it these tests skip.
if (!dovecotInstalled)
  console.warn('inbound-imap.test.ts skipped: Dovecot is not installed (apt-get install dovecot-imapd; .ci/run does)');

const DOMAIN = 'reply.pim.test';
let db: TestDb;
let imap: TestImap;
let config: Config;
let services: Services;
let opts: ImapPollerOptions;
const clock = new TestClock(Date.parse('2026-03-02T10:00:00+01:00'));

/** A client of the test mailbox, as the organisation's mail server would deliver into it. */
async function mailbox<T>(fn: (c: ImapFlow) => Promise<T>): Promise<T> {
  const c = new ImapFlow({
    host: '127.0.0.1',
    port: imap.port,
    secure: false,
    auth: { user: imap.user, pass: imap.pass },
    logger: false,
  });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.logout();
  }
}
const build = (mail: Mail.Options) => new MailComposer(mail).compile().build();
const deliverToMailbox = (raw: Buffer) => mailbox((c) => c.append('INBOX', raw));
const count = (folder: string) =>
  mailbox(async (c) => {
    const s = await c.status(folder, { messages: true });
    return s ? (s.messages ?? 0) : 0;
  });

describe.skipIf(!dovecotInstalled)('replies fetched from an IMAP mailbox', () => {
  beforeAll(async () => {
    db = await createTestDb();
    imap = await startDovecot();
    ({ config } = testApp(db, {
      clock,
      env: { INBOUND_MAIL_DOMAIN: DOMAIN, INBOUND_IMAP_URL: imap.url, HELPDESK_EMAIL: 'helpdesk@vcare.test' },
    }));
    services = createServices({
      db: db.prisma,
      clock,
      storage: createStorage(undefined, db.prisma),
      config,
      baseUrl: config.baseUrl,
    });
    const settings = config.inbound!.imap!;
    opts = {
      ...settings,
      maxBytes: config.inbound!.maxBytes,
      receive: (raw) => services.tickets.inbound.receive(raw),
    };
  });
  afterAll(async () => {
    await imap?.close();
    await db?.drop();
  });

  it('takes each message once (two instances polling at once), moves it to processed or refused', async () => {
    expect(config.tickets.replyDomain).toBe(DOMAIN);
    const org = await makeOrg(db.prisma);
    const reporter = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_OWN_TICKETS'] });
    await db.prisma.contact.update({ where: { id: reporter.id }, data: { language: 'en' } });
    const t = await makeTicket(db.prisma, org.id, { reporterId: reporter.id, status: 'WAITING_CUSTOMER' });
    const address = replyAddress(config.tickets.linkSecret, DOMAIN, t.id, reporter.id);
    const reply = build({
      from: reporter.email!,
      to: address,
      subject: 'Re: Ticket',
      messageId: `<imap-${t.id}@example.nl>`,
      text: 'The printer works again, thanks.\n\nOn Mon, 2 Mar 2026 at 10:00, PIM <noreply@pim.test> wrote:\n> ##- Reply above this line -##',
    });
    await deliverToMailbox(await reply);
    await deliverToMailbox(
      await build({
        from: reporter.email!,
        to: address,
        subject: 'Out of office',
        text: 'I am away.',
        headers: { 'Auto-Submitted': 'auto-replied' },
      }),
    );
    await deliverToMailbox(
      await build({
        from: 'someone@elsewhere.test',
        to: `reply+${t.id}-${reporter.id}-aaaaaaaaaaaaaaaa@${DOMAIN}`,
        subject: 'Hi',
        text: 'Let me in.',
      }),
    );

    // Two instances at the same moment: one takes the round, the other finds it taken.
    const rounds = await Promise.all([pollMailbox(db.prisma, opts), pollMailbox(db.prisma, opts)]);
    expect(rounds.sort()).toEqual([3, null]);
    const notes = await db.prisma.ticketNote.findMany({ where: { ticketId: t.id } });
    expect(notes.map((n) => [n.body, n.viaMail])).toEqual([['The printer works again, thanks.', true]]);
    expect((await db.prisma.ticket.findUniqueOrThrow({ where: { id: t.id } })).status).toBe('IN_PROGRESS');
    expect(await count('INBOX')).toBe(0);
    expect(await count(opts.processedFolder)).toBe(1);
    expect(await count(opts.refusedFolder)).toBe(2);
    // The forged one is answered (in the outbox), the auto-reply is not.
    const answers = await db.prisma.mailOutbox.findMany({
      where: { recipient: { in: ['someone@elsewhere.test', reporter.email!] } },
    });
    expect(answers.map((a) => [a.recipient, a.subject])).toEqual([
      ['someone@elsewhere.test', 'Uw bericht is niet verwerkt'],
    ]);

    // The same message delivered again (or left behind by a crash before the move): no second note.
    await deliverToMailbox(await reply);
    expect(await pollMailbox(db.prisma, opts)).toBe(1);
    expect(await db.prisma.ticketNote.count({ where: { ticketId: t.id } })).toBe(1);
    expect(await count(opts.processedFolder)).toBe(2);
    expect(await pollMailbox(db.prisma, opts)).toBe(0);
  });

  it('a message that cannot be taken now (the database failed) stays in the mailbox; the ones after it are taken', async () => {
    const org = await makeOrg(db.prisma);
    const reporter = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_OWN_TICKETS'] });
    const t = await makeTicket(db.prisma, org.id, { reporterId: reporter.id, status: 'WAITING_CUSTOMER' });
    const address = replyAddress(config.tickets.linkSecret, DOMAIN, t.id, reporter.id);
    for (const n of [1, 2])
      await deliverToMailbox(
        await build({
          from: reporter.email!,
          to: address,
          subject: 'Re: Ticket',
          messageId: `<fails-${t.id}-${n}@example.nl>`,
          text: `Poging ${n}`,
        }),
      );
    const failing: ImapPollerOptions = {
      ...opts,
      receive: async (raw) => {
        if (raw.includes(`<fails-${t.id}-1@example.nl>`)) throw new Error('connection terminated unexpectedly');
        return opts.receive(raw);
      },
    };
    expect(await pollMailbox(db.prisma, failing)).toBe(1);
    expect((await db.prisma.ticketNote.findMany({ where: { ticketId: t.id } })).map((n) => n.body)).toEqual([
      'Poging 2',
    ]);
    expect(await count('INBOX')).toBe(1);
    // The database is back: the next round takes it.
    expect(await pollMailbox(db.prisma, opts)).toBe(1);
    expect(await db.prisma.ticketNote.count({ where: { ticketId: t.id } })).toBe(2);
    expect(await count('INBOX')).toBe(0);
  });

  it('a message over the size limit is moved to the refused folder without being read', async () => {
    const refusedBefore = await count(opts.refusedFolder);
    await deliverToMailbox(
      await build({ from: 'lisa@example.nl', to: `reply@${DOMAIN}`, subject: 'Groot', text: 'x'.repeat(5_000) }),
    );
    let read = 0;
    const small: ImapPollerOptions = {
      ...opts,
      maxBytes: 2_000,
      receive: (raw) => {
        read++;
        return opts.receive(raw);
      },
    };
    expect(await pollMailbox(db.prisma, small)).toBe(1);
    expect(read).toBe(0);
    expect(await count('INBOX')).toBe(0);
    expect(await count(opts.refusedFolder)).toBe(refusedBefore + 1);
  });

  it('a round asked to stop (SIGTERM) finishes the message in hand and leaves the rest for the next round', async () => {
    const org = await makeOrg(db.prisma);
    const reporter = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_OWN_TICKETS'] });
    const t = await makeTicket(db.prisma, org.id, { reporterId: reporter.id, status: 'WAITING_CUSTOMER' });
    const address = replyAddress(config.tickets.linkSecret, DOMAIN, t.id, reporter.id);
    const processedBefore = await count(opts.processedFolder);
    for (const n of [1, 2, 3])
      await deliverToMailbox(
        await build({
          from: reporter.email!,
          to: address,
          subject: 'Re: Ticket',
          messageId: `<stop-${t.id}-${n}@example.nl>`,
          text: `Antwoord ${n}`,
        }),
      );
    const stop = new AbortController();
    const stopping: ImapPollerOptions = {
      ...opts,
      // The stop arrives while the first message is being taken.
      receive: async (raw) => {
        stop.abort();
        return opts.receive(raw);
      },
    };
    expect(await pollMailbox(db.prisma, stopping, stop.signal)).toBe(1);
    expect(await db.prisma.ticketNote.count({ where: { ticketId: t.id } })).toBe(1);
    expect(await count('INBOX')).toBe(2);
    expect(await count(opts.processedFolder)).toBe(processedBefore + 1);
    // The next round (another instance, or this one after a restart) takes the other two, once.
    expect(await pollMailbox(db.prisma, opts)).toBe(2);
    const notes = await db.prisma.ticketNote.findMany({ where: { ticketId: t.id }, orderBy: { id: 'asc' } });
    expect(notes.map((n) => n.body).sort()).toEqual(['Antwoord 1', 'Antwoord 2', 'Antwoord 3']);
    expect(await count('INBOX')).toBe(0);
  });
});
