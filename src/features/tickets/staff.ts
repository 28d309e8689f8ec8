import { fullName } from '../../auth/actor.js';
import type { AuditActor } from '../../audit.js';
import { recordAudit } from '../../audit.js';
import type { PrismaClient, Tx } from '../../db/client.js';
import type { TicketStatus } from '../../generated/prisma/enums.js';
import { mailReporter, ticketLink } from './mail.js';

/** What a staff change needs: who, when, the helpdesk's name and the portal's URL. */
export interface StaffContext {
  staff: AuditActor;
  now: Date;
  helpdesk: string;
  baseUrl: string;
}

/** Why a staff change was refused; the CLI prints it naming the argument. */
export class StaffRefusal extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

async function lockTicket(tx: Tx, id: number) {
  const rows = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM tickets WHERE id = ${id} FOR UPDATE`;
  if (!rows.length) throw new StaffRefusal('<id>', `no ticket with number ${id}`);
  return tx.ticket.findUniqueOrThrow({
    where: { id },
    include: { reporter: { select: { firstName: true, infix: true, lastName: true, email: true, language: true } } },
  });
}

const reporterName = (r: { firstName: string | null; infix: string | null; lastName: string } | null) => (r ? fullName(r.firstName, r.infix, r.lastName) : '');

/** Vcare changes a ticket's status; the reporter is mailed (staff changes always are). */
export async function changeStatus(prisma: PrismaClient, id: number, status: TicketStatus, ctx: StaffContext) {
  return prisma.$transaction(async (tx) => {
    const t = await lockTicket(tx, id);
    if (t.status === status) throw new StaffRefusal('<status>', `ticket ${id} already has status ${status}`);
    const resolvedAt = status === 'RESOLVED' ? ctx.now : null;
    await tx.ticket.update({ where: { id }, data: { status, resolvedAt } });
    await recordAudit(tx, {
      actor: ctx.staff,
      kind: 'ticket.status_changed',
      organizationId: t.organizationId,
      subjectType: 'ticket',
      subjectId: id,
      before: { status: t.status },
      after: { status },
    });
    await mailReporter(tx, t.reporter, 'ticket-status', {
      ticket: t,
      reporterName: reporterName(t.reporter),
      statusBefore: t.status,
      statusAfter: status,
      link: ticketLink(ctx.baseUrl, id),
      helpdesk: ctx.helpdesk,
    });
    return { before: t.status, after: status, mailed: !!t.reporter?.email };
  });
}

/** A staff reply: a note by Vcare on the ticket, mailed to the reporter. */
export async function staffReply(prisma: PrismaClient, id: number, body: string, staffName: string, ctx: StaffContext) {
  return prisma.$transaction(async (tx) => {
    const t = await lockTicket(tx, id);
    const note = await tx.ticketNote.create({ data: { ticketId: id, staffName, body, createdAt: ctx.now } });
    await recordAudit(tx, { actor: ctx.staff, kind: 'ticket.staff_reply', organizationId: t.organizationId, subjectType: 'ticket', subjectId: id, after: { noteId: note.id } });
    await mailReporter(tx, t.reporter, 'ticket-reply', {
      ticket: t,
      reporterName: reporterName(t.reporter),
      staffName,
      body,
      link: ticketLink(ctx.baseUrl, id),
      helpdesk: ctx.helpdesk,
    });
    return { noteId: note.id, mailed: !!t.reporter?.email };
  });
}

/** Vcare moves a ticket's deadline (no mail: the customer sees it on the ticket). */
export async function changeDeadline(prisma: PrismaClient, id: number, deadline: Date, ctx: StaffContext) {
  return prisma.$transaction(async (tx) => {
    const t = await lockTicket(tx, id);
    await tx.ticket.update({ where: { id }, data: { deadline } });
    const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);
    await recordAudit(tx, {
      actor: ctx.staff,
      kind: 'ticket.deadline_changed',
      organizationId: t.organizationId,
      subjectType: 'ticket',
      subjectId: id,
      before: { deadline: day(t.deadline) },
      after: { deadline: day(deadline) },
    });
    return { before: day(t.deadline), after: day(deadline) };
  });
}
