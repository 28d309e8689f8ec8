import type { PrismaClient } from '../db/client.js';
import { loadActor, type Actor } from './actor.js';
import { verifyPassword } from './passwords.js';

/** Normalises a username / e-mail address: trimmed, lower-case. */
export function normaliseEmail(v: string): string {
  return v.trim().toLowerCase();
}

/**
 * The actor for a correct address and password of a person who may log in, else null.
 * Every reason for refusal gives the same null (and takes the same time).
 */
export async function verifyCredentials(
  prisma: PrismaClient,
  username: string,
  password: string,
): Promise<Actor | null> {
  const contact = await prisma.contact.findFirst({
    where: { email: normaliseEmail(username), deletedAt: null },
    select: { id: true, passwordHash: true, sessionEpoch: true },
  });
  const ok = await verifyPassword(contact?.passwordHash, password);
  if (!contact || !ok) return null;
  return loadActor(prisma, contact.id, contact.sessionEpoch);
}
