import type { Actor } from '../../auth/actor.js';
import type { ReceivedFile } from '../../http/uploads.js';
import type { ServiceDeps } from '../../services.js';
import { discardFiles, keepPending, listAttachments, openAttachment, type AttachmentInput } from './attachments.js';

/** The files of tickets as the doors see them: pending uploads of a refused form, the list, a download. */
export function attachmentServices(deps: ServiceDeps) {
  const { db, storage, clock } = deps;
  return {
    /** Keeps a refused form's files as pending uploads (up to PENDING_LIMITS); returns those and the ones not kept. */
    keepPending: (actor: Actor, input: AttachmentInput) => keepPending(db, storage, actor, input, clock.now()),
    /** The files of a ticket the actor may see, oldest first. */
    list: (actor: Actor, ticketId: number) => listAttachments(db, actor, ticketId),
    /** One file of a ticket the actor may see, with its bytes as a stream (404 otherwise). */
    open: (actor: Actor, ticketId: number, fileId: number) => openAttachment(db, storage, actor, ticketId, fileId),
    /** Removes stored bytes that never became a row (a refused or failed save). */
    discard: (files: ReceivedFile[]) => discardFiles(storage, files),
  };
}
