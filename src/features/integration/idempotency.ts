import type { PrismaClient, Tx } from '../../db/client.js';

/** How long the first answer to a key is kept and repeated. */
export const IDEMPOTENCY_HOURS = 24;

/** A stored first answer, repeated byte for byte. */
export interface StoredAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * What claiming a key found: this request is the first (do the work), a repeat (send the stored
 * answer), or another request under the same key.
 */
export type KeyClaim = { kind: 'first' } | { kind: 'repeat'; answer: StoredAnswer } | { kind: 'mismatch' };

/**
 * Claims the key inside the request's transaction (pass it as `db`). A concurrent request with
 * the same key waits here on the primary key until the first one commits (then it repeats its
 * answer) or rolls back (then it does the work itself): one request, one effect. A key older
 * than IDEMPOTENCY_HOURS is free again.
 */
export async function claimKey(
  db: PrismaClient | Tx,
  tokenId: number,
  key: string,
  print: string,
  now: Date,
): Promise<KeyClaim> {
  const claimed = await db.$queryRaw<{ key: string }[]>`
    INSERT INTO api_idempotency_keys (token_id, key, fingerprint, status, headers, body, created_at)
    VALUES (${tokenId}, ${key}, ${print}, 0, '{}'::jsonb, '', ${now})
    ON CONFLICT (token_id, key) DO NOTHING RETURNING key`;
  if (claimed.length) return { kind: 'first' };
  const prior = await db.apiIdempotencyKey.findUniqueOrThrow({ where: { tokenId_key: { tokenId, key } } });
  if (now.getTime() - prior.createdAt.getTime() > IDEMPOTENCY_HOURS * 3_600_000) {
    await db.apiIdempotencyKey.update({
      where: { tokenId_key: { tokenId, key } },
      data: { fingerprint: print, status: 0, headers: {}, body: '', createdAt: now },
    });
    return { kind: 'first' };
  }
  if (prior.fingerprint !== print) return { kind: 'mismatch' };
  return {
    kind: 'repeat',
    answer: { status: prior.status, headers: prior.headers as Record<string, string>, body: prior.body },
  };
}

/** Stores this request's answer under its key, in the same transaction as its effect. */
export async function storeAnswer(
  db: PrismaClient | Tx,
  tokenId: number,
  key: string,
  answer: StoredAnswer,
): Promise<void> {
  await db.apiIdempotencyKey.update({
    where: { tokenId_key: { tokenId, key } },
    data: { status: answer.status, headers: answer.headers, body: answer.body },
  });
}
