import type { Prisma } from '../../db/client.js';
import { CURRENT_STATUSES } from './schema.js';

/** Whether a note may be added now: open, reopenable (resolved recently) or closed for good. */
export type NoteState = 'open' | 'reopens' | 'closed';

/** The earliest resolution that a note can still reopen: `reopenDays` (calendar days) before now. */
export function reopenCutoff(now: Date, reopenDays: number): Date {
  return new Date(now.getTime() - reopenDays * 86_400_000);
}

/** A resolved ticket reopens by a note within `reopenDays` (calendar days) of its resolution. */
export function noteState(t: { status: string; resolvedAt: Date | null; updatedAt: Date }, now: Date, reopenDays: number): NoteState {
  if (t.status !== 'RESOLVED') return 'open';
  const resolvedAt = t.resolvedAt ?? t.updatedAt;
  return resolvedAt.getTime() >= reopenCutoff(now, reopenDays).getTime() ? 'reopens' : 'closed';
}

/**
 * "Status: actueel": every open ticket, plus the resolved ones a note can still reopen (the
 * same rule as noteState, so the list shows exactly the tickets that can still get a note).
 */
export function currentTickets(cutoff: Date): Prisma.TicketWhereInput {
  return {
    OR: [
      { status: { in: [...CURRENT_STATUSES] } },
      { status: 'RESOLVED', resolvedAt: { gte: cutoff } },
      { status: 'RESOLVED', resolvedAt: null, updatedAt: { gte: cutoff } },
    ],
  };
}
