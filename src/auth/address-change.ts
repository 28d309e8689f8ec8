import type { Prisma, Tx } from '../db/client.js';
import type { Locale } from '../i18n/index.js';
import { queueSecurityNotice } from './security-notice.js';
import { endSessions } from './sessions.js';

/**
 * A contact's e-mail address is their username. Whoever changes it (the person on the personal
 * page, a manager on the contact form, staff with the staff tool or the API), what proved the
 * old address no longer counts: every other session ends, the SSO links and open invitation and
 * reset links go, and the old address is told. The password goes too, unless the person changed
 * the address themselves (they just proved it); a new password comes with the invitation.
 */

/** Who changed the address: the person themselves, or someone else (a manager, staff). */
export type AddressChanger = { self: true; keepSid: string | null } | { self: false; by: string };

/** The columns a new address changes besides the address itself (in the caller's own update). */
export function newAddressData(changer: AddressChanger): Prisma.ContactUpdateManyMutationInput {
  return { sessionEpoch: { increment: 1 }, ...(changer.self ? {} : { passwordHash: null }) };
}

/**
 * What follows the update, in its transaction: SSO links removed, open links spent, session
 * rows ended (the person's own current one kept when they changed it), and "Uw beveiliging is
 * gewijzigd" to the old address, so its owner learns of it even when it was not them.
 */
export async function endOldAddress(
  tx: Tx,
  opts: {
    contactId: number;
    oldEmail: string | null;
    name: string;
    changer: AddressChanger;
    now: Date;
    lang: Locale;
    baseUrl: string;
  },
): Promise<void> {
  await tx.externalLogin.deleteMany({ where: { contactId: opts.contactId } });
  await tx.passwordToken.updateMany({ where: { contactId: opts.contactId, usedAt: null }, data: { usedAt: opts.now } });
  await endSessions(tx, opts.contactId, opts.changer.self ? opts.changer.keepSid : null);
  if (opts.oldEmail) {
    await queueSecurityNotice(tx, {
      contactId: opts.contactId,
      to: opts.oldEmail,
      name: opts.name,
      change: 'email',
      now: opts.now,
      lang: opts.lang,
      baseUrl: opts.baseUrl,
      ...(opts.changer.self ? {} : { by: opts.changer.by }),
    });
  }
}
