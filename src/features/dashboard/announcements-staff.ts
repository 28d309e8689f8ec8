import { z } from 'zod';
import { recordAudit, type AuditActor } from '../../audit.js';
import { inTransaction, type PrismaClient, type Tx } from '../../db/client.js';
import { text } from '../../http/fields.js';
import { refuse } from '../../http/errors.js';

/**
 * Vendor-side changes to the dashboard's announcements (news, maintenance, outages): the staff
 * tool (`news:add`) and the integration API use these, so the rules (lengths, English title and
 * text together, expiry after publication, an organisation that exists) hold at every door.
 */

/** The kinds of announcement, as stored. */
export const ANNOUNCEMENT_KINDS = ['NEWS', 'MAINTENANCE', 'OUTAGE'] as const;

/** The text fields of an announcement, with their rules. */
export const ANNOUNCEMENT_FIELDS = {
  titleNl: text(),
  bodyNl: text(5000),
  titleEn: text(),
  bodyEn: text(5000),
};

/** An announcement to add; without a publication time it is published now. */
export interface AnnouncementInput {
  kind: (typeof ANNOUNCEMENT_KINDS)[number];
  organizationId: number | null;
  titleNl: string;
  bodyNl: string;
  titleEn: string | null;
  bodyEn: string | null;
  publishedAt: Date;
  expiresAt: Date | null;
}
/** A change: only the fields given change; null clears an optional one. */
export type AnnouncementPatch = Partial<AnnouncementInput>;

const Kind = z.enum(ANNOUNCEMENT_KINDS);
type Row = AnnouncementInput;

/** The rules that concern more than one field, checked on the announcement as it would be. */
async function check(tx: Tx, a: Row, orgChanged: boolean): Promise<void> {
  if (!Kind.safeParse(a.kind).success) throw refuse('kind', 'must be NEWS, MAINTENANCE or OUTAGE');
  if (a.titleEn && !a.bodyEn) throw refuse('bodyEn', 'needed together with titleEn', { partner: 'titleEn' });
  if (a.bodyEn && !a.titleEn) throw refuse('titleEn', 'needed together with bodyEn', { partner: 'bodyEn' });
  if (a.expiresAt && a.expiresAt.getTime() <= a.publishedAt.getTime())
    throw refuse('expiresAt', 'must be later than the publication time');
  if (
    orgChanged &&
    a.organizationId !== null &&
    !(await tx.organization.findUnique({ where: { id: a.organizationId }, select: { id: true } }))
  ) {
    throw refuse('organizationId', `no organisation with id ${a.organizationId}`);
  }
}

/** The audit form of an announcement: times as ISO text. */
const audited = (a: Row) => ({
  ...a,
  publishedAt: a.publishedAt.toISOString(),
  expiresAt: a.expiresAt?.toISOString() ?? null,
});

const columns = {
  kind: true,
  organizationId: true,
  titleNl: true,
  bodyNl: true,
  titleEn: true,
  bodyEn: true,
  publishedAt: true,
  expiresAt: true,
} as const;

/** Adds an announcement (for everyone, or one organisation and its subsidiaries), with its audit event. */
export async function addAnnouncement(
  db: PrismaClient | Tx,
  input: AnnouncementInput,
  actor: AuditActor,
): Promise<{ id: number; titleNl: string }> {
  return inTransaction(db, async (tx) => {
    await check(tx, input, true);
    const a = await tx.announcement.create({ data: input, select: { id: true, titleNl: true } });
    await recordAudit(tx, {
      actor,
      kind: 'announcement.created',
      organizationId: input.organizationId,
      subjectType: 'announcement',
      subjectId: a.id,
      after: audited(input),
    });
    return a;
  });
}

/** Changes an announcement (call with its row locked); the same values again change nothing. */
export async function updateAnnouncement(
  tx: Tx,
  id: number,
  patch: AnnouncementPatch,
  actor: AuditActor,
): Promise<void> {
  const before = await tx.announcement.findUnique({ where: { id }, select: columns });
  if (!before) throw refuse('id', `no announcement with id ${id}`, { code: 'NOT_FOUND' });
  const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as AnnouncementPatch;
  const after: Row = { ...before, ...given };
  const same = (k: keyof Row) =>
    after[k] instanceof Date || before[k] instanceof Date
      ? after[k]?.valueOf() === before[k]?.valueOf()
      : after[k] === before[k];
  const changed = (Object.keys(columns) as (keyof Row)[]).filter((k) => !same(k));
  if (!changed.length) return;
  await check(tx, after, changed.includes('organizationId'));
  await tx.announcement.update({ where: { id }, data: { ...given, version: { increment: 1 } } });
  const pick = (a: Row) =>
    Object.fromEntries(Object.entries(audited(a)).filter(([k]) => changed.includes(k as keyof Row)));
  // The titles always: Activiteiten names the announcement by them.
  await recordAudit(tx, {
    actor,
    kind: 'announcement.updated',
    organizationId: after.organizationId,
    subjectType: 'announcement',
    subjectId: id,
    before: pick(before),
    after: { titleNl: after.titleNl, titleEn: after.titleEn, ...pick(after) },
  });
}

/** Removes an announcement from the dashboard, with its audit event (which keeps its title). */
export async function removeAnnouncement(db: PrismaClient | Tx, id: number, actor: AuditActor): Promise<void> {
  await inTransaction(db, async (tx) => {
    const before = await tx.announcement.findUnique({ where: { id }, select: columns });
    if (!before) throw refuse('id', `no announcement with id ${id}`, { code: 'NOT_FOUND' });
    await tx.announcement.delete({ where: { id } });
    // The title under `after` too: the sentence reads it from there.
    await recordAudit(tx, {
      actor,
      kind: 'announcement.removed',
      organizationId: before.organizationId,
      subjectType: 'announcement',
      subjectId: id,
      before: audited(before),
      after: { titleNl: before.titleNl, titleEn: before.titleEn },
    });
  });
}
