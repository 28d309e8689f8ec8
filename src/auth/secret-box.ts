import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (the authenticator-app secrets): AES-256-GCM with a random 96-bit nonce,
 * the row's purpose and owner as associated data (a sealed secret copied to another person's
 * row does not open), stored as `v1.<nonce>.<tag>.<ciphertext>` in base64url. The version
 * prefix leaves room for a second key during a key change.
 */
export function sealSecret(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join(
    '.',
  );
}

/** Opens what sealSecret sealed with the same key and context; throws when it was altered or the key is another. */
export function openSecret(key: Buffer, sealed: string, context: string): string {
  const [version, iv, tag, ct] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || ct === undefined) throw new Error('not a sealed secret');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
}

/** The 32-byte key from TWO_FACTOR_KEY (64 hex digits or base64), or null when it is not one. */
export function parseKey(raw: string): Buffer | null {
  const s = raw.trim();
  if (/^[0-9a-fA-F]{64}$/.test(s)) return Buffer.from(s, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(s)) {
    const b = Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    return b.length === 32 ? b : null;
  }
  return null;
}

/**
 * The key for secrets at rest: TWO_FACTOR_KEY when set (required in production), else on a
 * developer's machine one derived from the session secret (HKDF), which is kept in .data/.
 */
export function twoFactorKey(configured: Buffer | undefined, sessionSecret: string): Buffer {
  if (configured) return configured;
  return Buffer.from(hkdfSync('sha256', sessionSecret, 'pim', 'two-factor secrets at rest', 32));
}
