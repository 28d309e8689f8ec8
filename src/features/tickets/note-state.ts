import { Prisma } from '../../db/client.js';
import { TicketStatus } from '../../generated/prisma/enums.js';

/** Whether a note may be added now: open, reopenable (resolved recently) or closed for good. */
export type NoteState = 'open' | 'reopens' | 'closed';

/** The earliest resolution that a note can still reopen: `reopenDays` (calendar days) before now. */
export function reopenCutoff(now: Date, reopenDays: number): Date {
  return new Date(now.getTime() - reopenDays * 86_400_000);
}

/** A resolved ticket reopens by a note within `reopenDays` (calendar days) of its resolution. */
export function noteState(
  t: { status: string; resolvedAt: Date | null; updatedAt: Date },
  now: Date,
  reopenDays: number,
): NoteState {
  if (t.status !== 'RESOLVED') return 'open';
  const resolvedAt = t.resolvedAt ?? t.updatedAt;
  return resolvedAt.getTime() >= reopenCutoff(now, reopenDays).getTime() ? 'reopens' : 'closed';
}

/** Resolved at or after the cutoff (by resolvedAt, or by updatedAt when it has none, as noteState reads it). */
const resolvedSince = (cutoff: Date): Prisma.TicketWhereInput[] => [
  { resolvedAt: { gte: cutoff } },
  { resolvedAt: null, updatedAt: { gte: cutoff } },
];

/** The resolved tickets a note can still reopen (within one status group: no status in the filter). */
export function recentlyResolved(cutoff: Date): Prisma.TicketWhereInput {
  return { OR: resolvedSince(cutoff) };
}

/**
 * "Status: actueel": every open ticket, plus the resolved ones a note can still reopen (the
 * same rule as noteState, so the list shows exactly the tickets that can still get a note).
 */
export function currentTickets(cutoff: Date): Prisma.TicketWhereInput {
  // "Not resolved" rather than the seven open statuses, and the resolved ones without repeating
  // the status (the first branch already takes every open ticket): Prisma sends each status as
  // a CAST that PostgreSQL evaluates on every row (enum input is not immutable), so one instead
  // of nine keeps the count cheap at 10,000 tickets in scope.
  return {
    OR: [{ status: { not: TicketStatus.RESOLVED } }, ...resolvedSince(cutoff)],
  };
}

/** resolvedSince for raw SQL over `tickets t`. */
const resolvedSinceSql = (cutoff: Date): Prisma.Sql =>
  Prisma.sql`(t.resolved_at >= ${cutoff}::timestamptz OR (t.resolved_at IS NULL AND t.updated_at >= ${cutoff}::timestamptz))`;

/** recentlyResolved for raw SQL over `tickets t`. */
export function recentlyResolvedSql(cutoff: Date): Prisma.Sql {
  return resolvedSinceSql(cutoff);
}

/** currentTickets for raw SQL over `tickets t`; the status a literal, so PostgreSQL reads it once at parse time. */
export function currentTicketsSql(cutoff: Date): Prisma.Sql {
  return Prisma.sql`(t.status <> 'RESOLVED' OR ${resolvedSinceSql(cutoff)})`;
}
