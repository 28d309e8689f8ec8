import { Prisma } from '../db/client.js';
import type { Actor, ScopeOrg } from './actor.js';
import { Role } from './roles.js';

export type { ScopeOrg };

/**
 * The one place where a person's organisation scope becomes a query filter. Every service
 * that reads or writes customer data builds its `where` from here, so another tenant's row
 * is simply not found (404). The scope is the person's own organisation, plus every
 * subsidiary below it with SUBSIDIARY_ACCESS (actor.orgIds, loaded with the actor).
 */

/**
 * The organisation-id condition: an equality for one organisation (the usual case; it lets
 * PostgreSQL read a page in index order, which IN / ANY does not), a list otherwise.
 */
export function orgIdCondition(actor: Actor, narrowedTo?: readonly number[]): number | { in: number[] } {
  const ids = narrowedTo ? narrowedTo.filter((id) => actor.orgIds.includes(id)) : actor.orgIds;
  return ids.length === 1 ? ids[0]! : { in: [...ids] };
}

/** Filters per scoped table. `narrowedTo`: a page's organisation filter, already inside the scope or cut to it. */
export const scope = {
  /** Organisations: their own id is the scope. */
  organizations(actor: Actor, narrowedTo?: readonly number[]): Prisma.OrganizationWhereInput {
    return { id: orgIdCondition(actor, narrowedTo) };
  },

  /** Contacts that still exist (soft-deleted ones are kept for tickets and audit only). */
  contacts(actor: Actor, narrowedTo?: readonly number[]): Prisma.ContactWhereInput {
    return { organizationId: orgIdCondition(actor, narrowedTo), deletedAt: null };
  },

  /** Contacts including soft-deleted ones: for history (Activiteiten, ticket authors) only. */
  contactHistory(actor: Actor): Prisma.ContactWhereInput {
    return { organizationId: orgIdCondition(actor) };
  },

  /** Invoices of the organisations in scope. */
  invoices(actor: Actor, narrowedTo?: readonly number[]): Prisma.InvoiceWhereInput {
    return { organizationId: orgIdCondition(actor, narrowedTo) };
  },

  /**
   * Tickets: with MANAGE_ORG_TICKETS every ticket of the organisations in scope; otherwise the
   * tickets the person reported or is a Betrokkene (CC) of. Always inside the organisations in
   * scope and only with a ticket role, so a colleague moved away or stripped of the role loses
   * the tickets on the next request, whatever rows still name them.
   */
  tickets(actor: Actor, narrowedTo?: readonly number[]): Prisma.TicketWhereInput {
    const organizationId = orgIdCondition(actor, narrowedTo);
    if (actor.roles.has(Role.MANAGE_ORG_TICKETS)) return { organizationId };
    if (!actor.roles.has(Role.MANAGE_OWN_TICKETS)) return { id: -1 };
    return { organizationId, OR: [{ reporterId: actor.id }, { watchers: { some: { contactId: actor.id } } }] };
  },

  /** Files on tickets: those of the tickets the person may see (a pending upload belongs to no ticket yet). */
  ticketAttachments(actor: Actor): Prisma.TicketAttachmentWhereInput {
    return { ticket: scope.tickets(actor) };
  },

  /** Betrokkenen rows: those of the tickets the person may see. */
  ticketWatchers(actor: Actor): Prisma.TicketWatcherWhereInput {
    return { ticket: scope.tickets(actor) };
  },

  /**
   * Documents: product information always, manuals with VIEW_MANUALS (both either for every
   * customer or for an organisation in scope); reports with VIEW_REPORTS, only of
   * organisations in scope whose contract includes reports.
   */
  documents(actor: Actor, kind?: 'MANUAL' | 'PRODUCT_INFO' | 'REPORT'): Prisma.DocumentWhereInput {
    const forAllOrMine = { OR: [{ organizationId: null }, { organizationId: { in: actor.orgIds } }] };
    const visible: Prisma.DocumentWhereInput[] = [];
    if (!kind || kind === 'PRODUCT_INFO') visible.push({ kind: 'PRODUCT_INFO', ...forAllOrMine });
    if ((!kind || kind === 'MANUAL') && actor.roles.has(Role.VIEW_MANUALS))
      visible.push({ kind: 'MANUAL', ...forAllOrMine });
    if ((!kind || kind === 'REPORT') && actor.roles.has(Role.VIEW_REPORTS)) {
      visible.push({ kind: 'REPORT', organizationId: { in: actor.orgIds }, organization: { reportsInContract: true } });
    }
    // Nothing visible: a condition no row meets.
    return visible.length === 1 ? visible[0]! : visible.length ? { OR: visible } : { id: -1 };
  },

  /** Audit events about the organisations in scope (Activiteiten). */
  auditEvents(actor: Actor, narrowedTo?: readonly number[]): Prisma.AuditEventWhereInput {
    return { organizationId: orgIdCondition(actor, narrowedTo) };
  },

  /**
   * The integration API. Its tokens belong to Vcare's own systems (ERP, CRM, helpdesk) and are
   * made by staff, so like the staff tool they reach every customer: these filters hold only
   * what every API query must respect (soft-deleted contacts stay invisible). A token limited
   * to some organisations would narrow here, and every API query would follow.
   */
  api: {
    organizations: (): Prisma.OrganizationWhereInput => ({}),
    contacts: (): Prisma.ContactWhereInput => ({ deletedAt: null }),
    invoices: (): Prisma.InvoiceWhereInput => ({}),
    tickets: (): Prisma.TicketWhereInput => ({}),
    documents: (): Prisma.DocumentWhereInput => ({}),
    announcements: (): Prisma.AnnouncementWhereInput => ({}),
  },
};

