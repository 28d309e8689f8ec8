import type { PrismaClient, Tx } from '../../db/client.js';
import type { Actor } from '../../auth/actor.js';

/** The application tiles activated for this person, in the vendor's order. */
export function listActivatedApplications(prisma: PrismaClient | Tx, actor: Actor) {
  return prisma.application.findMany({
    where: { activations: { some: { contactId: actor.id } } },
    orderBy: [{ position: 'asc' }, { name: 'asc' }],
    select: { id: true, code: true, name: true, descriptionNl: true, descriptionEn: true, url: true },
  });
}

/** Announcements in force now, for everyone or for the person's own organisation; newest first. */
export function listCurrentAnnouncements(prisma: PrismaClient | Tx, actor: Actor, now: Date, take = 10) {
  return prisma.announcement.findMany({
    where: {
      publishedAt: { lte: now },
      OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
      AND: [{ OR: [{ organizationId: null }, { organizationId: actor.organizationId }] }],
    },
    orderBy: { publishedAt: 'desc' },
    take,
  });
}
