import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';

/** Name of the cookie that marks a browser that has logged in to an account before. */
export const DEVICE_COOKIE = 'pim_device';

function sign(secret: string, nonce: string, email: string): string {
  return createHmac('sha256', secret).update(`${nonce}|${email.toLowerCase()}`).digest('base64url');
}

/** The device id when this browser's cookie was issued for `email`, else null. */
export function knownDevice(req: Request, secret: string, email: string): string | null {
  const raw = readCookie(req, DEVICE_COOKIE);
  if (!raw) return null;
  const [nonce, mac] = raw.split('.');
  if (!nonce || !mac) return null;
  const expected = Buffer.from(sign(secret, nonce, email));
  const given = Buffer.from(mac);
  return expected.length === given.length && timingSafeEqual(expected, given) ? nonce : null;
}

/** Marks this browser as one that logged in to `email` (one year). */
export function rememberDevice(res: Response, secret: string, email: string, secure: boolean): void {
  const nonce = randomBytes(16).toString('base64url');
  res.cookie(DEVICE_COOKIE, `${nonce}.${sign(secret, nonce, email)}`, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    maxAge: 365 * 24 * 3_600_000,
  });
}

/** One cookie's value from the request, without a cookie-parser middleware. */
export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}
