import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '../db/client.js';

/**
 * What an API token may do. Every GET needs `read`; each write needs its resource's scope:
 * `documents:write` for documents and the product-information text, `content:write` for what
 * the portal shows everyone (FAQ, announcements), `contacts:write` also for a contact's
 * application tiles. A token holds the scopes it was created with and nothing more.
 */
export const API_SCOPES = [
  'read',
  'organizations:write',
  'contacts:write',
  'invoices:write',
  'tickets:write',
  'documents:write',
  'content:write',
] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** The prefix every token starts with, so a leaked one is recognisable (secret scanners, logs). */
export const TOKEN_PREFIX = 'pim_';

/** One of Vcare's own systems (ERP, CRM, helpdesk) calling the API with a token: vendor-wide, like the staff tool. */
export interface ApiActor {
  kind: 'api';
  tokenId: number;
  name: string;
  scopes: ReadonlySet<ApiScope>;
}

/** SHA-256 (hex) of a token: all the database keeps. A token has 256 random bits, so no slow hash is needed. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new token: the prefix and 32 random bytes (base64url); shown to staff once. */
export function newToken(): { token: string; prefix: string; hash: string } {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, prefix: token.slice(0, TOKEN_PREFIX.length + 8), hash: hashToken(token) };
}

/** The outcome of presenting a token: who it is and how many requests it made this minute. */
export type TokenCheck =
  | { ok: true; actor: ApiActor; hits: number; windowEnd: Date }
  | { ok: false; reason: 'unknown' | 'revoked' | 'expired' };

const WINDOW_MS = 60_000;

/**
 * Looks the token up by its hash and counts this request against its per-minute window, in one
 * statement (the counter lives in PostgreSQL, so every app instance shares it). The last-used
 * time is written at most once a minute.
 */
export async function checkToken(prisma: PrismaClient, token: string, now: Date): Promise<TokenCheck> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return { ok: false, reason: 'unknown' };
  const windowStart = new Date(Math.floor(now.getTime() / WINDOW_MS) * WINDOW_MS);
  const rows = await prisma.$queryRaw<
    {
      id: number;
      name: string;
      scopes: string[];
      expires_at: Date | null;
      revoked_at: Date | null;
      last_used_at: Date | null;
      hits: number | null;
    }[]
  >`
    WITH t AS (
      SELECT id, name, scopes, expires_at, revoked_at, last_used_at FROM api_tokens WHERE token_hash = ${hashToken(token)}
    ), hit AS (
      INSERT INTO api_rate_counters (token_id, window_start, hits)
      SELECT id, ${windowStart}, 1 FROM t WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ${now})
      ON CONFLICT (token_id, window_start) DO UPDATE SET hits = api_rate_counters.hits + 1
      RETURNING hits
    )
    SELECT t.*, (SELECT hits FROM hit) AS hits FROM t`;
  const row = rows[0];
  if (!row) return { ok: false, reason: 'unknown' };
  if (row.revoked_at) return { ok: false, reason: 'revoked' };
  if (row.expires_at && row.expires_at <= now) return { ok: false, reason: 'expired' };
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > WINDOW_MS) {
    await prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  const scopes = new Set(row.scopes.filter((s): s is ApiScope => (API_SCOPES as readonly string[]).includes(s)));
  return {
    ok: true,
    actor: { kind: 'api', tokenId: row.id, name: row.name, scopes },
    hits: row.hits ?? 0,
    windowEnd: new Date(windowStart.getTime() + WINDOW_MS),
  };
}
