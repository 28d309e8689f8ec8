import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The headers of every delivery (lower-case, as Node's HTTP server shows them). */
export const WEBHOOK_HEADERS = {
  id: 'pim-event-id',
  type: 'pim-event-type',
  timestamp: 'pim-timestamp',
  signature: 'pim-signature',
} as const;

/** A new endpoint secret, shown once by `webhook:add`. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** HMAC-SHA256 (hex) over `<timestamp>.<body>`: the signature a delivery carries as `v1=<hex>`. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * The receiver's check (the recipe in the README): recompute the HMAC over the timestamp header,
 * a dot and the raw body bytes; compare in constant time with each `v1=` value of the signature
 * header; refuse a timestamp more than `toleranceSeconds` away from now (a replayed delivery).
 */
export function verifyWebhook(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  rawBody: string,
  now: Date = new Date(),
  toleranceSeconds = 300,
): boolean {
  const ts = Number(headers.timestamp);
  if (!headers.timestamp || !/^\d{1,12}$/.test(headers.timestamp) || !headers.signature) return false;
  if (Math.abs(now.getTime() / 1000 - ts) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, ts, rawBody), 'hex');
  return headers.signature.split(',').some((part) => {
    const m = /^\s*v1=([0-9a-f]{64})\s*$/.exec(part);
    return !!m && timingSafeEqual(Buffer.from(m[1]!, 'hex'), expected);
  });
}
