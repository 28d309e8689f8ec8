import type { PrismaClient } from '../../db/client.js';
import type { Actor } from '../../auth/actor.js';
import { recordAudit } from '../../audit.js';
import { registerPasskey, type RelyingParty } from '../../auth/passkeys.js';
import { lockedSecondStepOf } from '../../auth/two-factor.js';
import { queueSecurityNotice } from '../../auth/security-notice.js';
import { endSessions } from '../../auth/sessions.js';
import { AppError } from '../../http/errors.js';
import type { ChangeContext } from './service.js';

/** The person's passkeys, newest first (a person has a handful; 100 at most are listed). */
export function listPasskeys(prisma: PrismaClient, actor: Actor) {
  return prisma.passkey.findMany({
    where: { contactId: actor.id, contact: { organizationId: actor.organizationId } },
    select: { id: true, name: true, createdAt: true, lastUsedAt: true },
    orderBy: { createdAt: 'desc' },
    take: 100,
  });
}

/**
 * Adds a verified passkey under `name`: audited, mailed, other sessions end (how many: the page says so). Null when it
 * does not verify.
 */
export async function addPasskey(
  prisma: PrismaClient,
  rp: RelyingParty,
  actor: Actor,
  input: { challenge: string; handle: string; response: unknown; name: string },
  ctx: ChangeContext,
): Promise<{ endedOthers: number } | null> {
  return prisma.$transaction(async (tx) => {
    const saved = await registerPasskey(tx, rp, { contactId: actor.id, ...input, now: ctx.now });
    if (!saved) return null;
    await recordAudit(tx, {
      actor,
      kind: 'two_step.passkey_added',
      organizationId: actor.organizationId,
      subjectType: 'passkey',
      subjectId: saved.id,
      ip: ctx.ip,
      after: { name: input.name },
    });
    await queueSecurityNotice(tx, {
      contactId: actor.id,
      to: actor.email,
      name: actor.displayName,
      change: 'passkeyAdded',
      now: ctx.now,
      lang: ctx.lang,
      baseUrl: ctx.baseUrl,
    });
    return { endedOthers: await endSessions(tx, actor.id, ctx.keepSid) };
  });
}

/** Renames one of the person's passkeys (404 for anyone else's). */
export async function renamePasskey(prisma: PrismaClient, actor: Actor, id: number, name: string): Promise<void> {
  const n = await prisma.passkey.updateMany({ where: { id, contactId: actor.id }, data: { name } });
  if (n.count === 0) throw new AppError('NOT_FOUND');
}

/**
 * Removes one of the person's passkeys; refused ('required') when it is the last second step
 * of someone whose organisation requires two-step login. 404 for anyone else's. Other sessions end (how many: the
 * page says so).
 */
export async function removePasskey(
  prisma: PrismaClient,
  actor: Actor,
  id: number,
  ctx: ChangeContext,
): Promise<'required' | { endedOthers: number }> {
  return prisma.$transaction(async (tx) => {
    const key = await tx.passkey.findFirst({ where: { id, contactId: actor.id }, select: { id: true, name: true } });
    if (!key) throw new AppError('NOT_FOUND');
    const step = await lockedSecondStepOf(tx, actor.id);
    if (step.required && !step.totp && step.passkeys <= 1) return 'required';
    await tx.passkey.delete({ where: { id: key.id } });
    if (!step.totp && step.passkeys <= 1) await tx.recoveryCode.deleteMany({ where: { contactId: actor.id } });
    await recordAudit(tx, {
      actor,
      kind: 'two_step.passkey_removed',
      organizationId: actor.organizationId,
      subjectType: 'passkey',
      subjectId: key.id,
      ip: ctx.ip,
      before: { name: key.name },
    });
    await queueSecurityNotice(tx, {
      contactId: actor.id,
      to: actor.email,
      name: actor.displayName,
      change: 'passkeyRemoved',
      now: ctx.now,
      lang: ctx.lang,
      baseUrl: ctx.baseUrl,
    });
    return { endedOthers: await endSessions(tx, actor.id, ctx.keepSid) };
  });
}
