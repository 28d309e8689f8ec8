import type { Prisma, PrismaClient, Tx } from '../../db/client.js';
import type { TicketStatus } from '../../generated/prisma/enums.js';
import { refuse } from '../../http/errors.js';
import { likeEscape } from '../../http/list.js';
import { CURRENT_STATUSES } from './schema.js';

/** The staff tool's ticket list: which statuses, organisation, search text, how many. */
export interface StaffTicketFilters {
  status: 'current' | 'all' | TicketStatus;
  org?: number;
  search?: string;
  limit: number;
}

/** Vcare's own reads of tickets (every customer's): the staff tool's list and detail. */
export function staffTicketServices(db: PrismaClient | Tx) {
  return {
    /** Tickets newest first, filtered as `ticket:list` asks. */
    staffList: (o: StaffTicketFilters) => {
      const and: Prisma.TicketWhereInput[] = [];
      if (o.status === 'current') and.push({ status: { in: [...CURRENT_STATUSES] } });
      else if (o.status !== 'all') and.push({ status: o.status });
      if (o.org !== undefined) and.push({ organizationId: o.org });
      if (o.search) {
        const like = likeEscape(o.search);
        const or: Prisma.TicketWhereInput[] = [
          { title: { contains: like, mode: 'insensitive' } },
          { customerReference: { contains: like, mode: 'insensitive' } },
        ];
        if (/^\d{1,9}$/.test(o.search)) or.push({ id: Number(o.search) });
        and.push({ OR: or });
      }
      return db.ticket.findMany({
        where: { AND: and },
        orderBy: [{ reportedAt: 'desc' }, { id: 'desc' }],
        take: o.limit,
      });
    },
    /** A ticket with its notes, files and history of status changes; a missing one is refused naming `<id>`. */
    staffShow: async (id: number) => {
      const ticket = await db.ticket.findUnique({
        where: { id },
        include: {
          organization: { select: { name: true } },
          reporter: { select: { firstName: true, infix: true, lastName: true, email: true } },
          notes: {
            orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
            include: { author: { select: { firstName: true, infix: true, lastName: true } } },
          },
        },
      });
      if (!ticket) throw refuse('<id>', `no ticket with number ${id}`, { code: 'NOT_FOUND' });
      const [files, history] = await Promise.all([
        db.ticketAttachment.findMany({
          where: { ticketId: ticket.id },
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
          include: { uploader: { select: { firstName: true, infix: true, lastName: true } } },
        }),
        db.auditEvent.findMany({
          where: { subjectType: 'ticket', subjectId: String(ticket.id), kind: 'ticket.status_changed' },
          orderBy: { at: 'asc' },
        }),
      ]);
      return { ticket, files, history };
    },
    /** Refuses (naming `<id>`) a ticket number that does not exist, before files are stored for it. */
    mustExist: async (id: number): Promise<void> => {
      if (!(await db.ticket.findUnique({ where: { id }, select: { id: true } })))
        throw refuse('<id>', `no ticket with number ${id}`, { code: 'NOT_FOUND' });
    },
  };
}
