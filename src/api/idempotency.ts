import { createHash } from 'node:crypto';
import { ApiProblem } from './problem.js';
import type { Reply } from './define.js';
import type { Services } from '../services.js';
import type { StoredAnswer } from '../features/integration/idempotency.js';

export { IDEMPOTENCY_HOURS, type StoredAnswer } from '../features/integration/idempotency.js';

/** The key from the header: 1-255 visible ASCII characters (a UUID is the usual choice). */
export function idempotencyKey(header: string | undefined): string | null {
  if (header === undefined) return null;
  if (!/^[\x21-\x7e]{1,255}$/.test(header))
    throw new ApiProblem(400, 'Idempotency-Key must be 1-255 visible ASCII characters', [
      { pointer: '#/headers/Idempotency-Key', detail: 'invalid key' },
    ]);
  return header;
}

/** JSON with every object's keys sorted (recursively): the same value in any key order gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value ?? null);
}

/**
 * What makes two requests "the same": method, path and body (an uploaded file by its bytes, JSON by its value, so
 * the same body with its keys in another order is the same request).
 */
export function fingerprint(method: string, path: string, body: unknown): string {
  const hash = createHash('sha256').update(`${method} ${path}\n`);
  return (Buffer.isBuffer(body) ? hash.update('raw:').update(body) : hash.update(canonicalJson(body))).digest('hex');
}

/**
 * Claims the key through the services over the request's transaction: the stored answer to
 * repeat, or null when this request is the first and must do the work. The same key with another
 * request within the key's lifetime is refused (422).
 */
export async function claimKey(
  services: Services,
  tokenId: number,
  key: string,
  print: string,
  now: Date,
): Promise<StoredAnswer | null> {
  const claim = await services.integration.claimIdempotencyKey(tokenId, key, print, now);
  if (claim.kind === 'mismatch') {
    throw new ApiProblem(
      422,
      'This Idempotency-Key was used for a different request (another path or body) in the last 24 hours',
      [{ pointer: '#/headers/Idempotency-Key', detail: 'reused for a different request' }],
    );
  }
  return claim.kind === 'repeat' ? claim.answer : null;
}

/** A handler's reply as the bytes and headers that go out (and are stored for a repeat). */
export function answerOf(reply: Reply, base: string): StoredAnswer {
  const headers: Record<string, string> = {};
  if (reply.etag) headers.etag = reply.etag;
  if (reply.location) headers.location = `${base}${reply.location}`;
  if (reply.body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
  return { status: reply.status, headers, body: reply.body === undefined ? '' : JSON.stringify(reply.body) };
}
