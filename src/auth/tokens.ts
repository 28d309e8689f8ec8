import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient, Tx } from '../db/client.js';
import type { TokenPurpose } from '../generated/prisma/enums.js';

/** How long a link lives: a reset one hour, an invitation three days. */
export const TOKEN_TTL_MS: Record<TokenPurpose, number> = { RESET: 3_600_000, INVITE: 72 * 3_600_000 };

/** When a link expiring at `expiresAt` was made (its lifetime is fixed, so this is stored with the expiry). */
export function tokenIssuedAt(purpose: TokenPurpose, expiresAt: Date): Date {
  return new Date(expiresAt.getTime() - TOKEN_TTL_MS[purpose]);
}

/** SHA-256 of a token: the only form in which a token is stored. */
export function hashToken(raw: string): string {
  return createHash('sha256').update(raw).digest('hex');
}

/** Creates a single-use token of 256 random bits; returns the raw token for the link. */
export async function createPasswordToken(
  db: Tx | PrismaClient,
  contactId: number,
  purpose: TokenPurpose,
  now: Date,
): Promise<string> {
  const raw = randomBytes(32).toString('base64url');
  await db.passwordToken.create({
    data: { contactId, purpose, tokenHash: hashToken(raw), expiresAt: new Date(now.getTime() + TOKEN_TTL_MS[purpose]) },
  });
  return raw;
}

/** The token's contact and purpose when it is unused and unexpired, else null. */
export async function findUsableToken(prisma: PrismaClient, raw: string, now: Date) {
  if (!/^[A-Za-z0-9_-]{43}$/.test(raw)) return null;
  return prisma.passwordToken.findFirst({
    where: { tokenHash: hashToken(raw), usedAt: null, expiresAt: { gt: now }, contact: { deletedAt: null } },
    select: {
      id: true,
      purpose: true,
      contact: { select: { id: true, email: true, firstName: true, infix: true, lastName: true } },
    },
  });
}

/** The link for a token, built from the configured base URL, never from the Host header. */
export function tokenLink(baseUrl: string, raw: string): string {
  return `${baseUrl}/password/reset/${raw}`;
}
