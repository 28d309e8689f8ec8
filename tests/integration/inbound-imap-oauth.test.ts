import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { testApp, TestClock } from '../support/app.js';
import { makeOrg, makePerson } from '../support/factories.js';
import { makeTicket } from '../support/tickets-factories.js';
import { dovecotInstalled, startDovecot, type TestImap } from '../support/dovecot.js';
import { startTokenServer, type TestTokenServer } from '../support/oauth-token-server.js';
import { createServices } from '../../src/services.js';
import { createStorage } from '../../src/storage/index.js';
import { pollMailbox, startImapPoller, type ImapPollerOptions } from '../../src/mail/inbound-imap.js';
import { replyAddress } from '../../src/mail/reply-address.js';
import { log } from '../../src/log.js';
import type { Config } from '../../src/config.js';

// Dovecot (Debian's dovecot-imapd, as in inbound-imap.test.ts) with its oauth2 passdb, asking a
// token endpoint on loopback (tests/support/oauth-token-server.ts) whether a token is good.
if (!dovecotInstalled)
  console.warn(
    'inbound-imap-oauth.test.ts skipped: Dovecot is not installed (apt-get install dovecot-imapd; .ci/run does)',
  );

const DOMAIN = 'reply.pim.test';
const MAILBOX = 'replies@pim.test';
const clock = new TestClock(Date.parse('2026-03-02T10:00:00+01:00'));
let db: TestDb;
let tokens: TestTokenServer;
/** Outlook's way: XOAUTH2 only. */
let outlook: TestImap;
/** Gmail's way: OAUTHBEARER (imapflow's first choice) and XOAUTH2. */
let gmail: TestImap;
let keyDir: string;
const warnings: string[] = [];

/** The poller's options as the server builds them from these settings. */
function poller(imap: TestImap, env: Record<string, string>): { opts: ImapPollerOptions; config: Config } {
  const { config } = testApp(db, {
    clock,
    env: {
      INBOUND_MAIL_DOMAIN: DOMAIN,
      INBOUND_IMAP_URL: `imap://${encodeURIComponent(MAILBOX)}@127.0.0.1:${imap.port}/INBOX`,
      HELPDESK_EMAIL: 'helpdesk@vcare.test',
      ...env,
    },
  });
  const services = createServices({
    db: db.prisma,
    clock,
    storage: createStorage(undefined, db.prisma),
    config,
    baseUrl: config.baseUrl,
  });
  const opts: ImapPollerOptions = {
    ...config.inbound!.imap!,
    clock,
    maxBytes: config.inbound!.maxBytes,
    receive: (raw) => services.tickets.inbound.receive(raw),
  };
  return { opts, config };
}

const microsoft = (imap: TestImap, secret = tokens.microsoft.clientSecret) =>
  poller(imap, {
    INBOUND_IMAP_AUTH: 'oauth2-microsoft',
    INBOUND_IMAP_OAUTH_CLIENT_ID: tokens.microsoft.clientId,
    INBOUND_IMAP_OAUTH_CLIENT_SECRET: secret,
    INBOUND_IMAP_OAUTH_TOKEN_URL: tokens.tokenUrl,
  });

