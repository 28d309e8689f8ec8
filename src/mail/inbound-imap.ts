import { ImapFlow } from 'imapflow';
import type { PrismaClient } from '../db/client.js';
import { log } from '../log.js';
import { startWorkerLoop, type WorkerLoop } from '../jobs/worker-loop.js';
import { systemClock, type Clock } from '../clock.js';
import {
  accessTokenSource,
  ImapTokenError,
  type AccessTokenSource,
  type ImapAuth,
  type ImapOAuth,
} from './imap-oauth.js';

/** What the poller hands each message to (the tickets' inbound service); its status picks the folder. */
export type ReceiveFromMailbox = (raw: Buffer) => Promise<{ status: string }>;

/** The poller's settings (INBOUND_IMAP_*). */
export interface ImapPollerOptions {
  /**
   * imap[s]://user[:password]@host[:port]/FOLDER (user and password percent-encoded; FOLDER default
   * INBOX); with OAuth2 the user is the mailbox address and there is no password.
   */
  url: string;
  /** Password login (the default), or an OAuth2 access token from Microsoft 365 or Google. */
  auth?: ImapAuth;
  /** The token's lifetime and the JWT's times are read from this (tests move it). */
  clock?: Clock;
  intervalMs: number;
  processedFolder: string;
  refusedFolder: string;
  maxBytes: number;
  receive: ReceiveFromMailbox;
  /** Tests only: accept the test server's self-signed certificate. */
  tlsInsecure?: boolean;
}

/** One advisory-lock key for the poll round: every instance polls, one at a time ("PIM IMAP"). */
const POLL_LOCK = 0x50494d49;

/** How long one round may hold its lock (a large mailbox after an outage). */
const ROUND_MS = 10 * 60_000;

/**
 * A round takes no new message after this, well inside its lock's life: the transaction (and with
 * it the lock) ends at ROUND_MS, and a round still going then would poll beside another instance's.
 * What is left waits for the next round.
 */
const ROUND_BUDGET_MS = ROUND_MS / 2;

/**
 * Takes the messages waiting in the mailbox, once: each is handed to `receive`, then moved to the
 * processed folder (a note, or already taken) or the refused one (refused, ignored, too large). The
 * round runs under a PostgreSQL advisory lock, so two instances never take the same message; a crash
 * between receiving and moving leaves it for the next round, where its Message-ID makes it a
 * duplicate (no second note) and it is moved on. Returns how many messages were taken (0 also when
 * no OAuth2 token could be had or the server refused the login: logged, the messages wait for the
 * next round), or null when another instance holds the round. After `signal` aborts (or half the
 * lock's life) the round takes no further message; those wait for the next round.
 */
export async function pollMailbox(
  prisma: PrismaClient,
  opts: ImapPollerOptions,
  signal?: AbortSignal,
): Promise<number | null> {
  const url = new URL(opts.url);
  const user = decodeURIComponent(url.username);
  let login: { user: string; pass: string } | { user: string; accessToken: string };
  let tokens: AccessTokenSource | undefined;
  if (!opts.auth || opts.auth.kind === 'password') {
    login = { user, pass: decodeURIComponent(url.password) };
  } else {
    // Fetched before the round (outside its lock and transaction); a failure skips the round, the mail waits.
    tokens = tokenSourceFor(opts.auth, user);
    try {
      login = { user, accessToken: await tokens.get((opts.clock ?? systemClock).now()) };
    } catch (err) {
      if (!(err instanceof ImapTokenError)) throw err;
      log.warn(
        `inbound IMAP: no OAuth2 access token for ${user}, round skipped (messages stay in the mailbox): ${err.message}`,
      );
      return 0;
    }
  }
  return prisma.$transaction(
    async (tx) => {
      const [row] = await tx.$queryRaw<{ ok: boolean }[]>`SELECT pg_try_advisory_xact_lock(${POLL_LOCK}) AS ok`;
      if (!row?.ok) return null;
      const enough = AbortSignal.timeout(ROUND_BUDGET_MS);
      return pollRound(opts, url, login, tokens, signal ? AbortSignal.any([signal, enough]) : enough);
    },
    { timeout: ROUND_MS, maxWait: 10_000 },
  );
}

