import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

/** RFC 6238 as every authenticator app reads it: SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD_S = 30;
const DIGITS = 6;

/** A new secret (160 bits, RFC 4226's recommendation) in base32, as the app is given it. */
export function newTotpSecret(): string {
  return new Secret({ buffer: new Uint8Array(randomBytes(20)).buffer }).base32;
}

function totp(secretBase32: string, label = '', issuer = 'PIM'): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: DIGITS,
    period: TOTP_PERIOD_S,
    secret: Secret.fromBase32(secretBase32),
  });
}

/** The otpauth:// URI of the QR code. */
export function totpUri(secretBase32: string, account: string): string {
  return totp(secretBase32, account).toString();
}

/** The code of the step containing `at` (tests, and nothing else: the server never shows a code). */
export function totpCode(secretBase32: string, at: Date): string {
  return totp(secretBase32).generate({ timestamp: at.getTime() });
}

/**
 * The 30-second step a code belongs to when it is right for the step of `now` or the one
 * before or after it (clocks drift; a code typed at the end of its step arrives in the next),
 * else null. Compared in constant time by otpauth. The caller refuses a step already used.
 */
export function totpStep(secretBase32: string, code: string, now: Date): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const t = totp(secretBase32);
  const delta = t.validate({ token: code, timestamp: now.getTime(), window: 1 });
  if (delta === null) return null;
  return t.counter({ timestamp: now.getTime() }) + delta;
}
