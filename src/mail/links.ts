import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed tokens for links in mails that work without logging in (unsubscribe, satisfaction).
 * The token is `<payload>.<HMAC-SHA256>` in base64url; the payload says what the link does
 * ("u:42:ticket_reply"), so a token for one thing can never be used for another.
 */
export function signToken(secret: string, payload: string): string {
  const body = Buffer.from(payload, 'utf8').toString('base64url');
  return `${body}.${mac(secret, body)}`;
}

/** The payload of a token this secret signed; null for anything else (forged, cut, altered). */
export function verifyToken(secret: string, token: string): string | null {
  const m = /^([A-Za-z0-9_-]{1,200})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return null;
  const want = Buffer.from(mac(secret, m[1]!));
  const got = Buffer.from(m[2]!);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
  return Buffer.from(m[1]!, 'base64url').toString('utf8');
}

function mac(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}
