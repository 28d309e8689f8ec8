import type { Actor } from '../../auth/actor.js';
import type { AuditActor } from '../../audit.js';
import { scope } from '../../auth/scope.js';
import { inTransaction, type Tx } from '../../db/client.js';
import { refuse } from '../../http/errors.js';
import type { ApiPage, Precondition, ServiceDeps } from '../../services.js';
import {
  addAnnouncement,
  removeAnnouncement,
  updateAnnouncement,
  type AnnouncementInput,
  type AnnouncementPatch,
} from './announcements-staff.js';
import { listActivatedApplications, listCurrentAnnouncements } from './service.js';

/** Locks an announcement's row and hands its version to the door's precondition. */
async function lockAnnouncement(tx: Tx, id: number, precondition?: Precondition): Promise<void> {
  const rows = await tx.$queryRaw<
    { version: number; updated_at: Date }[]
  >`SELECT version, updated_at FROM announcements WHERE id = ${id} FOR UPDATE`;
  if (!rows[0]) throw refuse('id', `no announcement with id ${id}`, { code: 'NOT_FOUND' });
  precondition?.({ version: rows[0].version, updatedAt: rows[0].updated_at });
}

/** The dashboard as the doors see it: the person's tiles and announcements, and staff's announcements. */
export function dashboardServices(deps: ServiceDeps) {
  const { db, clock, pool } = deps;
  return {
    /** What the dashboard shows the person: their application tiles and the announcements in force now. */
    forPerson: async (actor: Actor) => {
      const [applications, announcements] = await Promise.all([
        listActivatedApplications(db, actor, pool),
        listCurrentAnnouncements(db, actor, clock.now(), 10, pool),
      ]);
      return { applications, announcements };
    },
  };
}

/** The announcements as staff and the API change them. */
export function announcementServices(deps: ServiceDeps) {
  const { db } = deps;
  return {
    /** One page of announcements for the API (also expired and future ones), oldest change first. */
    pageForApi: (page: ApiPage) =>
      db.announcement.findMany({ ...page, where: { AND: [...page.where.AND, scope.api.announcements()] } }),
    /** One announcement for the API; a missing one is a 404. */
    getForApi: async (id: number) => {
      const a = await db.announcement.findFirst({ where: { id, ...scope.api.announcements() } });
      if (!a) throw refuse('id', `No announcement ${id}`, { code: 'NOT_FOUND' });
      return a;
    },
    /** Adds an announcement (for everyone, or one organisation and its subsidiaries). */
    add: (who: AuditActor, input: AnnouncementInput) => addAnnouncement(db, input, who),
    /** Changes an announcement; the precondition sees the locked row (the API's If-Match). */
    update: (who: AuditActor, id: number, patch: AnnouncementPatch, opts: { precondition?: Precondition } = {}) =>
      inTransaction(db, async (tx) => {
        await lockAnnouncement(tx, id, opts.precondition);
        await updateAnnouncement(tx, id, patch, who);
      }),
    /** Removes an announcement. */
    remove: (who: AuditActor, id: number, opts: { precondition?: Precondition } = {}) =>
      inTransaction(db, async (tx) => {
        await lockAnnouncement(tx, id, opts.precondition);
        await removeAnnouncement(tx, id, who);
      }),
  };
}
