import { createHash } from 'node:crypto';
import type { Tx } from '../db/client.js';
import { ApiProblem } from './problem.js';
import type { Reply } from './define.js';

/** How long the first answer to a key is kept and repeated. */
export const IDEMPOTENCY_HOURS = 24;

/** A stored first answer, repeated byte for byte. */
export interface StoredAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The key from the header: 1-255 visible ASCII characters (a UUID is the usual choice). */
export function idempotencyKey(header: string | undefined): string | null {
  if (header === undefined) return null;
  if (!/^[\x21-\x7e]{1,255}$/.test(header)) throw new ApiProblem(400, 'Idempotency-Key must be 1-255 visible ASCII characters', [{ pointer: '#/headers/Idempotency-Key', detail: 'invalid key' }]);
  return header;
}

/** What makes two requests "the same": method, path and body (an uploaded file by its bytes). */
export function fingerprint(method: string, path: string, body: unknown): string {
  const hash = createHash('sha256').update(`${method} ${path}\n`);
  return (Buffer.isBuffer(body) ? hash.update('raw:').update(body) : hash.update(JSON.stringify(body ?? null))).digest('hex');
}

/**
 * Claims the key inside the request's transaction. A concurrent request with the same key
 * waits here on the primary key until the first one commits (then it repeats its answer) or
 * rolls back (then it does the work itself): one request, one effect. Returns the stored answer
 * to repeat, or null when this request is the first and must do the work.
 */
export async function claimKey(tx: Tx, tokenId: number, key: string, print: string, now: Date): Promise<StoredAnswer | null> {
  const claimed = await tx.$queryRaw<{ key: string }[]>`
    INSERT INTO api_idempotency_keys (token_id, key, fingerprint, status, headers, body, created_at)
    VALUES (${tokenId}, ${key}, ${print}, 0, '{}'::jsonb, '', ${now})
    ON CONFLICT (token_id, key) DO NOTHING RETURNING key`;
  if (claimed.length) return null;
  const prior = await tx.apiIdempotencyKey.findUniqueOrThrow({ where: { tokenId_key: { tokenId, key } } });
  if (now.getTime() - prior.createdAt.getTime() > IDEMPOTENCY_HOURS * 3_600_000) {
    // Expired: the key is free again.
    await tx.apiIdempotencyKey.update({ where: { tokenId_key: { tokenId, key } }, data: { fingerprint: print, status: 0, headers: {}, body: '', createdAt: now } });
    return null;
  }
  if (prior.fingerprint !== print) {
    throw new ApiProblem(422, 'This Idempotency-Key was used for a different request (another path or body) in the last 24 hours', [
      { pointer: '#/headers/Idempotency-Key', detail: 'reused for a different request' },
    ]);
  }
  return { status: prior.status, headers: prior.headers as Record<string, string>, body: prior.body };
}

/** Stores this request's answer under its key, in the same transaction as its effect. */
export async function storeAnswer(tx: Tx, tokenId: number, key: string, answer: StoredAnswer): Promise<void> {
  await tx.apiIdempotencyKey.update({ where: { tokenId_key: { tokenId, key } }, data: { status: answer.status, headers: answer.headers, body: answer.body } });
}

/** A handler's reply as the bytes and headers that go out (and are stored for a repeat). */
export function answerOf(reply: Reply, base: string): StoredAnswer {
  const headers: Record<string, string> = {};
  if (reply.etag) headers.etag = reply.etag;
  if (reply.location) headers.location = `${base}${reply.location}`;
  if (reply.body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
  return { status: reply.status, headers, body: reply.body === undefined ? '' : JSON.stringify(reply.body) };
}
