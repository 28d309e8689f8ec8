import type { PrismaClient, Tx } from '../../db/client.js';
import { recordAudit, type AuditActor } from '../../audit.js';
import { fullName } from '../../auth/actor.js';
import type { Locale } from '../../i18n/index.js';
import { queueMail } from '../../mail/outbox.js';
import { createPasswordToken, tokenLink, TOKEN_TTL_MS } from '../../auth/tokens.js';

/** The parts of a contact an invitation needs. */
export interface Invitee {
  id: number;
  organizationId: number;
  firstName: string | null;
  infix: string | null;
  lastName: string;
  email: string;
}

/**
 * Queues the invitation mail (a set-password link, INVITE token, valid 72 hours) and records
 * `contact.invited`. Pass the transaction of the change that gives web access, so the mail
 * exists exactly when the access does. Used by the contacts pages and `pim contact:invite`.
 */
export async function queueInvitation(
  db: Tx | PrismaClient,
  c: Invitee,
  opts: { now: Date; baseUrl: string; lang: Locale; actor: AuditActor },
): Promise<void> {
  const raw = await createPasswordToken(db, c.id, 'INVITE', opts.now);
  await queueMail(db, {
    to: c.email,
    lang: opts.lang,
    template: 'invitation',
    params: { name: fullName(c.firstName, c.infix, c.lastName), email: c.email, link: tokenLink(opts.baseUrl, raw), hours: TOKEN_TTL_MS.INVITE / 3_600_000 },
  });
  await recordAudit(db, {
    actor: opts.actor,
    kind: 'contact.invited',
    organizationId: c.organizationId,
    subjectType: 'contact',
    subjectId: c.id,
    after: { email: c.email },
  });
}
