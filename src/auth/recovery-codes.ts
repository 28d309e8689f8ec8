import { createHash, randomInt } from 'node:crypto';

/** How many recovery codes a person gets, and when the page warns that they run out. */
export const RECOVERY_CODE_COUNT = 10;
export const RECOVERY_CODES_LOW = 2;

// No 0/o, 1/l/i: a code is read off paper.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** Ten new codes like "k7m2p-x9qfr" (10 characters from 31: 49 bits each). */
export function newRecoveryCodes(): string[] {
  const codes = new Set<string>();
  while (codes.size < RECOVERY_CODE_COUNT) {
    let s = '';
    for (let i = 0; i < 10; i++) s += ALPHABET[randomInt(ALPHABET.length)];
    codes.add(`${s.slice(0, 5)}-${s.slice(5)}`);
  }
  return [...codes];
}

/** A code as typed, without spaces, dashes or capitals; null when it cannot be a recovery code. */
export function normaliseRecoveryCode(input: string): string | null {
  const s = input.toLowerCase().replace(/[\s-]/g, '');
  return /^[a-z0-9]{10}$/.test(s) ? s : null;
}

/**
 * The stored form of a code. A fast hash is enough: the codes are random with 49 bits each
 * (not a password someone chose), and the login throttle limits guessing to a few a minute.
 */
export function hashRecoveryCode(normalised: string): string {
  return createHash('sha256').update(`pim-recovery|${normalised}`).digest('hex');
}
