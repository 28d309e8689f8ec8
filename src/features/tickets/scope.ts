import type { Actor } from '../../auth/actor.js';
import { Role } from '../../auth/roles.js';
import type { Prisma } from '../../db/client.js';

/**
 * The tickets a person may see: with MANAGE_ORG_TICKETS every ticket of their organisations
 * (their own, plus subsidiaries with SUBSIDIARY_ACCESS: actor.orgIds), otherwise only the
 * tickets they reported themselves. Anything outside is simply not found (404).
 */
export function ticketScope(actor: Actor): Prisma.TicketWhereInput {
  // One organisation (the usual case) as an equality, so that a page of a status group is read
  // in order straight from the (organization_id, status, reported_at, id) index; IN / ANY does not.
  const organizationId = actor.orgIds.length === 1 ? actor.orgIds[0]! : { in: actor.orgIds };
  if (actor.roles.has(Role.MANAGE_ORG_TICKETS)) return { organizationId };
  return { reporterId: actor.id, organizationId };
}

/** Whether a note may be added now: open, reopenable (resolved recently) or closed for good. */
export type NoteState = 'open' | 'reopens' | 'closed';

/** A resolved ticket reopens by a note within `reopenDays` (calendar days) of its resolution. */
export function noteState(t: { status: string; resolvedAt: Date | null; updatedAt: Date }, now: Date, reopenDays: number): NoteState {
  if (t.status !== 'RESOLVED') return 'open';
  const resolvedAt = t.resolvedAt ?? t.updatedAt;
  return now.getTime() - resolvedAt.getTime() <= reopenDays * 86_400_000 ? 'reopens' : 'closed';
}
