import type { PrismaClient } from '../../db/client.js';
import { loadActor, fullName } from '../../auth/actor.js';
import { normaliseEmail } from '../../auth/credentials.js';
import { hashPassword } from '../../auth/passwords.js';
import { queueMail } from '../../mail/outbox.js';
import { recordAudit } from '../../audit.js';
import { loadLoginSubject, loginBlocker, type LoginBlocker } from '../../auth/web-access.js';
import type { SsoServices } from '../sso/services.js';
import { createPasswordToken, hashToken, tokenLink, TOKEN_TTL_MS } from '../../auth/tokens.js';

/**
 * Mails a reset link when the address belongs to someone who may log in; otherwise does
 * nothing. The caller answers the same either way.
 */
export async function requestPasswordReset(
  prisma: PrismaClient,
  sso: Pick<SsoServices, 'requiredFor' | 'mailRequired'>,
  opts: { email: string; now: Date; baseUrl: string; ip: string },
): Promise<void> {
  const contact = await prisma.contact.findFirst({
    where: { email: normaliseEmail(opts.email), deletedAt: null },
    select: {
      id: true,
      email: true,
      firstName: true,
      infix: true,
      lastName: true,
      sessionEpoch: true,
      organizationId: true,
      language: true,
    },
  });
  if (!contact?.email || !(await loadActor(prisma, contact.id, contact.sessionEpoch))) return;
  if (await sso.requiredFor(contact.organizationId)) {
    // No reset link: a password would not let them in. The page answers the same as ever
    // (nothing about the address is revealed); the mail tells the owner which button to use.
    await sso.mailRequired({ ...contact, email: contact.email }, opts);
    return;
  }
  await prisma.$transaction(async (tx) => {
    const raw = await createPasswordToken(tx, contact.id, 'RESET', opts.now);
    await queueMail(tx, {
      to: contact.email!,
      // In the person's own language, whatever the language of the page that asked.
      lang: contact.language,
      template: 'password-reset',
      params: {
        name: fullName(contact.firstName, contact.infix, contact.lastName),
        link: tokenLink(opts.baseUrl, raw),
        minutes: TOKEN_TTL_MS.RESET / 60_000,
      },
      // A link is useless after it expires: the outbox does not send it late.
      expiresAt: new Date(opts.now.getTime() + TOKEN_TTL_MS.RESET),
    });
    await recordAudit(tx, {
      actor: 'system',
      kind: 'password.reset_requested',
      organizationId: contact.organizationId,
      subjectType: 'contact',
      subjectId: contact.id,
      ip: opts.ip,
    });
  });
}

/**
 * Sets a new password with a reset or invitation token: the token is spent, every other
 * open token of the person too, and every session of the person ends. Returns the contact
 * id and, by the web-access rule, why the person still cannot log in (null: they can); null
 * when the token is unknown, used or expired.
 */
export async function setPasswordWithToken(
  prisma: PrismaClient,
  opts: { raw: string; password: string; now: Date; ip: string },
): Promise<{ contactId: number; email: string | null; blocker: LoginBlocker | null } | null> {
  const hash = await hashPassword(opts.password);
  return prisma.$transaction(async (tx) => {
    // The conditional UPDATE makes the token single-use even under concurrent submits.
    const spent = await tx.passwordToken.updateManyAndReturn({
      where: {
        tokenHash: hashToken(opts.raw),
        usedAt: null,
        expiresAt: { gt: opts.now },
        contact: { deletedAt: null },
      },
      data: { usedAt: opts.now },
      select: { contactId: true, purpose: true },
    });
    const token = spent[0];
    if (!token) return null;
    await tx.passwordToken.updateMany({
      where: { contactId: token.contactId, usedAt: null },
      data: { usedAt: opts.now },
    });
    const contact = await tx.contact.update({
      where: { id: token.contactId },
      data: { passwordHash: hash, passwordChangedAt: opts.now, sessionEpoch: { increment: 1 } },
      select: { id: true, email: true, organizationId: true, firstName: true, infix: true, lastName: true },
    });
    // Only the person holds the link: they set the password, not PIM.
    await recordAudit(tx, {
      actor: { id: contact.id, displayName: fullName(contact.firstName, contact.infix, contact.lastName) },
      kind: token.purpose === 'INVITE' ? 'password.set_by_invitation' : 'password.reset',
      organizationId: contact.organizationId,
      subjectType: 'contact',
      subjectId: contact.id,
      ip: opts.ip,
    });
    const subject = await loadLoginSubject(tx, contact.id);
    return { contactId: contact.id, email: contact.email, blocker: subject ? loginBlocker(subject) : 'deleted' };
  });
}