function google(imap: TestImap, keyFile: string) {
  const file = path.join(keyDir, `key-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, keyFile);
  return poller(imap, { INBOUND_IMAP_AUTH: 'oauth2-google', INBOUND_IMAP_OAUTH_KEY_FILE: file });
}

/** The organisation's mail server delivering into the mailbox (password login, as Dovecot's own user). */
async function mailbox<T>(imap: TestImap, fn: (c: ImapFlow) => Promise<T>): Promise<T> {
  const c = new ImapFlow({
    host: '127.0.0.1',
    port: imap.port,
    secure: false,
    auth: { user: imap.user, pass: imap.pass, loginMethod: 'AUTH=PLAIN' },
    logger: false,
  });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.logout();
  }
}
const inbox = (imap: TestImap) =>
  mailbox(imap, async (c) => {
    const s = await c.status('INBOX', { messages: true });
    return s ? (s.messages ?? 0) : 0;
  });

/** A person's reply to the mail of a new ticket of theirs, delivered into the mailbox. */
async function replyInMailbox(imap: TestImap, config: Config, text: string) {
  const org = await makeOrg(db.prisma);
  const reporter = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_OWN_TICKETS'] });
  const t = await makeTicket(db.prisma, org.id, { reporterId: reporter.id, status: 'WAITING_CUSTOMER' });
  const raw = await new MailComposer({
    from: reporter.email!,
    to: replyAddress(config.tickets.linkSecret, DOMAIN, t.id, reporter.id),
    subject: 'Re: Ticket',
    messageId: `<oauth-${t.id}@example.nl>`,
    text,
  })
    .compile()
    .build();
  await mailbox(imap, (c) => c.append('INBOX', raw));
  return { notes: () => db.prisma.ticketNote.findMany({ where: { ticketId: t.id }, select: { body: true } }) };
}

describe.skipIf(!dovecotInstalled)('replies fetched from a mailbox with an OAuth2 login', () => {
  beforeAll(async () => {
    db = await createTestDb();
    tokens = await startTokenServer(MAILBOX, () => clock.now());
    [outlook, gmail] = await Promise.all([
      startDovecot({ user: MAILBOX, oauth2: { introspectionUrl: tokens.introspectionUrl, mechanisms: ['xoauth2'] } }),
      startDovecot({ user: MAILBOX, oauth2: { introspectionUrl: tokens.introspectionUrl } }),
    ]);
    keyDir = mkdtempSync(path.join(os.tmpdir(), 'pim-oauth-key-'));
    vi.spyOn(log, 'warn').mockImplementation((msg: string) => void warnings.push(msg));
  });
  afterEach(() => {
    // No secret, token or key in any line the poller wrote.
    for (const line of warnings) {
      expect(line).not.toContain(tokens.microsoft.clientSecret);
      expect(line).not.toContain('PRIVATE KEY');
    }
    warnings.length = 0;
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await Promise.all([outlook?.close(), gmail?.close()]);
    await tokens?.close();
    if (keyDir) rmSync(keyDir, { recursive: true, force: true });
    await db?.drop();
  });

  it('Microsoft 365: a client-credentials token logs in (XOAUTH2), is reused, and is renewed when it ends or is revoked', async () => {
    const { opts, config } = microsoft(outlook);
    expect(opts.auth).toMatchObject({ kind: 'oauth2-microsoft', scope: 'https://outlook.office365.com/.default' });
    const first = await replyInMailbox(outlook, config, 'Works again, thanks.');
    const before = tokens.requests;

    expect(await pollMailbox(db.prisma, opts)).toBe(1);
    expect(await first.notes()).toEqual([{ body: 'Works again, thanks.' }]);
    expect(await inbox(outlook)).toBe(0);
    expect(tokens.requests - before).toBe(1);

    // Within its lifetime (an hour) the token is reused: three more rounds, no new request.
    for (let i = 0; i < 3; i++) {
      clock.advance(10 * 60_000);
      expect(await pollMailbox(db.prisma, opts)).toBe(0);
    }
    expect(tokens.requests - before).toBe(1);
    // Shortly before it expires (5 minutes) a new one is fetched.
    clock.advance(26 * 60_000);
    expect(await pollMailbox(db.prisma, opts)).toBe(0);
    expect(tokens.requests - before).toBe(2);

    // Revoked at the provider: the login is refused, the round skipped, the reply waits in the mailbox.
    tokens.revokeAll();
    const second = await replyInMailbox(outlook, config, 'One more thing.');
    expect(await pollMailbox(db.prisma, opts)).toBe(0);
    expect(await second.notes()).toEqual([]);
    expect(await inbox(outlook)).toBe(1);
    expect(tokens.requests - before).toBe(2);
    expect(warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^inbound IMAP: 127\\.0\\.0\\.1:${outlook.port} refused the OAuth2 login of replies@pim\\.test, round skipped`,
        ),
      ),
    ]);
    // The next round fetches a new token and takes it.
    expect(await pollMailbox(db.prisma, opts)).toBe(1);
    expect(tokens.requests - before).toBe(3);
    expect(await second.notes()).toEqual([{ body: 'One more thing.' }]);
    expect(await inbox(outlook)).toBe(0);
  });

  it('Microsoft 365: a wrong client secret gets no token; nothing is taken, the poller goes on, the mail waits', async () => {
    const { opts, config } = microsoft(outlook, 'not-the-secret');
    const reply = await replyInMailbox(outlook, config, 'Still broken.');
    const before = tokens.requests;
    expect(await pollMailbox(db.prisma, opts)).toBe(0);
    expect(warnings).toEqual([
      `inbound IMAP: no OAuth2 access token for replies@pim.test, round skipped (messages stay in the mailbox): ` +
        `token endpoint 127.0.0.1:${new URL(tokens.tokenUrl).port} refused (invalid_client): AADSTS7000215: Invalid client secret provided.`,
    ]);
    expect(warnings[0]).not.toContain('not-the-secret');
    // The running poller (the server's loop) survives rounds like this and asks again each round.
    const loop = startImapPoller(db.prisma, { ...opts, intervalMs: 3_600_000 });
    await loop.kick();
    await loop.stop();
    expect(tokens.requests - before).toBeGreaterThanOrEqual(2);
    expect(await reply.notes()).toEqual([]);
    expect(await inbox(outlook)).toBe(1);

    // Once the secret is right, the waiting reply becomes its note: nothing was lost.
    const fixed = microsoft(outlook);
    expect(await pollMailbox(db.prisma, fixed.opts)).toBe(1);
    expect(await reply.notes()).toEqual([{ body: 'Still broken.' }]);
  });

  it('Google Workspace: the service account key file signs a JWT for the mailbox; the token logs in (OAUTHBEARER) and is reused', async () => {
    const { opts, config } = google(gmail, tokens.google.keyFile(tokens.tokenUrl));
    expect(opts.auth).toMatchObject({ kind: 'oauth2-google', scope: 'https://mail.google.com/', keyId: 'test-key-1' });
    const reply = await replyInMailbox(gmail, config, 'Thanks, solved.');
    const before = tokens.requests;
    expect(await pollMailbox(db.prisma, opts)).toBe(1);
    expect(await reply.notes()).toEqual([{ body: 'Thanks, solved.' }]);
    clock.advance(30 * 60_000);
    expect(await pollMailbox(db.prisma, opts)).toBe(0);
    expect(tokens.requests - before).toBe(1);
    expect(warnings).toEqual([]);
  });

  it('Google Workspace: a key the provider does not know gets no token; the reply stays in the mailbox', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const forged = { ...JSON.parse(tokens.google.keyFile(tokens.tokenUrl)), private_key: other };
    const { opts, config } = google(gmail, JSON.stringify(forged));
    const reply = await replyInMailbox(gmail, config, 'Please call me.');
    expect(await pollMailbox(db.prisma, opts)).toBe(0);
    expect(warnings).toEqual([expect.stringContaining('refused (invalid_grant): Invalid JWT Signature.')]);
    expect(await reply.notes()).toEqual([]);
    expect(await inbox(gmail)).toBe(1);
  });
});
