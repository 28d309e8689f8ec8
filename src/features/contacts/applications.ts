import { recordAudit, type AuditActor } from '../../audit.js';
import { fullName } from '../../auth/actor.js';
import { inTransaction, type PrismaClient, type Tx } from '../../db/client.js';
import { refuse } from '../../http/errors.js';

/**
 * Which application tiles a person has on the dashboard: activated per person by Vcare (the
 * staff tool's `app:activate|deactivate` and the integration API), never by the customer.
 * An activation is part of the contact: changing it moves the contact's last change, so a
 * sync that lists contacts changed since its last run sees it. Refusals name `contactId` or `app`.
 */

/** The applications activated for a contact, in the vendor's order. */
export async function contactApplications(db: PrismaClient | Tx, contactId: number) {
  const rows = await db.applicationActivation.findMany({
    where: { contactId },
    select: { createdAt: true, application: { select: { code: true, name: true, position: true } } },
  });
  return rows
    .sort(
      (a, b) => a.application.position - b.application.position || a.application.code.localeCompare(b.application.code),
    )
    .map((r) => ({ code: r.application.code, name: r.application.name, activatedAt: r.createdAt }));
}

/**
 * Activates (`active`) or deactivates an application for a live contact, with its audit event.
 * Nothing changes when it already is so. Returns whether it changed, the code and the contact.
 */
export async function setApplication(
  db: PrismaClient | Tx,
  contactId: number,
  code: string,
  active: boolean,
  actor: AuditActor,
) {
  return inTransaction(db, async (tx) => {
    const contact = await tx.contact.findFirst({
      where: { id: contactId, deletedAt: null },
      select: { id: true, organizationId: true, firstName: true, infix: true, lastName: true },
    });
    if (!contact) throw refuse('contactId', `no contact with id ${contactId}`, { code: 'NOT_FOUND' });
    const app = await tx.application.findUnique({ where: { code }, select: { id: true, code: true } });
    if (!app) {
      const known = (await tx.application.findMany({ orderBy: { position: 'asc' }, select: { code: true } })).map(
        (a) => a.code,
      );
      throw refuse('app', `no application with code ${code}${known.length ? ` (one of ${known.join(', ')})` : ''}`, {
        code: 'NOT_FOUND',
      });
    }
    const person = { id: contact.id, name: fullName(contact.firstName, contact.infix, contact.lastName) };
    const key = { contactId_applicationId: { contactId: contact.id, applicationId: app.id } };
    const current = await tx.applicationActivation.findUnique({ where: key, select: { contactId: true } });
    if (!!current === active) return { changed: false, code: app.code, contact: person };
    if (active) await tx.applicationActivation.create({ data: { contactId: contact.id, applicationId: app.id } });
    else await tx.applicationActivation.delete({ where: key });
    // The contact's last change moves (its ETag with it); its version does not, so a colleague's
    // open edit form is not refused for it.
    await tx.contact.update({ where: { id: contact.id }, data: { updatedAt: new Date() } });
    await recordAudit(tx, {
      actor,
      kind: active ? 'application.activated' : 'application.deactivated',
      organizationId: contact.organizationId,
      subjectType: 'contact',
      subjectId: contact.id,
      before: { application: app.code, active: !active },
      after: { application: app.code, active },
    });
    return { changed: true, code: app.code, contact: person };
  });
}
