import { inTransaction, type PrismaClient, type Tx } from '../../db/client.js';
import { recordAudit } from '../../audit.js';
import { AppError } from '../../http/errors.js';
import { fullName } from '../../auth/actor.js';

/** Days after resolution during which the reporter may answer or change the answer. */
export const VERDICT_DAYS = 14;

/** What the verdict page shows: the ticket, the answer so far, and whether it may still change. */
export async function verdictState(prisma: PrismaClient | Tx, ticketId: number, contactId: number, now: Date) {
  const ticket = await prisma.ticket.findUnique({
    where: { id: ticketId },
    select: {
      id: true,
      title: true,
      status: true,
      resolvedAt: true,
      reporterId: true,
      verdict: { select: { score: true, comment: true } },
    },
  });
  // A link of someone who is no longer the reporter: as if it never existed.
  if (!ticket || ticket.reporterId !== contactId) throw new AppError('NOT_FOUND');
  const open =
    ticket.status === 'RESOLVED' &&
    !!ticket.resolvedAt &&
    now.getTime() - ticket.resolvedAt.getTime() <= VERDICT_DAYS * 86_400_000;
  return { ticket: { id: ticket.id, title: ticket.title }, verdict: ticket.verdict, open };
}

/** Records (or changes) the reporter's answer; refused (410) once the 14 days are over or the ticket was reopened. */
export async function recordVerdict(
  prisma: PrismaClient | Tx,
  ticketId: number,
  contactId: number,
  score: number,
  comment: string | null,
  now: Date,
): Promise<void> {
  await inTransaction(prisma, async (tx) => {
    await tx.$queryRaw`SELECT id FROM tickets WHERE id = ${ticketId} FOR UPDATE`;
    const state = await verdictState(tx, ticketId, contactId, now);
    if (!state.open) throw new AppError('GONE', 'tickets.verdict.closed');
    await tx.ticketVerdict.upsert({
      where: { ticketId },
      create: { ticketId, contactId, score, comment, answeredAt: now, updatedAt: now },
      update: { score, comment, updatedAt: now },
    });
    const t = await tx.ticket.findUniqueOrThrow({ where: { id: ticketId }, select: { organizationId: true } });
    const reporter = await tx.contact.findUniqueOrThrow({
      where: { id: contactId },
      select: { firstName: true, infix: true, lastName: true },
    });
    // The answer is the reporter's (the link is signed for them): Activiteiten names them, with the score.
    await recordAudit(tx, {
      actor: { id: contactId, displayName: fullName(reporter.firstName, reporter.infix, reporter.lastName) },
      kind: 'ticket.verdict',
      organizationId: t.organizationId,
      subjectType: 'ticket',
      subjectId: ticketId,
      before: state.verdict ? { score: state.verdict.score } : null,
      after: { score, contactId },
    });
  });
}

/** Averages per month (Amsterdam) and helpdesk, for `ticket:satisfaction`. */
export async function satisfactionByMonth(prisma: PrismaClient | Tx, from: Date | undefined, to: Date | undefined) {
  return prisma.$queryRaw<{ month: string; helpdesk: string; answers: number; average: number }[]>`
    SELECT to_char(v.answered_at AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM') AS month, t.helpdesk,
           count(*)::int AS answers, round(avg(v.score), 2)::float8 AS average
    FROM ticket_verdicts v JOIN tickets t ON t.id = v.ticket_id
    WHERE (${from ?? null}::timestamptz IS NULL OR v.answered_at >= ${from ?? null}::timestamptz)
      AND (${to ?? null}::timestamptz IS NULL OR v.answered_at < ${to ?? null}::timestamptz)
    GROUP BY 1, 2 ORDER BY 1, 2`;
}