/** The same organisation condition for raw SQL: `<column> = ANY(ids)`. */
export function orgScopeSql(actor: Actor, column: Prisma.Sql, narrowedTo?: readonly number[]): Prisma.Sql {
  const ids = narrowedTo ? narrowedTo.filter((id) => actor.orgIds.includes(id)) : actor.orgIds;
  return Prisma.sql`${column} = ANY(${ids}::int[])`;
}

/**
 * scope.tickets for raw SQL over `tickets t` (the same rule: role, organisations, reported or
 * watched), with the same equality for one organisation so a page still reads in index order.
 */
export function ticketScopeSql(actor: Actor, narrowedTo?: readonly number[]): Prisma.Sql {
  const org = orgIdCondition(actor, narrowedTo);
  const inOrgs =
    typeof org === 'number'
      ? Prisma.sql`t.organization_id = ${org}`
      : Prisma.sql`t.organization_id = ANY(${org.in}::int[])`;
  if (actor.roles.has(Role.MANAGE_ORG_TICKETS)) return inOrgs;
  if (!actor.roles.has(Role.MANAGE_OWN_TICKETS)) return Prisma.sql`false`;
  return Prisma.sql`${inOrgs} AND (t.reporter_id = ${actor.id} OR EXISTS (SELECT 1 FROM ticket_watchers w WHERE w.ticket_id = t.id AND w.contact_id = ${actor.id}))`;
}

/** True when the person may pick `orgId` (in a form's organisation field). */
export function mayPick(actor: Actor, orgId: number): boolean {
  return actor.orgIds.includes(orgId);
}

/** The organisations in the person's scope, by name: the choices of pickers and filters (no query). */
export function scopeOrganizations(actor: Actor): readonly ScopeOrg[] {
  return actor.orgs;
}

/** A page's organisation filter: one organisation (or all), optionally with its subsidiaries. */
export interface OrgFilter {
  /** The chosen organisation; 'all' for every one in scope; an unknown or foreign one means the person's own. */
  org: number | 'all' | null;
  /** "of van dochter organisatie": the subsidiaries below the chosen one too (only with SUBSIDIARY_ACCESS). */
  subsidiaries: boolean;
  /** "Organisatie actief": only active, only inactive, or both. */
  orgActive?: 'yes' | 'no' | 'all';
}

/** A filter made concrete inside the scope. */
export interface NarrowedScope {
  /** The organisation shown as chosen (the person's own when the filter named none in scope). */
  org: ScopeOrg;
  /** The organisation ids the page covers (never outside the scope). */
  orgIds: number[];
  withSubsidiaries: boolean;
  /** Whether the chosen organisation has subsidiaries in scope. */
  hasSubsidiaries: boolean;
}

/** Narrows the scope by a page's organisation filter; a foreign organisation falls back to the person's own. */
export function narrowScope(actor: Actor, filter: OrgFilter): NarrowedScope {
  const orgs = actor.orgs;
  const own = orgs.find((o) => o.id === actor.organizationId) ?? orgs[0]!;
  const org = typeof filter.org === 'number' ? (orgs.find((o) => o.id === filter.org) ?? own) : own;
  const below = descendantsOf(orgs, org.id);
  const withSubsidiaries = filter.subsidiaries && actor.roles.has(Role.SUBSIDIARY_ACCESS);
  const ids = new Set(filter.org === 'all' ? orgs.map((o) => o.id) : withSubsidiaries ? [org.id, ...below] : [org.id]);
  const active = filter.orgActive ?? 'all';
  const orgIds = orgs
    .filter((o) => ids.has(o.id) && (active === 'all' || o.active === (active === 'yes')))
    .map((o) => o.id);
  return { org, orgIds, withSubsidiaries, hasSubsidiaries: below.length > 0 };
}

/** Every organisation below `rootId` among `orgs` (the scope holds whole subtrees). */
function descendantsOf(orgs: readonly ScopeOrg[], rootId: number): number[] {
  const children = new Map<number, number[]>();
  for (const o of orgs) if (o.parentId !== null) children.set(o.parentId, [...(children.get(o.parentId) ?? []), o.id]);
  const out: number[] = [];
  const stack = [...(children.get(rootId) ?? [])];
  while (stack.length) {
    const id = stack.pop()!;
    out.push(id);
    stack.push(...(children.get(id) ?? []));
  }
  return out;
}
