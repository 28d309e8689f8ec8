import { createHash } from 'node:crypto';
import type { PrismaClient, Tx } from '../db/client.js';
import type { LoginMethod } from './actor.js';
import { describeUserAgent, type BrowserName } from './user-agent.js';

/**
 * A person's logged-in sessions, as the session store writes them (src/auth/session.ts).
 * A session counts as active while its row has not expired and carries the person's
 * current session epoch (a password change or "sign out everywhere" bumps the epoch).
 *
 * Ending a session sets its expiry to '-infinity' instead of deleting the row: the store's
 * read already ignores it, and its write refuses to bring it back, so a request that was
 * under way elsewhere cannot revive it. The store's pruning removes the row later.
 */

/** One session on the Beveiliging page. */
export interface SessionInfo extends BrowserName {
  /** Stands for the session in forms: a hash of its id (the id itself never leaves the server). */
  handle: string;
  ip: string | null;
  method: LoginMethod | null;
  createdAt: Date | null;
  lastActiveAt: Date | null;
  current: boolean;
}

/** An address as a person reads it: an IPv4 address without its IPv6 wrapping (::ffff:). */
export function plainIp(ip: string | null | undefined): string {
  return (ip ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}

/** The handle of a session id: 32 hex digits of its SHA-256. */
export function sessionHandle(sid: string): string {
  return createHash('sha256').update(sid, 'utf8').digest('hex').slice(0, 32);
}

const HANDLE_SQL = `left(encode(sha256(convert_to(s.sid, 'UTF8')), 'hex'), 32)`;
const ACTIVE = `s.expire >= now() AND s.sess #>> '{passport,user,epoch}' = c.session_epoch::text`;

type Db = PrismaClient | Tx;

/** One page of the person's active sessions, most recently used first, and how many there are. */
export async function listSessions(
  db: Db,
  contactId: number,
  currentSid: string,
  page: { take: number; skip: number },
): Promise<{ rows: SessionInfo[]; total: number }> {
  const rows = await db.$queryRawUnsafe<
    {
      sid: string;
      ip: string | null;
      user_agent: string | null;
      login_method: string | null;
      created_at: Date | null;
      last_active_at: Date | null;
      total: bigint;
    }[]
  >(
    `SELECT s.sid, s.ip, s.user_agent, s.login_method, s.created_at, s.last_active_at, count(*) OVER () AS total
     FROM session s JOIN contacts c ON c.id = s.contact_id
     WHERE s.contact_id = $1 AND ${ACTIVE}
     ORDER BY s.last_active_at DESC NULLS LAST, s.sid
     LIMIT $2 OFFSET $3`,
    contactId,
    page.take,
    page.skip,
  );
  const total = rows[0] ? Number(rows[0].total) : page.skip > 0 ? await countActiveSessions(db, contactId) : 0;
  return {
    total,
    rows: rows.map((r) => ({
      handle: sessionHandle(r.sid),
      ip: r.ip === null ? null : plainIp(r.ip),
      method: (r.login_method as LoginMethod | null) ?? null,
      createdAt: r.created_at,
      lastActiveAt: r.last_active_at,
      current: r.sid === currentSid,
      ...describeUserAgent(r.user_agent),
    })),
  };
}

/** How many active sessions the person has (a colleague's page: "Actieve sessies: 2"). */
export async function countActiveSessions(db: Db, contactId: number): Promise<number> {
  const [row] = await db.$queryRawUnsafe<{ n: bigint }[]>(
    `SELECT count(*) AS n FROM session s JOIN contacts c ON c.id = s.contact_id WHERE s.contact_id = $1 AND ${ACTIVE}`,
    contactId,
  );
  return Number(row?.n ?? 0);
}

/** Ends one of the person's sessions by its handle; false when they have no such session. */
export async function endSessionByHandle(db: Db, contactId: number, handle: string): Promise<boolean> {
  if (!/^[0-9a-f]{32}$/.test(handle)) return false;
  const n = await db.$executeRawUnsafe(
    `UPDATE session s SET expire = '-infinity' WHERE s.contact_id = $1 AND s.expire <> '-infinity' AND ${HANDLE_SQL} = $2`,
    contactId,
    handle,
  );
  return n > 0;
}

/** Ends every session of the person except `keepSid` (null: every one); returns how many. */
export async function endSessions(db: Db, contactId: number, keepSid: string | null = null): Promise<number> {
  return db.$executeRawUnsafe(
    `UPDATE session SET expire = '-infinity' WHERE contact_id = $1 AND expire <> '-infinity' AND sid IS DISTINCT FROM $2`,
    contactId,
    keepSid,
  );
}

/**
 * Ends the password and passkey sessions of an organisation's people (it now requires single
 * sign-on; their SSO sessions go on). Returns how many ended.
 */
export async function endPortalLoginSessionsOf(db: Db, organizationId: number): Promise<number> {
  return db.$executeRawUnsafe(
    `UPDATE session SET expire = '-infinity'
     WHERE contact_id IN (SELECT id FROM contacts WHERE organization_id = $1)
       AND login_method IN ('password', 'passkey') AND expire <> '-infinity'`,
    organizationId,
  );
}

/**
 * Ends the sessions of an organisation's people, its subsidiaries' included, that logged in with
 * a password and no second step (it now requires two-step login), except `keepSid` (the session
 * of whoever switched it on). Passkey and SSO sessions go on. Returns how many ended.
 */
export async function endPasswordOnlySessionsOf(
  db: Db,
  organizationId: number,
  keepSid: string | null,
): Promise<number> {
  return db.$executeRawUnsafe(
    `WITH RECURSIVE down AS (
       SELECT id FROM organizations WHERE id = $1
       UNION
       SELECT o.id FROM organizations o JOIN down ON o.parent_id = down.id
     )
     UPDATE session s SET expire = '-infinity'
     FROM contacts c
     WHERE c.id = s.contact_id AND c.organization_id IN (SELECT id FROM down)
       AND s.login_method = 'password' AND ${ACTIVE}
       AND (s.sess #>> '{secondStep}') IS DISTINCT FROM 'true'
       AND s.sid IS DISTINCT FROM $2`,
    organizationId,
    keepSid,
  );
}
