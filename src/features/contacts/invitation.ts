import type { PrismaClient, Tx } from '../../db/client.js';
import { recordAudit, type AuditActor } from '../../audit.js';
import { fullName } from '../../auth/actor.js';
import { loadLoginSubject, loginBlocker, type LoginBlocker } from '../../auth/web-access.js';
import { queueMail } from '../../mail/outbox.js';
import { createPasswordToken, tokenLink, TOKEN_TTL_MS } from '../../auth/tokens.js';

/** Whether an invitation went out, and if not, why the person could not log in with it. */
export type InvitationResult = { sent: true; email: string; expiresAt: Date } | { sent: false; blocker: LoginBlocker };

/**
 * Queues the invitation mail (a set-password link, INVITE token, valid 72 hours) in the
 * person's own language and records the event (`contact.invited`, or `contact.reinvited` for
 * "Uitnodiging opnieuw sturen"). Only for someone the web-access rule lets in: a mail saying
 * "you have access" to a person the login would refuse is not sent. A new link replaces any
 * open one (the old link stops working). Pass the transaction of the change that gives web
 * access, so the mail exists exactly when the access does. Used by the contacts pages and
 * `pim contact:invite`.
 */
export async function queueInvitation(
  db: Tx | PrismaClient,
  contactId: number,
  opts: { now: Date; baseUrl: string; actor: AuditActor; kind?: 'contact.invited' | 'contact.reinvited'; ip?: string },
): Promise<InvitationResult> {
  const c = await loadLoginSubject(db, contactId);
  if (!c) return { sent: false, blocker: 'deleted' };
  const blocker = loginBlocker(c);
  if (blocker || !c.email) return { sent: false, blocker: blocker ?? 'noEmail' };
  await db.passwordToken.updateMany({
    where: { contactId, purpose: 'INVITE', usedAt: null },
    data: { usedAt: opts.now },
  });
  const raw = await createPasswordToken(db, c.id, 'INVITE', opts.now);
  await queueMail(db, {
    to: c.email,
    lang: c.language,
    template: 'invitation',
    params: {
      name: fullName(c.firstName, c.infix, c.lastName),
      email: c.email,
      link: tokenLink(opts.baseUrl, raw),
      hours: TOKEN_TTL_MS.INVITE / 3_600_000,
    },
    expiresAt: new Date(opts.now.getTime() + TOKEN_TTL_MS.INVITE),
  });
  await recordAudit(db, {
    actor: opts.actor,
    kind: opts.kind ?? 'contact.invited',
    organizationId: c.organizationId,
    subjectType: 'contact',
    subjectId: c.id,
    after: { email: c.email },
    ip: opts.ip ?? null,
  });
  return { sent: true, email: c.email, expiresAt: new Date(opts.now.getTime() + TOKEN_TTL_MS.INVITE) };
}
