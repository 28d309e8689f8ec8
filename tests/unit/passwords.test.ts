import { describe, expect, it } from 'vitest';
import { hashPassword, NewPassword, verifyPassword } from '../../src/auth/passwords.js';

describe('passwords', () => {
  it('are hashed with argon2id at m=19456 KiB, t=2, p=1 or stronger', async () => {
    const hash = await hashPassword('een lange wachtzin');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(await verifyPassword(hash, 'een lange wachtzin')).toBe(true);
    expect(await verifyPassword(hash, 'een lange wachtzim')).toBe(false);
    expect(await verifyPassword(null, 'een lange wachtzin')).toBe(false);
  });

  it('must be 12 to 128 characters, with no composition rules', () => {
    expect(NewPassword.safeParse('a'.repeat(11)).success).toBe(false);
    expect(NewPassword.safeParse('a'.repeat(12)).success).toBe(true);
    expect(NewPassword.safeParse('alleen kleine letters').success).toBe(true);
    expect(NewPassword.safeParse('😀'.repeat(12)).success).toBe(true);
    expect(NewPassword.safeParse('a'.repeat(128)).success).toBe(true);
    expect(NewPassword.safeParse('a'.repeat(129)).success).toBe(false);
  });
});
