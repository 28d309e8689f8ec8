import { fullName } from '../../auth/actor.js';
import type { AuditActor } from '../../audit.js';
import { recordAudit } from '../../audit.js';
import { inTransaction, type PrismaClient, type Tx } from '../../db/client.js';
import type { TicketStatus } from '../../generated/prisma/enums.js';
import { mailTicketPeople, ticketLink } from './mail.js';
import { verdictLinks } from './verdict-links.js';
import type { ReceivedFile } from '../../http/uploads.js';
import { refuse } from '../../http/errors.js';
import type { Precondition } from '../../services.js';

/** What a staff change needs: who, when, the helpdesk's name, the portal's URL and the mail-link key. */
export interface StaffContext {
  staff: AuditActor;
  now: Date;
  helpdesk: string;
  baseUrl: string;
  linkSecret: string;
  /** The reply addresses' domain when replies by mail are on. */
  replyDomain?: string;
}

/**
 * Locks a ticket for a staff change (a NOT_FOUND refusal naming `<id>` when there is none); the precondition sees the
 * locked row.
 */
export async function lockTicket(tx: Tx, id: number, precondition?: Precondition) {
  const rows = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM tickets WHERE id = ${id} FOR UPDATE`;
  if (!rows.length) throw refuse('<id>', `no ticket with number ${id}`, { code: 'NOT_FOUND' });
  const t = await tx.ticket.findUniqueOrThrow({
    where: { id },
    include: { reporter: { select: { firstName: true, infix: true, lastName: true, email: true, language: true } } },
  });
  precondition?.(t);
  return t;
}

const reporterName = (r: { firstName: string | null; infix: string | null; lastName: string } | null) =>
  r ? fullName(r.firstName, r.infix, r.lastName) : '';

/** Vcare changes a ticket's status; the reporter is mailed (staff changes always are). */
export async function changeStatus(
  db: PrismaClient | Tx,
  id: number,
  status: TicketStatus,
  ctx: StaffContext,
  precondition?: Precondition,
) {
  return inTransaction(db, async (tx) => {
    const t = await lockTicket(tx, id, precondition);
    if (t.status === status)
      throw refuse('<status>', `ticket ${id} already has status ${status}`, { code: 'CONFLICT' });
    const resolvedAt = status === 'RESOLVED' ? ctx.now : null;
    await tx.ticket.update({ where: { id }, data: { status, resolvedAt, version: { increment: 1 } } });
    await recordAudit(tx, {
      actor: ctx.staff,
      kind: 'ticket.status_changed',
      organizationId: t.organizationId,
      subjectType: 'ticket',
      subjectId: id,
      before: { status: t.status },
      after: { status },
    });
    const mailed = await mailTicketPeople(
      tx,
      'ticket_status',
      'ticket-status',
      {
        ticket: t,
        reporterName: reporterName(t.reporter),
        statusBefore: t.status,
        statusAfter: status,
        link: ticketLink(ctx.baseUrl, id),
        helpdesk: ctx.helpdesk,
      },
      ctx,
      // Resolved: the reporter's mail asks for a verdict (signed one-click links).
      {
        extra: (p) =>
          status === 'RESOLVED' && p.id === t.reporterId ? { verdictLinks: verdictLinks(ctx, id, p.id) } : {},
      },
    );
    return { before: t.status, after: status, mailed };
  });
}

/**
 * A staff reply: a note by Vcare on the ticket (with files already stored), mailed to the reporter and the
 * Betrokkenen.
 */
export async function staffReply(
  db: PrismaClient | Tx,
  id: number,
  body: string,
  staffName: string,
  ctx: StaffContext,
  files: ReceivedFile[] = [],
  precondition?: Precondition,
) {
  return inTransaction(db, async (tx) => {
    const t = await lockTicket(tx, id, precondition);
    const note = await tx.ticketNote.create({ data: { ticketId: id, staffName, body, createdAt: ctx.now } });
    await tx.ticket.update({ where: { id }, data: { version: { increment: 1 } } });
    await tx.ticketAttachment.createMany({
      data: files.map((f) => ({
        ticketId: id,
        noteId: note.id,
        staffName,
        fileName: f.fileName,
        contentType: f.contentType,
        size: f.size,
        storageKey: f.key,
        createdAt: ctx.now,
      })),
    });
    const audit = { noteId: note.id, ...(files.length ? { files: files.length } : {}) };
    await recordAudit(tx, {
      actor: ctx.staff,
      kind: 'ticket.staff_reply',
      organizationId: t.organizationId,
      subjectType: 'ticket',
      subjectId: id,
      after: audit,
    });
    const mailed = await mailTicketPeople(
      tx,
      'ticket_reply',
      'ticket-reply',
      {
        ticket: t,
        reporterName: reporterName(t.reporter),
        staffName,
        body,
        files: files.map((f) => f.fileName),
        link: ticketLink(ctx.baseUrl, id),
        helpdesk: ctx.helpdesk,
      },
      ctx,
    );
    return { noteId: note.id, mailed };
  });
}

/** Vcare moves a ticket's deadline (no mail: the customer sees it on the ticket). */
export async function changeDeadline(
  db: PrismaClient | Tx,
  id: number,
  deadline: Date,
  ctx: StaffContext,
  precondition?: Precondition,
) {
  return inTransaction(db, async (tx) => {
    const t = await lockTicket(tx, id, precondition);
    await tx.ticket.update({ where: { id }, data: { deadline, version: { increment: 1 } } });
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
