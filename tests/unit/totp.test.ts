import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { totpCode, totpStep, newTotpSecret, totpUri } from '../../src/auth/totp.js';
import { openSecret, parseKey, sealSecret, twoFactorKey } from '../../src/auth/secret-box.js';
import { hashRecoveryCode, newRecoveryCodes, normaliseRecoveryCode } from '../../src/auth/recovery-codes.js';

// RFC 6238 appendix B's SHA-1 seed "12345678901234567890" in base32.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

/** RFC 4226's dynamic truncation, written out here so the library is checked against the RFC itself. */
function rfcCode(step: number, digits: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const h = createHmac('sha1', Buffer.from('12345678901234567890')).update(counter).digest();
  const o = h[h.length - 1]! & 0xf;
  const bin = ((h[o]! & 0x7f) << 24) | (h[o + 1]! << 16) | (h[o + 2]! << 8) | h[o + 3]!;
  return String(bin % 10 ** digits).padStart(digits, '0');
}

describe('TOTP (RFC 6238, 30 s, 6 digits)', () => {
  it('agrees with the RFC 6238 test vectors (their last six digits)', () => {
    const vectors: [number, string][] = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130'],
    ];
    for (const [t, eight] of vectors) {
      expect(rfcCode(Math.floor(t / 30), 8)).toBe(eight);
      expect(totpCode(RFC_SECRET, new Date(t * 1000))).toBe(eight.slice(-6));
    }
  });

  it('accepts the step before and after (clock drift), not two steps away, at the exact window edges', () => {
    const stepStart = 1111111110; // a multiple of 30: step 37037037 starts here
    const s = stepStart / 30;
    const at = (sec: number) => new Date(sec * 1000);
    const code = (step: number) => rfcCode(step, 6);
    // At the first and the last second of step s.
    for (const now of [at(stepStart), at(stepStart + 29.999)]) {
      expect(totpStep(RFC_SECRET, code(s), now)).toBe(s);
      expect(totpStep(RFC_SECRET, code(s - 1), now)).toBe(s - 1);
      expect(totpStep(RFC_SECRET, code(s + 1), now)).toBe(s + 1);
      expect(totpStep(RFC_SECRET, code(s - 2), now)).toBeNull();
      expect(totpStep(RFC_SECRET, code(s + 2), now)).toBeNull();
    }
    // One millisecond before step s starts it is step s-1: s+1 is now two away.
    expect(totpStep(RFC_SECRET, code(s + 1), new Date(stepStart * 1000 - 1))).toBeNull();
    expect(totpStep(RFC_SECRET, code(s - 2), new Date(stepStart * 1000 - 1))).toBe(s - 2);
    // Only six digits.
    expect(totpStep(RFC_SECRET, code(s).slice(1), at(stepStart))).toBeNull();
    expect(totpStep(RFC_SECRET, `${code(s)}0`, at(stepStart))).toBeNull();
  });

  it('makes 160-bit base32 secrets and an otpauth URI an app reads', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(secret);
    const uri = new URL(totpUri(secret, 'j.jansen@vtel.nl'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('PIM');
    expect(uri.searchParams.get('period')).toBe('30');
    expect(uri.searchParams.get('digits')).toBe('6');
  });
});

describe('secrets at rest (AES-256-GCM)', () => {
  const key = parseKey('ab'.repeat(32))!;

  it('opens what it sealed, with the same key and context only; a changed byte is refused', () => {
    const sealed = sealSecret(key, 'JBSWY3DPEHPK3PXP', 'totp|7');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(sealed).not.toBe(sealSecret(key, 'JBSWY3DPEHPK3PXP', 'totp|7'));
    expect(openSecret(key, sealed, 'totp|7')).toBe('JBSWY3DPEHPK3PXP');
    expect(() => openSecret(key, sealed, 'totp|8')).toThrow();
    expect(() => openSecret(parseKey('cd'.repeat(32))!, sealed, 'totp|7')).toThrow();
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[3]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    expect(() =>
      openSecret(key, [parts[0], parts[1], parts[2], ct.toString('base64url')].join('.'), 'totp|7'),
    ).toThrow();
  });

  it('takes the configured key, else derives a stable one from the session secret', () => {
    expect(twoFactorKey(key, 'whatever')).toBe(key);
    const derived = twoFactorKey(undefined, 's'.repeat(40));
    expect(derived).toHaveLength(32);
    expect(twoFactorKey(undefined, 's'.repeat(40))).toEqual(derived);
    expect(twoFactorKey(undefined, 't'.repeat(40))).not.toEqual(derived);
  });
});

describe('recovery codes', () => {
  it('are ten different codes, read back however they are typed, stored only as a hash', () => {
    const codes = newRecoveryCodes();
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    const c = codes[0]!;
    expect(normaliseRecoveryCode(` ${c.toUpperCase().replace('-', ' - ')} `)).toBe(c.replace('-', ''));
    expect(normaliseRecoveryCode('123456')).toBeNull();
    expect(hashRecoveryCode(c.replace('-', ''))).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRecoveryCode(c.replace('-', ''))).not.toContain(c.replace('-', ''));
  });
});
