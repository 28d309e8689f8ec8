import type pg from 'pg';
import { Prisma, type PrismaClient, type Tx } from '../../db/client.js';
import { rawReader } from '../../db/read.js';
import type { Actor } from '../../auth/actor.js';

/** An application tile as the dashboard shows it. */
export interface ApplicationTile {
  id: number;
  code: string;
  name: string;
  descriptionNl: string;
  descriptionEn: string;
  url: string;
}

/**
 * The application tiles activated for this person, in the vendor's order. With the pool (the
 * pages) a named prepared statement on it (src/db/read.ts); otherwise Prisma's findMany.
 */
export async function listActivatedApplications(
  prisma: PrismaClient | Tx,
  actor: Actor,
  pool?: pg.Pool,
): Promise<ApplicationTile[]> {
  if (pool && '$disconnect' in prisma)
    return rawReader(
      prisma,
      pool,
    )<ApplicationTile>(Prisma.sql`
      SELECT a.id, a.code, a.name, a.description_nl AS "descriptionNl", a.description_en AS "descriptionEn", a.url
      FROM applications a
      WHERE EXISTS (SELECT 1 FROM application_activations x WHERE x.application_id = a.id AND x.contact_id = ${actor.id})
      ORDER BY a.position ASC, a.name ASC`);
  return prisma.application.findMany({
    where: { activations: { some: { contactId: actor.id } } },
    orderBy: [{ position: 'asc' }, { name: 'asc' }],
    select: { id: true, code: true, name: true, descriptionNl: true, descriptionEn: true, url: true },
  });
}

/**
 * Announcements in force now, for everyone or for the person's own organisation; newest first.
 * With the pool (the pages) a named prepared statement on it; otherwise Prisma's findMany.
 */
export async function listCurrentAnnouncements(
  prisma: PrismaClient | Tx,
  actor: Actor,
  now: Date,
  take = 10,
  pool?: pg.Pool,
): Promise<Prisma.AnnouncementGetPayload<object>[]> {
  if (pool && '$disconnect' in prisma)
    return rawReader(
      prisma,
      pool,
    )<Prisma.AnnouncementGetPayload<object>>(Prisma.sql`
      SELECT id, kind::text AS kind, organization_id AS "organizationId", title_nl AS "titleNl", body_nl AS "bodyNl",
        title_en AS "titleEn", body_en AS "bodyEn", published_at AS "publishedAt", expires_at AS "expiresAt", version,
        created_at AS "createdAt", updated_at AS "updatedAt"
      FROM announcements
      WHERE published_at <= ${now} AND (expires_at IS NULL OR expires_at > ${now})
        AND (organization_id IS NULL OR organization_id = ${actor.organizationId})
      ORDER BY published_at DESC
      LIMIT ${take}`);
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