/** One token source per auth settings (per instance: the config's object), so rounds reuse the token. */
const tokenSources = new WeakMap<ImapOAuth, AccessTokenSource>();
function tokenSourceFor(auth: ImapOAuth, user: string): AccessTokenSource {
  let source = tokenSources.get(auth);
  if (!source) tokenSources.set(auth, (source = accessTokenSource(auth, user)));
  return source;
}

async function pollRound(
  opts: ImapPollerOptions,
  url: URL,
  login: { user: string; pass: string } | { user: string; accessToken: string },
  tokens: AccessTokenSource | undefined,
  enough: AbortSignal,
): Promise<number> {
  // imapflow logs in with AUTHENTICATE OAUTHBEARER (or XOAUTH2) when given accessToken instead of pass.
  const client = new ImapFlow({
    host: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === 'imaps:' ? 993 : 143,
    secure: url.protocol === 'imaps:',
    auth: login,
    logger: false,
    ...(opts.tlsInsecure ? { tls: { rejectUnauthorized: false } } : {}),
  });
  client.on('error', (err: Error) => log.warn('inbound IMAP', err));
  try {
    await client.connect();
  } catch (err) {
    const e = err as Error & { authenticationFailed?: boolean; response?: unknown };
    if (!e.authenticationFailed) throw err;
    // A refused token (revoked, or expired before its time) is dropped: the next round fetches a new one.
    tokens?.forget();
    const said = typeof e.response === 'string' && e.response ? `: ${e.response.slice(0, 200)}` : '';
    log.warn(
      `inbound IMAP: ${url.host} refused the ${tokens ? 'OAuth2' : 'password'} login of ${login.user}, round skipped ` +
        `(messages stay in the mailbox${tokens ? '; a new token is fetched next round' : ''})${said}`,
    );
    client.close();
    return 0;
  }
  let taken = 0;
  try {
    for (const folder of [opts.processedFolder, opts.refusedFolder]) {
      // Already there is the usual case; a server that refuses to create it shows up at the move.
      await client.mailboxCreate(folder).catch(() => undefined);
    }
    const inbox = decodeURIComponent(url.pathname.replace(/^\/+/, '')) || 'INBOX';
    const lock = await client.getMailboxLock(inbox);
    try {
      const uids = (await client.search({ deleted: false }, { uid: true })) || [];
      for (const uid of uids) {
        // Stopping (SIGTERM) or out of time: the message in hand was finished, the rest wait in the mailbox.
        if (enough.aborted) break;
        // The size first: a message over the limit is not downloaded at all.
        const head = await client.fetchOne(String(uid), { size: true }, { uid: true });
        if (!head) continue;
        let folder = opts.refusedFolder;
        if ((head.size ?? 0) <= opts.maxBytes) {
          const msg = await client.fetchOne(String(uid), { source: true }, { uid: true });
          if (!msg || !msg.source) continue;
          try {
            const outcome = await opts.receive(msg.source);
            if (outcome.status === 'processed' || outcome.status === 'duplicate') folder = opts.processedFolder;
          } catch (err) {
            // Left in the mailbox for the next round (the database may be back by then); the rest go on.
            log.error(`inbound IMAP: message ${uid} could not be taken; left in the mailbox`, err);
            continue;
          }
        } else {
          log.warn(`inbound IMAP: message ${uid} is larger than ${opts.maxBytes} bytes; moved to ${folder} untouched`);
        }
        await client.messageMove(String(uid), folder, { uid: true });
        taken += 1;
      }
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  return taken;
}

/** Polls the mailbox every `intervalMs` (src/jobs/worker-loop.ts); `stop()` ends the round after its message. */
export function startImapPoller(prisma: PrismaClient, opts: ImapPollerOptions): WorkerLoop {
  const loop = startWorkerLoop({
    name: 'inbound IMAP poller',
    intervalMs: opts.intervalMs,
    run: (signal) => pollMailbox(prisma, opts, signal),
  });
  void loop.kick();
  return loop;
}
