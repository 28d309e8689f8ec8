import { recordAudit, type AuditActor } from '../../audit.js';
import { fullName } from '../../auth/actor.js';
import { inTransaction, type PrismaClient, type Tx } from '../../db/client.js';
import { refuse } from '../../http/errors.js';
import type { Provider } from './service.js';

/** A live contact by id for the staff tool's SSO commands; refused (field `contact`) when there is none. */
async function liveContact(db: PrismaClient | Tx, contactId: number) {
  const c = await db.contact.findFirst({
    where: { id: contactId, deletedAt: null },
    select: { id: true, organizationId: true, firstName: true, infix: true, lastName: true },
  });
  if (!c) throw refuse('contact', `no contact with id ${contactId}`, { code: 'NOT_FOUND' });
  return { ...c, name: fullName(c.firstName, c.infix, c.lastName) };
}

/** A contact's linked Microsoft 365 / Google logins, oldest first (`sso:list`). */
export async function linkedLoginsOf(db: PrismaClient | Tx, contactId: number) {
  const contact = await liveContact(db, contactId);
  const links = await db.externalLogin.findMany({ where: { contactId: contact.id }, orderBy: { createdAt: 'asc' } });
  return { contact, links };
}

/** Removes a contact's logins with one provider, one `sso.unlinked` event each (`sso:unlink`). */
export async function unlinkAsStaff(db: PrismaClient | Tx, who: AuditActor, contactId: number, provider: Provider) {
  const contact = await liveContact(db, contactId);
  return inTransaction(db, async (tx) => {
    const links = await tx.externalLogin.findMany({ where: { contactId: contact.id, provider } });
    if (!links.length) throw refuse('provider', `contact ${contact.id} has no ${provider.toLowerCase()} login`);
    await tx.externalLogin.deleteMany({ where: { id: { in: links.map((l) => l.id) } } });
    for (const l of links) {
      await recordAudit(tx, {
        actor: who,
        kind: 'sso.unlinked',
        organizationId: contact.organizationId,
        subjectType: 'external_login',
        subjectId: l.id,
        before: { contactId: contact.id, provider: l.provider, subject: l.subject, email: l.email },
      });
    }
    return contact;
  });
}
