import type { PrismaClient, Tx } from '../../db/client.js';
import type { Actor } from '../../auth/actor.js';
import { recordAudit } from '../../audit.js';
import type { AuditKind } from '../../audit-kinds.js';
import { openSecret, sealSecret } from '../../auth/secret-box.js';
import { newTotpSecret } from '../../auth/totp.js';
import { hashRecoveryCode, newRecoveryCodes, normaliseRecoveryCode } from '../../auth/recovery-codes.js';
import { lockedSecondStepOf, secondStepOf, totpContext, useTotpCode } from '../../auth/two-factor.js';
import { queueSecurityNotice, type SecurityChange } from '../../auth/security-notice.js';
import { endSessions } from '../../auth/sessions.js';
import type { Locale } from '../../i18n/index.js';

/** Who is changing what, from where: every security change is audited and mailed. */
export interface ChangeContext {
  now: Date;
  ip: string;
  lang: Locale;
  baseUrl: string;
  /** This browser's session: the person's other sessions end, this one goes on. */
  keepSid: string | null;
}

/** The person's second step as the Beveiliging page shows it. */
export async function twoStepStatus(prisma: PrismaClient, actor: Actor) {
  const [step, totp] = await Promise.all([
    secondStepOf(prisma, actor.id),
    prisma.totpSecret.findFirst({
      where: { contactId: actor.id, confirmedAt: { not: null }, contact: { organizationId: actor.organizationId } },
      select: { confirmedAt: true },
    }),
  ]);
  return { ...step, totpSince: totp?.confirmedAt ?? null };
}

/**
 * The secret being set up, with when it was made (the browser's session keeps that): made now, or
 * the one this browser was shown a moment ago (`madeAt`), so a reload shows the same QR code; null
 * when the app is already on. Another browser never gets the pending secret: someone else who knows
 * the password would otherwise learn the secret the person is about to confirm, and could pass the
 * second step ever after. A fresh secret replaces the pending one, so what any other browser saw is void.
 */
export async function totpSetupSecret(
  prisma: PrismaClient,
  key: Buffer,
  actor: Actor,
  now: Date,
  opts: { create?: boolean; madeAt?: number } = {},
): Promise<{ secret: string; madeAt: number } | null> {
  const row = await prisma.totpSecret.findUnique({ where: { contactId: actor.id } });
  if (row?.confirmedAt) return null;
  if (row && row.createdAt.getTime() === opts.madeAt && now.getTime() - opts.madeAt < 30 * 60_000)
    return { secret: openSecret(key, row.secretEncrypted, totpContext(actor.id)), madeAt: opts.madeAt };
  // A refused confirmation re-shows the form; it must not store a new secret (nothing changes on a refusal).
  if (opts.create === false) return null;
  const secret = newTotpSecret();
  const sealed = sealSecret(key, secret, totpContext(actor.id));
  await prisma.totpSecret.upsert({
    where: { contactId: actor.id },
    create: { contactId: actor.id, secretEncrypted: sealed, createdAt: now },
    update: { secretEncrypted: sealed, createdAt: now, lastStep: null, confirmedAt: null },
  });
  return { secret, madeAt: now.getTime() };
}

/** Replaces the person's recovery codes with ten new ones (inside the caller's transaction); returns them. */
async function replaceRecoveryCodes(tx: Tx, contactId: number, now: Date): Promise<string[]> {
  const codes = newRecoveryCodes();
  await tx.recoveryCode.deleteMany({ where: { contactId } });
  await tx.recoveryCode.createMany({
    data: codes.map((c) => ({ contactId, codeHash: hashRecoveryCode(normaliseRecoveryCode(c)!), createdAt: now })),
  });
  return codes;
}

/** Audit event, mail and the end of the person's other sessions, for one security change. */
async function noteChange(
  tx: Tx,
  actor: Actor,
  change: SecurityChange,
  kind: AuditKind,
  ctx: ChangeContext,
  after?: Record<string, string | number>,
) {
  await recordAudit(tx, {
    actor,
    kind,
    organizationId: actor.organizationId,
    subjectType: 'contact',
    subjectId: actor.id,
    ip: ctx.ip,
    after: after ?? null,
  });
  await queueSecurityNotice(tx, {
    contactId: actor.id,
    to: actor.email,
    name: actor.displayName,
    change,
    now: ctx.now,
    lang: ctx.lang,
    baseUrl: ctx.baseUrl,
  });
  await endSessions(tx, actor.id, ctx.keepSid);
}

/**
 * Switches the authenticator app on with the first code from it; returns the ten recovery
 * codes to show once, or null when the code is wrong (nothing changes).
 */
export async function confirmTotp(
  prisma: PrismaClient,
  key: Buffer,
  actor: Actor,
  code: string,
  ctx: ChangeContext,
): Promise<string[] | null> {
  return prisma.$transaction(async (tx) => {
    if (!(await useTotpCode(tx, key, actor.id, code, ctx.now, false))) return null;
    await tx.totpSecret.update({ where: { contactId: actor.id }, data: { confirmedAt: ctx.now } });
    const codes = await replaceRecoveryCodes(tx, actor.id, ctx.now);
    await noteChange(tx, actor, 'totpOn', 'two_step.totp_on', ctx);
    return codes;
  });
}

/** Why switching the app off was refused. */
export type TotpOffRefusal = 'notOn' | 'required';

/**
 * Switches the authenticator app off. With no passkey left the recovery codes go too; an
 * organisation that requires two-step login keeps it on until a passkey replaces it.
 */
export async function disableTotp(
  prisma: PrismaClient,
  actor: Actor,
  ctx: ChangeContext,
): Promise<TotpOffRefusal | null> {
  return prisma.$transaction(async (tx) => {
    const step = await lockedSecondStepOf(tx, actor.id);
    if (!step.totp) return 'notOn';
    if (step.required && step.passkeys === 0) return 'required';
    await tx.totpSecret.delete({ where: { contactId: actor.id } });
    if (step.passkeys === 0) await tx.recoveryCode.deleteMany({ where: { contactId: actor.id } });
    await noteChange(tx, actor, 'totpOff', 'two_step.totp_off', ctx);
    return null;
  });
}

/** New recovery codes (the old ones stop working); null when the person has no second step to recover. */
export async function regenerateRecoveryCodes(
  prisma: PrismaClient,
  actor: Actor,
  ctx: ChangeContext,
): Promise<string[] | null> {
  return prisma.$transaction(async (tx) => {
    const step = await secondStepOf(tx, actor.id);
    if (!step.totp && step.passkeys === 0) return null;
    const codes = await replaceRecoveryCodes(tx, actor.id, ctx.now);
    await noteChange(tx, actor, 'recoveryCodes', 'two_step.recovery_codes_renewed', ctx);
    return codes;
  });
}

/** Ends the person's other sessions ("Alle andere sessies uitloggen"); returns how many. */
export async function endOtherSessions(prisma: PrismaClient, actor: Actor, ctx: ChangeContext): Promise<number> {
  return prisma.$transaction(async (tx) => {
    const n = await endSessions(tx, actor.id, ctx.keepSid);
    if (n > 0)
      await recordAudit(tx, {
        actor,
        kind: 'session.ended_others',
        organizationId: actor.organizationId,
        subjectType: 'contact',
        subjectId: actor.id,
        ip: ctx.ip,
        after: { sessions: n },
      });
    return n;
  });
}
