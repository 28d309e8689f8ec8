import type { PrismaClient, Tx } from '../../db/client.js';
import type { Actor } from '../../auth/actor.js';
import { fullName } from '../../auth/actor.js';
import { scope } from '../../auth/scope.js';
import { Role } from '../../auth/roles.js';
import type { ActivityEvent } from './service.js';

/** A thing an event is about: its name, and a link while it still exists and the reader may open it. */
export interface Ref {
  text: string;
  href: string | null;
}

/** What the events of one page refer to, read with one query per kind of record, inside the reader's scope. */
export interface Lookups {
  contacts: Map<number, Ref>;
  organizations: Map<number, Ref>;
  tickets: Map<number, Ref>;
  invoices: Map<number, Ref>;
  documents: Map<number, Ref>;
  applications: Map<string, string>;
}

const num = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n > 0 && n < 2 ** 31 ? n : null;
};
const field = (json: unknown, key: string): unknown =>
  json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>)[key] : undefined;

/** The record ids the events point at (subjects, the copied contact, a new main contact, an application). */
function referenced(events: ActivityEvent[]) {
  const ids = {
    contact: new Set<number>(),
    organization: new Set<number>(),
    ticket: new Set<number>(),
    invoice: new Set<number>(),
    document: new Set<number>(),
    application: new Set<string>(),
  };
  for (const e of events) {
    const id = num(e.subjectId);
    if (id !== null && e.subjectType in ids && e.subjectType !== 'application')
      (ids[e.subjectType as keyof typeof ids] as Set<number>).add(id);
    // The copied contact, a new main contact, a Betrokkene, the reporter who gave a verdict.
    for (const extra of [
      num(field(e.before, 'copiedFrom')),
      num(field(e.after, 'mainContactId')),
      num(field(e.after, 'contactId')),
      num(field(e.before, 'contactId')),
    ])
      if (extra !== null) ids.contact.add(extra);
    // A contact moved to another organisation: both names.
    for (const org of [num(field(e.before, 'organizationId')), num(field(e.after, 'organizationId'))])
      if (org !== null) ids.organization.add(org);
    const app = field(e.after, 'application');
    if (typeof app === 'string') ids.application.add(app);
  }
  return ids;
}

/**
 * Looks up what the events refer to. Names are read in the reader's scope only (a record
 * elsewhere stays nameless); a link is given only to what still exists and what the reader's
 * roles open (a deleted contact keeps its name, without a link).
 */
export async function lookUp(prisma: PrismaClient | Tx, reader: Actor, events: ActivityEvent[]): Promise<Lookups> {
  const ids = referenced(events);
  const may = (role: Role) => reader.roles.has(role);
  // Organisations in scope come with the actor: no query.
  const organizations = reader.orgs.filter((o) => ids.organization.has(o.id));
  const [contacts, tickets, invoices, documents, applications] = await Promise.all([
    ids.contact.size
      ? prisma.contact.findMany({
          where: { id: { in: [...ids.contact] }, ...scope.contactHistory(reader) },
          select: { id: true, firstName: true, infix: true, lastName: true, deletedAt: true },
        })
      : [],
    // The reader's own scope of each kind (tickets: all of the organisation, or only their own),
    // so a name is linked exactly when its page would open.
    ids.ticket.size && (may(Role.MANAGE_ORG_TICKETS) || may(Role.MANAGE_OWN_TICKETS))
      ? prisma.ticket.findMany({
          where: { id: { in: [...ids.ticket] }, ...scope.tickets(reader) },
          select: { id: true },
        })
      : [],
    ids.invoice.size && may(Role.VIEW_INVOICES)
      ? prisma.invoice.findMany({
          where: { number: { in: [...ids.invoice] }, ...scope.invoices(reader) },
          select: { id: true, number: true },
        })
      : [],
    ids.document.size
      ? prisma.document.findMany({
          where: { id: { in: [...ids.document] }, ...scope.documents(reader) },
          select: { id: true, fileName: true },
        })
      : [],
    ids.application.size
      ? prisma.application.findMany({
          where: { code: { in: [...ids.application] } },
          select: { code: true, name: true },
        })
      : [],
  ]);
  return {
    contacts: new Map(
      contacts.map((c) => [
        c.id,
        {
          text: fullName(c.firstName, c.infix, c.lastName),
          href: !c.deletedAt && may(Role.MANAGE_CONTACTS) ? `/contacts/${c.id}` : null,
        },
      ]),
    ),
    organizations: new Map(
      organizations.map((o) => [
        o.id,
        { text: o.name, href: may(Role.VIEW_ORGANIZATION) ? `/organisations/${o.id}` : null },
      ]),
    ),
    tickets: new Map(tickets.map((t) => [t.id, { text: String(t.id), href: `/tickets/${t.id}` }])),
    invoices: new Map(invoices.map((i) => [i.number, { text: String(i.number), href: `/invoices/${i.id}/pdf` }])),
    // What the reader may not open (or what is gone) keeps the name the event stored, without a link.
    documents: new Map(documents.map((d) => [d.id, { text: d.fileName, href: `/documents/${d.id}` }])),
    applications: new Map(applications.map((a) => [a.code, a.name])),
  };
}
