import type { Actor } from '../../auth/actor.js';
import { fullName } from '../../auth/actor.js';
import { Role } from '../../auth/roles.js';
import { scope } from '../../auth/scope.js';
import { inTransaction, type Prisma, type PrismaClient, type Tx } from '../../db/client.js';
import { recordAudit } from '../../audit.js';
import { AppError } from '../../http/errors.js';
import { likeEscape } from '../../http/list.js';
import { queueMail } from '../../mail/outbox.js';
import { ticketLink } from './mail.js';

/** At most this many Betrokkenen on one ticket. */
export const MAX_WATCHERS = 20;
/** Names shown per page of the picker. */
const PICKER_PAGE = 20;

/** The reporter, or anyone who may manage the organisation's tickets, manages a ticket's Betrokkenen. */
export function mayManageWatchers(actor: Actor, ticket: { reporterId: number | null }): boolean {
  return ticket.reporterId === actor.id || actor.roles.has(Role.MANAGE_ORG_TICKETS);
}

/**
 * Who can be added: colleagues of the ticket's organisation (reached through the adder's scope,
 * so a subsidiary's ticket only with SUBSIDIARY_ACCESS) who may log in and hold a ticket role,
 * not the reporter and not already on it.
 */
function candidateWhere(
  actor: Actor,
  ticket: { id: number; organizationId: number; reporterId: number | null },
): Prisma.ContactWhereInput {
  return {
    AND: [
      scope.contacts(actor, [ticket.organizationId]),
      { active: true, webAccess: true, email: { not: null }, organization: { active: true } },
      // The main contact holds every role; anyone else needs PORTAL_ACCESS and a ticket role.
      {
        OR: [
          { mainContactOf: { isNot: null } },
          {
            AND: [
              { roles: { some: { role: Role.PORTAL_ACCESS } } },
              { roles: { some: { role: { in: [Role.MANAGE_OWN_TICKETS, Role.MANAGE_ORG_TICKETS] } } } },
            ],
          },
        ],
      },
      { id: { not: ticket.reporterId ?? -1 } },
      { watching: { none: { ticketId: ticket.id } } },
    ],
  };
}

async function ticketInScope(prisma: PrismaClient | Tx, actor: Actor, ticketId: number) {
  const ticket = await prisma.ticket.findFirst({
    where: { AND: [{ id: ticketId }, scope.tickets(actor)] },
    select: { id: true, organizationId: true, reporterId: true, title: true },
  });
  if (!ticket) throw new AppError('NOT_FOUND');
  return ticket;
}

/** The Betrokkenen of a ticket the actor may see, by name. */
export async function listWatchers(prisma: PrismaClient | Tx, actor: Actor, ticketId: number) {
  const rows = await prisma.ticketWatcher.findMany({
    where: { AND: [{ ticketId }, scope.ticketWatchers(actor)] },
    include: { contact: { select: { id: true, firstName: true, infix: true, lastName: true } } },
    orderBy: [{ contact: { lastName: 'asc' } }, { contactId: 'asc' }],
    take: MAX_WATCHERS,
  });
  return rows.map((r) => ({
    id: r.contact.id,
    name: fullName(r.contact.firstName, r.contact.infix, r.contact.lastName),
  }));
}

/** One page of the picker: colleagues who can be added, filtered by a name. */
export async function watcherCandidates(
  prisma: PrismaClient | Tx,
  actor: Actor,
  ticketId: number,
  q: string,
  page: number,
) {
  const ticket = await ticketInScope(prisma, actor, ticketId);
  if (!mayManageWatchers(actor, ticket)) throw new AppError('FORBIDDEN');
  const words = q.split(/\s+/).filter(Boolean).slice(0, 4);
  const where: Prisma.ContactWhereInput = {
    AND: [
      candidateWhere(actor, ticket),
      ...words.map((w) => ({
        OR: ['firstName', 'lastName', 'infix', 'email'].map((f) => ({
          [f]: { contains: likeEscape(w), mode: 'insensitive' as const },
        })),
      })),
    ],
  };
  const [rows, total] = await Promise.all([
    prisma.contact.findMany({
      where,
      select: { id: true, firstName: true, infix: true, lastName: true, organization: { select: { name: true } } },
      orderBy: [{ lastName: 'asc' }, { firstName: 'asc' }, { id: 'asc' }],
      skip: (page - 1) * PICKER_PAGE,
      take: PICKER_PAGE,
    }),
    prisma.contact.count({ where }),
  ]);
  return {
    ticket,
    total,
    perPage: PICKER_PAGE,
    rows: rows.map((c) => ({
      id: c.id,
      name: fullName(c.firstName, c.infix, c.lastName),
      organization: c.organization.name,
    })),
  };
}

