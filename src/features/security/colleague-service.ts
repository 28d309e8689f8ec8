import type { PrismaClient } from '../../db/client.js';
import type { Actor } from '../../auth/actor.js';
import { fullName } from '../../auth/actor.js';
import { scope } from '../../auth/scope.js';
import { recordAudit } from '../../audit.js';
import { AppError } from '../../http/errors.js';
import { countActiveSessions, endSessions } from '../../auth/sessions.js';
import { secondStepOf } from '../../auth/two-factor.js';
import { queueSecurityNotice } from '../../auth/security-notice.js';
import type { ChangeContext } from './service.js';

/** A colleague in the manager's scope, with what the security actions need; 404 outside the scope. */
async function colleague(prisma: PrismaClient, actor: Actor, id: number) {
  const c = await prisma.contact.findFirst({
    where: { id, ...scope.contacts(actor) },
    select: {
      id: true,
      email: true,
      firstName: true,
      infix: true,
      lastName: true,
      organizationId: true,
      organization: { select: { mainContactId: true } },
      roles: { select: { role: true } },
    },
  });
  if (!c) throw new AppError('NOT_FOUND');
  return c;
}

/**
 * Whether the manager may sign this colleague out everywhere or reset their two-step login:
 * not themselves (their own Beveiliging page does that), a main contact only by a main
 * contact (of a parent organisation), and nobody who holds a role the manager lacks (they could lock out a stronger
 * account, the same rule as for changing roles and addresses).
 */
function refusal(actor: Actor, c: Awaited<ReturnType<typeof colleague>>): string | null {
  if (c.id === actor.id) return 'security.colleague.self';
  if (c.organization.mainContactId === c.id && !actor.isMainContact) return 'security.colleague.mainContact';
  if (c.roles.some((r) => !actor.roles.has(r.role))) return 'security.colleague.stronger';
  return null;
}

/**
 * What a contact manager sees of a colleague's security: active sessions, two-step set up, and what a reset would
 * remove (the confirmation page names it).
 */
export async function colleagueSecurity(prisma: PrismaClient, actor: Actor, id: number) {
  const c = await colleague(prisma, actor, id);
  const [sessions, step] = await Promise.all([countActiveSessions(prisma, c.id), secondStepOf(prisma, c.id)]);
  return {
    name: fullName(c.firstName, c.infix, c.lastName),
    sessions,
    twoStep: step.totp || step.passkeys > 0,
    totp: step.totp,
    passkeys: step.passkeys,
    mayAct: refusal(actor, c) === null,
    refusal: refusal(actor, c),
  };
}

/** Ends every session of a colleague ("Overal uitloggen"): audited, and the colleague is mailed. */
export async function signOutColleague(
  prisma: PrismaClient,
  actor: Actor,
  id: number,
  ctx: ChangeContext,
): Promise<number> {
  const c = await colleague(prisma, actor, id);
  const refused = refusal(actor, c);
  if (refused) throw new AppError('FORBIDDEN', refused);
  return prisma.$transaction(async (tx) => {
    // The epoch ends sessions that are being read right now; the rows leave the lists.
    await tx.contact.update({ where: { id: c.id }, data: { sessionEpoch: { increment: 1 } } });
    const n = await endSessions(tx, c.id);
    await recordAudit(tx, {
      actor,
      kind: 'contact.signed_out_everywhere',
      organizationId: c.organizationId,
      subjectType: 'contact',
      subjectId: c.id,
      ip: ctx.ip,
      after: { sessions: n },
    });
    if (c.email)
      await queueSecurityNotice(tx, {
        contactId: c.id,
        to: c.email,
        name: fullName(c.firstName, c.infix, c.lastName),
        change: 'signedOutEverywhere',
        now: ctx.now,
        lang: ctx.lang,
        baseUrl: ctx.baseUrl,
        by: actor.displayName,
      });
    return n;
  });
}

/**
 * Resets a colleague's two-step login (app, recovery codes, passkeys): they set it up again
 * at their next login when their organisation requires it. Their sessions end; audited and
 * mailed. False when there was nothing to reset.
 */
export async function resetColleagueTwoStep(
  prisma: PrismaClient,
  actor: Actor,
  id: number,
  ctx: ChangeContext,
): Promise<boolean> {
  const c = await colleague(prisma, actor, id);
  const refused = refusal(actor, c);
  if (refused) throw new AppError('FORBIDDEN', refused);
  return prisma.$transaction(async (tx) => {
    const [totp, passkeys] = await Promise.all([
      tx.totpSecret.deleteMany({ where: { contactId: c.id } }),
      tx.passkey.deleteMany({ where: { contactId: c.id } }),
    ]);
    await tx.recoveryCode.deleteMany({ where: { contactId: c.id } });
    if (totp.count + passkeys.count === 0) return false;
    await tx.contact.update({ where: { id: c.id }, data: { sessionEpoch: { increment: 1 } } });
    await endSessions(tx, c.id);
    await recordAudit(tx, {
      actor,
      kind: 'contact.two_step_reset',
      organizationId: c.organizationId,
      subjectType: 'contact',
      subjectId: c.id,
      ip: ctx.ip,
      before: { totp: totp.count > 0, passkeys: passkeys.count },
    });
    if (c.email)
      await queueSecurityNotice(tx, {
        contactId: c.id,
        to: c.email,
        name: fullName(c.firstName, c.infix, c.lastName),
        change: 'twoStepReset',
        now: ctx.now,
        lang: ctx.lang,
        baseUrl: ctx.baseUrl,
        by: actor.displayName,
      });
    return true;
  });
}
