import argon2 from 'argon2';
import { z } from 'zod';

/** argon2id at OWASP's minimum: 19 MiB, 2 iterations, 1 lane. */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** A new password: 12 to 128 characters, no composition rules (NIST SP 800-63B). */
export const NewPassword = z.string().min(12, 'password.tooShort').max(128, 'password.tooLong');

/** Hashes a password with argon2id. */
export function hashPassword(plain: string): Promise<string> {
  return argon2.hash(plain, OPTIONS);
}

// Made once at start-up, so that even the first login with an unknown address takes as long
// as any other (a lazily made hash would cost the first such request an extra hash).
const dummyHash: Promise<string> = argon2.hash('pim-timing-equaliser', OPTIONS);

/**
 * Verifies a password. With no hash (unknown person, or no password set) it still spends
 * the time of one verification, so the answer time does not reveal whether an account exists.
 */
export async function verifyPassword(hash: string | null | undefined, plain: string): Promise<boolean> {
  if (!hash) {
    await argon2.verify(await dummyHash, plain).catch(() => false);
    return false;
  }
  return argon2.verify(hash, plain).catch(() => false);
}