/** Why adding failed in a way the page explains (422), rather than a plain 404. */
export type AddResult = { added: true } | { added: false; reason: 'full' };

/**
 * Adds a colleague as Betrokkene. The ticket must be in the actor's scope (404), the actor its
 * reporter or an organisation-ticket manager (403), the colleague one of the candidates (404:
 * someone of another organisation is simply not found); at most 20. The colleague is mailed that
 * they were added, so a ticket never lands in someone's list unannounced.
 */
export async function addWatcher(
  prisma: PrismaClient | Tx,
  actor: Actor,
  ticketId: number,
  contactId: number,
  ctx: { baseUrl: string },
): Promise<AddResult> {
  return inTransaction(prisma, async (tx) => {
    // Lock the ticket: two additions at once cannot pass the limit together.
    await tx.$queryRaw`SELECT id FROM tickets WHERE id = ${ticketId} FOR UPDATE`;
    const ticket = await ticketInScope(tx, actor, ticketId);
    if (!mayManageWatchers(actor, ticket)) throw new AppError('FORBIDDEN');
    const colleague = await tx.contact.findFirst({
      where: { AND: [{ id: contactId }, candidateWhere(actor, ticket)] },
      select: { id: true, firstName: true, infix: true, lastName: true, email: true, language: true },
    });
    if (!colleague) throw new AppError('NOT_FOUND');
    if ((await tx.ticketWatcher.count({ where: { ticketId } })) >= MAX_WATCHERS)
      return { added: false, reason: 'full' };
    await tx.ticketWatcher.create({ data: { ticketId, contactId, addedById: actor.id } });
    await recordAudit(tx, {
      actor,
      kind: 'ticket.watcher_added',
      organizationId: ticket.organizationId,
      subjectType: 'ticket',
      subjectId: ticketId,
      after: { contactId, name: fullName(colleague.firstName, colleague.infix, colleague.lastName) },
    });
    const about = await tx.ticket.findUniqueOrThrow({
      where: { id: ticketId },
      select: {
        id: true,
        title: true,
        helpdesk: true,
        reporterId: true,
        reporter: { select: { firstName: true, infix: true, lastName: true } },
      },
    });
    const r = about.reporter;
    await queueMail(tx, {
      to: colleague.email!,
      lang: colleague.language === 'en' ? 'en' : 'nl',
      template: 'ticket-watcher-added',
      subjectKey: 'tickets.mail.ticket-watcher-added.subject',
      params: {
        ticket: about,
        id: about.id,
        title: about.title,
        recipientName: fullName(colleague.firstName, colleague.infix, colleague.lastName),
        adderName: actor.displayName,
        // Added by the reporter: "ticket 12", not "the ticket of" the very person who wrote the mail.
        reporterName: r && about.reporterId !== actor.id ? fullName(r.firstName, r.infix, r.lastName) : '',
        link: ticketLink(ctx.baseUrl, ticketId),
      },
    });
    return { added: true };
  });
}

/** Takes a Betrokkene off: the reporter or an organisation-ticket manager, or the person themselves. */
export async function removeWatcher(
  prisma: PrismaClient | Tx,
  actor: Actor,
  ticketId: number,
  contactId: number,
): Promise<void> {
  await inTransaction(prisma, async (tx) => {
    const ticket = await ticketInScope(tx, actor, ticketId);
    if (contactId !== actor.id && !mayManageWatchers(actor, ticket)) throw new AppError('FORBIDDEN');
    const gone = await tx.ticketWatcher.deleteMany({ where: { ticketId, contactId } });
    if (!gone.count) throw new AppError('NOT_FOUND');
    const colleague = await tx.contact.findUnique({
      where: { id: contactId },
      select: { firstName: true, infix: true, lastName: true },
    });
    // The name is kept so Activiteiten can say who, even after the contact is deleted.
    await recordAudit(tx, {
      actor,
      kind: 'ticket.watcher_removed',
      organizationId: ticket.organizationId,
      subjectType: 'ticket',
      subjectId: ticketId,
      before: {
        contactId,
        name: colleague ? fullName(colleague.firstName, colleague.infix, colleague.lastName) : null,
      },
      after: { self: contactId === actor.id },
    });
  });
}
