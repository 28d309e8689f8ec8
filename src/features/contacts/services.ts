import type { AuditActor } from '../../audit.js';
import type { Actor } from '../../auth/actor.js';
import { scope } from '../../auth/scope.js';
import type { Role } from '../../auth/roles.js';
import { inTransaction, type Prisma, type PrismaClient, type Tx } from '../../db/client.js';
import { AppError, refuse } from '../../http/errors.js';
import { pageWhere, type ListQueryInput } from '../../api/define.js';
import { clientOf, type Precondition, type ServiceDeps } from '../../services.js';
import { contactApplications, setApplication } from './applications.js';
import { queueInvitation } from './invitation.js';
import { exportContacts, listContacts, selectionEmails, type ContactSort } from './list.js';
import { changeRoles } from './roles-service.js';
import type { ContactFilters, ContactInput } from './schema.js';
import { createContact, deleteContact, updateContact, type ChangeContext } from './service.js';
import { getContact } from './queries.js';
import { addContact, updateContactAsStaff, type ContactAdd, type ContactPatch } from './staff.js';
import { resendInvitation, roleAssignerNames } from './web-access.js';

/** What the API shows of a contact besides its columns: roles, main contact, application tiles. */
const API_INCLUDE = {
  roles: true,
  organization: { select: { mainContactId: true } },
  activations: { select: { application: { select: { code: true, position: true } } } },
} satisfies Prisma.ContactInclude;

/** A contact as the API reads it. */
export type ApiContactRow = Prisma.ContactGetPayload<{ include: typeof API_INCLUDE }>;

/** Locks a live contact's row and lets the caller check it as it is (the API's If-Match). */
async function lockContact(tx: Tx, id: number, precondition?: Precondition): Promise<void> {
  const rows = await tx.$queryRaw<
    { version: number; updated_at: Date }[]
  >`SELECT version, updated_at FROM contacts WHERE id = ${id} AND deleted_at IS NULL FOR UPDATE`;
  if (!rows[0]) throw new AppError('NOT_FOUND', undefined, { detail: `No contact ${id}` });
  precondition?.({ version: rows[0].version, updatedAt: rows[0].updated_at });
}

/** A contact in the API's scope, or NOT_FOUND. */
async function contactForApi(db: PrismaClient | Tx, id: number): Promise<ApiContactRow> {
  const c = await db.contact.findFirst({ where: { id, ...scope.api.contacts() }, include: API_INCLUDE });
  if (!c) throw new AppError('NOT_FOUND', undefined, { detail: `No contact ${id}` });
  return c;
}

/**
 * Contacts as the doors see them: the customer's pages (scoped to the actor), the staff tool and
 * the API (vendor-side changes by the rules of staff.ts), and the application tiles.
 */
export function contactServices(deps: ServiceDeps) {
  const { db, clock, baseUrl, pool } = deps;
  const client = () => clientOf(db);
  return {
    // -- the customer's pages ------------------------------------------------------------------
    /** One page of the selection. */
    list: (
      actor: Actor,
      filters: ContactFilters,
      page: { sort: ContactSort; dir: 'asc' | 'desc'; take: number; skip: number },
    ) => listContacts(client(), actor, filters, page, pool),
    /** The selection's e-mail addresses. */
    emails: (actor: Actor, filters: ContactFilters) => selectionEmails(client(), actor, filters),
    /** The selection for the CSV download. */
    export: (actor: Actor, filters: ContactFilters, sort: ContactSort, dir: 'asc' | 'desc') =>
      exportContacts(client(), actor, filters, sort, dir, pool),
    /** One contact in the actor's scope (404 outside it). */
    get: (actor: Actor, id: number) => getContact(db, actor, id),
    /** Toevoegen or Kopiëren (`copiedFrom`). */
    create: (actor: Actor, input: ContactInput, ctx: ChangeContext, copiedFrom?: number) =>
      createContact(client(), actor, input, ctx, copiedFrom),
    /** Bewerken, made from `version`. */
    update: (actor: Actor, id: number, version: number, input: ContactInput, ctx: ChangeContext) =>
      updateContact(client(), actor, id, version, input, ctx),
    /** Deletes a contact softly. */
    delete: (actor: Actor, id: number, ctx: ChangeContext) => deleteContact(client(), actor, id, ctx),
    /** "Uitnodiging opnieuw sturen". */
    resendInvitation: (actor: Actor, id: number, ctx: { now: Date; baseUrl: string; ip: string }) =>
      resendInvitation(client(), actor, id, ctx),
    /** Who can change roles in the manager's own organisation. */
    roleAssigners: (actor: Actor) => roleAssignerNames(client(), actor),
    /** Rollen wijzigen. */
    changeRoles: (
      actor: Actor,
      id: number,
      wanted: ReadonlySet<Role>,
      ctx: { ip: string; now: Date; baseUrl: string },
    ) => changeRoles(client(), actor, id, wanted, ctx),

    // -- the staff tool and the API ------------------------------------------------------------
    /** Adds a contact (optionally the main contact). */
    add: (who: AuditActor, input: ContactAdd) => addContact(db, input, who),
    /** Changes a live contact, its row locked (and checked by `precondition`). */
    change: (who: AuditActor, id: number, patch: ContactPatch, opts: { precondition?: Precondition } = {}) =>
      inTransaction(db, async (tx) => {
        await lockContact(tx, id, opts.precondition);
        await updateContactAsStaff(tx, id, patch, who, { now: clock.now(), baseUrl });
      }),
    /**
     * Mails a live contact the set-password link, when the web-access rule lets them in (else the
     * result says why not). Refused with NOT_FOUND (field `contactId`) for no live contact.
     */
    invite: (who: AuditActor, id: number) =>
      inTransaction(db, async (tx) => {
        const result = await queueInvitation(tx, id, { now: clock.now(), baseUrl, actor: who });
        if (!result.sent && !(await tx.contact.findFirst({ where: { id, deletedAt: null }, select: { id: true } }))) {
          throw refuse('contactId', `no contact with id ${id}`, { code: 'NOT_FOUND' });
        }
        return result;
      }),
    /** The API: one contact. */
    getForApi: (id: number) => contactForApi(db, id),
    /**
     * The API: one page of contacts in the order of their last change (one more row than asked: the next page's sign).
     */
    pageForApi: (q: ListQueryInput) => {
      const page = pageWhere(q);
      return db.contact.findMany({
        ...page,
        where: { AND: [...page.where.AND, scope.api.contacts()] },
        include: API_INCLUDE,
      });
    },

    // -- application tiles -------------------------------------------------------------------
    /** The API: a contact's tiles with the contact's version (an activation is part of the contact). */
    applicationsForApi: async (id: number) => {
      const c = await db.contact.findFirst({
        where: { id, ...scope.api.contacts() },
        select: { id: true, version: true, updatedAt: true },
      });
      if (!c) throw new AppError('NOT_FOUND', undefined, { detail: `No contact ${id}` });
      return { contact: c, applications: await contactApplications(db, id) };
    },
    /** Activates or deactivates a tile for a live contact (its row locked and checked by `precondition` when given). */
    setApplication: (
      who: AuditActor,
      contactId: number,
      code: string,
      active: boolean,
      opts: { precondition?: Precondition } = {},
    ) =>
      inTransaction(db, async (tx) => {
        if (opts.precondition) await lockContact(tx, contactId, opts.precondition);
        return setApplication(tx, contactId, code, active, who);
      }),
  };
}
