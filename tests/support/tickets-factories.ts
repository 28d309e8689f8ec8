import type { PrismaClient } from '../../src/db/client.js';
import type { TicketKind, TicketStatus } from '../../src/generated/prisma/enums.js';

let n = 0;

/** A ticket of an organisation, reported by `reporterId` unless told otherwise. */
export async function makeTicket(
  prisma: PrismaClient,
  orgId: number,
  over: {
    reporterId?: number | null;
    title?: string;
    status?: TicketStatus;
    kind?: TicketKind | null;
    reportedAt?: Date;
    resolvedAt?: Date | null;
    customerReference?: string | null;
    description?: string | null;
  } = {},
) {
  n += 1;
  return prisma.ticket.create({
    data: {
      organizationId: orgId,
      reporterId: over.reporterId ?? null,
      title: over.title ?? `Testmelding ${n}`,
      description: over.description ?? null,
      status: over.status ?? 'NEW',
      kind: over.kind === undefined ? 'INCIDENT' : over.kind,
      helpdesk: 'Support Vtel',
      channel: 'PHONE',
      reportedAt: over.reportedAt ?? new Date(Date.UTC(2026, 0, 1, 9, 0) + n * 60_000),
      deadline: new Date('2026-01-02'),
      resolvedAt: over.resolvedAt ?? (over.status === 'RESOLVED' ? new Date() : null),
      customerReference: over.customerReference ?? null,
    },
  });
}
