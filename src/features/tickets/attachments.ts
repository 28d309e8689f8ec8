import type { Readable } from 'node:stream';
import type { Actor } from '../../auth/actor.js';
import { scope } from '../../auth/scope.js';
import { inTransaction, type PrismaClient, type Tx } from '../../db/client.js';
import { AppError } from '../../http/errors.js';
import { UPLOAD_LIMITS, type ReceivedFile } from '../../http/uploads.js';
import type { FileStorage } from '../../storage/types.js';

/** How long a file from a refused form waits for its uploader to submit again. */
const PENDING_HOURS = 24;

/**
 * What one person may have waiting from refused forms at a time: two full forms' worth of files,
 * one full form's bytes (ten files of 20 MB). A file beyond either is not kept and the form says so.
 */
export const PENDING_LIMITS = { files: 20, bytes: 10 * 20 * 1024 * 1024 } as const;

/** A file as the ticket page lists it. */
export interface AttachmentView {
  id: number;
  noteId: number | null;
  fileName: string;
  contentType: string;
  size: number;
  uploader: string | null;
  createdAt: Date;
}

/** What a new ticket or note carries: files just received, and earlier pending uploads to keep. */
export interface AttachmentInput {
  files: ReceivedFile[];
  keep: number[];
}

/**
 * Keeps the received files of a refused form as pending uploads of the actor (no ticket yet),
 * so the re-shown form can carry them without choosing them again; returns every pending file
 * the form now holds, and the received files not kept because the actor's pending files would
 * pass PENDING_LIMITS (their bytes are deleted). Also forgets the actor's pending files older
 * than a day. The limit is counted and taken under a lock of the person's own, so refused forms
 * sent together cannot pass it between them.
 */
export async function keepPending(
  prisma: PrismaClient | Tx,
  storage: FileStorage,
  actor: Actor,
  input: AttachmentInput,
  now: Date,
) {
  const { stale, kept, notKept } = await inTransaction(prisma, async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('pending-uploads'), ${actor.id}::int)`;
    const stale = await tx.ticketAttachment.findMany({
      where: {
        uploaderId: actor.id,
        ticketId: null,
        createdAt: { lt: new Date(now.getTime() - PENDING_HOURS * 3_600_000) },
      },
      select: { id: true, storageKey: true },
    });
    if (stale.length) await tx.ticketAttachment.deleteMany({ where: { id: { in: stale.map((s) => s.id) } } });
    const held = await tx.ticketAttachment.aggregate({
      where: { uploaderId: actor.id, ticketId: null },
      _count: { _all: true },
      _sum: { size: true },
    });
    let files = held._count._all;
    let bytes = held._sum.size ?? 0;
    const kept: ReceivedFile[] = [];
    const notKept: ReceivedFile[] = [];
    for (const f of input.files) {
      if (files + 1 > PENDING_LIMITS.files || bytes + f.size > PENDING_LIMITS.bytes) {
        notKept.push(f);
        continue;
      }
      files += 1;
      bytes += f.size;
      kept.push(f);
    }
    await tx.ticketAttachment.createMany({
      data: kept.map((f) => ({
        uploaderId: actor.id,
        fileName: f.fileName,
        contentType: f.contentType,
        size: f.size,
        storageKey: f.key,
        createdAt: now,
      })),
    });
    return { stale, kept, notKept };
  });
  // The bytes go once the rows are gone for good (after the commit).
  await Promise.all(
    [...stale.map((s) => s.storageKey), ...notKept.map((f) => f.key)].map((k) => storage.delete(k).catch(() => {})),
  );
  const keys = kept.map((f) => f.key);
  const pending = await prisma.ticketAttachment.findMany({
    where: { uploaderId: actor.id, ticketId: null, OR: [{ id: { in: input.keep } }, { storageKey: { in: keys } }] },
    select: { id: true, fileName: true, contentType: true, size: true },
    orderBy: { id: 'asc' },
  });
  return { pending, notKept };
}

/**
 * Attaches the files to a ticket (and a note) inside the transaction that creates them.
 * Pending files are taken only when they are the actor's own and still unattached; more than
 * ten files in all is refused (422) and nothing is saved.
 */
export async function attachFiles(
  tx: Tx,
  actor: Actor,
  target: { ticketId: number; noteId?: number },
  input: AttachmentInput,
  now: Date,
): Promise<number> {
  if (input.files.length + input.keep.length > UPLOAD_LIMITS.files)
    throw new AppError('UNPROCESSABLE', 'tickets.attachments.tooMany');
  const kept = input.keep.length
    ? await tx.ticketAttachment.updateMany({
        where: { id: { in: input.keep }, uploaderId: actor.id, ticketId: null },
        data: { ticketId: target.ticketId, noteId: target.noteId ?? null },
      })
    : { count: 0 };
  await tx.ticketAttachment.createMany({
    data: input.files.map((f) => ({
      ticketId: target.ticketId,
      noteId: target.noteId ?? null,
      uploaderId: actor.id,
      fileName: f.fileName,
      contentType: f.contentType,
      size: f.size,
      storageKey: f.key,
      createdAt: now,
    })),
  });
  return kept.count + input.files.length;
}

/** The files of a ticket the actor may see, oldest first (the caller has already found the ticket in scope). */
export async function listAttachments(
  prisma: PrismaClient | Tx,
  actor: Actor,
  ticketId: number,
): Promise<AttachmentView[]> {
  const rows = await prisma.ticketAttachment.findMany({
    where: { AND: [{ ticketId }, scope.ticketAttachments(actor)] },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    include: { uploader: { select: { firstName: true, infix: true, lastName: true } } },
    take: 500,
  });
  return rows.map((r) => ({
    id: r.id,
    noteId: r.noteId,
    fileName: r.fileName,
    contentType: r.contentType,
    size: r.size,
    uploader: r.staffName
      ? `${r.staffName} (Vcare)`
      : r.uploader
        ? [r.uploader.firstName, r.uploader.infix, r.uploader.lastName].filter(Boolean).join(' ')
        : null,
    createdAt: r.createdAt,
  }));
}

/** One file of a ticket the actor may see, with its bytes as a stream; anything else is a 404. */
export async function openAttachment(
  prisma: PrismaClient | Tx,
  storage: FileStorage,
  actor: Actor,
  ticketId: number,
  fileId: number,
): Promise<{ fileName: string; contentType: string; size: number; body: Readable }> {
  const row = await prisma.ticketAttachment.findFirst({
    where: { AND: [{ id: fileId, ticketId }, scope.ticketAttachments(actor)] },
    select: { fileName: true, contentType: true, size: true, storageKey: true },
  });
  if (!row) throw new AppError('NOT_FOUND');
  const body = await storage.get(row.storageKey);
  if (!body) throw new AppError('NOT_FOUND');
  return { fileName: row.fileName, contentType: row.contentType, size: row.size, body };
}

/** Removes stored bytes that never became a row (a refused or failed save). */
export async function discardFiles(storage: FileStorage, files: ReceivedFile[]): Promise<void> {
  await Promise.all(files.map((f) => storage.delete(f.key).catch(() => {})));
}
