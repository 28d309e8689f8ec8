import { createHash, randomUUID } from 'node:crypto';
import { recordAudit, type AuditActor } from '../../audit.js';
import { inTransaction, type PrismaClient, type Tx } from '../../db/client.js';
import { text } from '../../http/fields.js';
import { refuse } from '../../http/errors.js';
import { hasForbiddenChars } from '../../http/text.js';
import { detectContentType, FILE_TYPES, MAX_DOCUMENT_BYTES } from './files.js';
import { notifyNewReport } from './report-mail.js';
import type { FileStorage } from '../../storage/types.js';
import { releaseFiles } from '../../storage/registry.js';
import type { Precondition } from '../../services.js';
import { bufferStream, hashOf, readHead } from '../../storage/streams.js';

/**
 * Vendor-side changes to documents (manuals, product information, reports): the staff tool
 * (`document:add`, `document:remove`) and the integration API use these, so the rules (a type
 * recognised by name and content, reports PDF only and for one organisation, at most 20 MB, a
 * report mails those who opted in) hold at every door. Refusals are AppErrors (refuse) naming
 * `kind`, `organizationId`, `fileName`, `file` (the content) or `id`.
 *
 * The files live in the file storage (src/storage), the row names its key. A new file is
 * stored before the row is written and deleted again when writing fails; a file no row names
 * any more is deleted once its change has committed (here when the service ran the transaction,
 * else by the sweep, src/storage/registry.ts).
 */

/** The kinds of document, as stored. */
export const DOCUMENT_KINDS = ['MANUAL', 'PRODUCT_INFO', 'REPORT'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** The name a document is shown and downloaded under: one line of at most 200 characters. */
export const documentFileName = text(200).refine(
  (v) => !hasForbiddenChars(v, false),
  'must be one line without control characters',
);

/** A document to add. */
export interface DocumentInput {
  kind: DocumentKind;
  organizationId: number | null;
  fileName: string;
  documentDate: Date;
  content: Buffer;
}

/** A change: only the fields given change; `content` replaces the file. */
export type DocumentPatch = Partial<DocumentInput>;

const allowed = () => FILE_TYPES.map((f) => f.ext.join('/')).join(', ');

/**
 * The content type of a file that may be a document of this kind under this name; refuses
 * anything else, blaming `blame`: the file when it is new, else the name or kind that changed.
 */
function contentTypeOf(
  kind: DocumentKind,
  fileName: string,
  head: Buffer,
  blame: 'file' | 'fileName' | 'kind' = 'file',
): string {
  const type = detectContentType(fileName, head.subarray(0, 16), kind === 'REPORT');
  if (type) return type;
  throw refuse(
    blame,
    kind === 'REPORT'
      ? `a report must be a PDF (a .pdf name and content starting with %PDF-): ${fileName}`
      : `the name's extension and the content do not agree, or the type is not allowed (${allowed()}): ${fileName}`,
  );
}

function checkName(fileName: string): void {
  const r = documentFileName.safeParse(fileName);
  if (!r.success) throw refuse('fileName', r.error.issues[0]!.message);
}

function checkSize(content: Buffer): void {
  if (content.length === 0) throw refuse('file', 'the file is empty');
  if (content.length > MAX_DOCUMENT_BYTES)
    throw refuse('file', `the file is larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB`);
}

/** The organisation a document of this kind belongs to (null: every customer); a report needs one. */
async function organizationFor(tx: Tx, kind: DocumentKind, organizationId: number | null) {
  if (organizationId === null) {
    if (kind === 'REPORT') throw refuse('organizationId', 'a report belongs to one organisation');
    return null;
  }
  const org = await tx.organization.findUnique({
    where: { id: organizationId },
    select: { id: true, name: true, reportsInContract: true },
  });
  if (!org) throw refuse('organizationId', `no organisation with id ${organizationId}`);
  return org;
}

/**
 * Adds a document with its audit event; a report also queues its mail to everyone who opted in
 * and may see it, in the same transaction (with a one-click unsubscribe link,
 * given the mail-link key). Returns the organisation (null: every customer) and
 * the addresses mailed.
 */
export async function addDocument(
  db: PrismaClient | Tx,
  input: DocumentInput,
  actor: AuditActor,
  opts: { baseUrl: string; linkSecret?: string; storage: FileStorage },
) {
  checkName(input.fileName);
  checkSize(input.content);
  const contentType = contentTypeOf(input.kind, input.fileName, input.content);
  const storageKey = await putFile(opts.storage, input.content);
  return inTransaction(db, async (tx) => {
    const org = await organizationFor(tx, input.kind, input.organizationId);
    const doc = await tx.document.create({
      data: {
        kind: input.kind,
        organizationId: org?.id ?? null,
        fileName: input.fileName,
        contentType,
        size: input.content.length,
        storageKey,
        documentDate: input.documentDate,
      },
      select: { id: true },
    });
    await recordAudit(tx, {
      actor,
      kind: 'document.created',
      organizationId: org?.id ?? null,
      subjectType: 'document',
      subjectId: doc.id,
      after: { kind: input.kind, fileName: input.fileName, contentType, size: input.content.length },
    });
    const mailed =
      input.kind === 'REPORT'
        ? await notifyNewReport(
            tx,
            { organizationId: org!.id, fileName: input.fileName },
            opts.baseUrl,
            opts.linkSecret,
          )
        : [];
    return { id: doc.id, organization: org, mailed };
  }).catch(forget(opts.storage, storageKey));
}

/** Puts a document's file into the storage under a new key, streamed in slices. */
async function putFile(storage: FileStorage, content: Buffer): Promise<string> {
  const key = randomUUID();
  await storage.put(key, bufferStream(content));
  return key;
}

/** Deletes a just-stored file again when the row that was to name it was not written, and rethrows. */
const forget =
  (storage: FileStorage, key: string) =>
  async (err: unknown): Promise<never> => {
    await storage.delete(key).catch(() => {});
    throw err;
  };

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * Changes a document (call with its row locked): its kind, organisation, name, date or file. The
 * rules of adding hold for the result (a new name must still match the content, a report stays a
 * PDF of one organisation). The same values again change nothing. A report is mailed only when
 * it is added, not when a document becomes one.
 */
export async function updateDocument(
  tx: Tx,
  id: number,
  patch: DocumentPatch,
  actor: AuditActor,
  storage: FileStorage,
): Promise<void> {
  const rows = await tx.$queryRaw<
    {
      kind: DocumentKind;
      organization_id: number | null;
      file_name: string;
      document_date: Date;
      content_type: string;
      size: number;
      storage_key: string;
    }[]
  >`
    SELECT kind::text AS kind, organization_id, file_name, document_date, content_type, size, storage_key
    FROM documents WHERE id = ${id}`;
  const before = rows[0];
  if (!before) throw refuse('id', `no document with id ${id}`, { code: 'NOT_FOUND' });
  if (patch.fileName !== undefined) checkName(patch.fileName);
  if (patch.content) checkSize(patch.content);
  const kind = patch.kind ?? before.kind;
  const fileName = patch.fileName ?? before.file_name;
  const organizationId = patch.organizationId !== undefined ? patch.organizationId : before.organization_id;
  // Another size is another file; the same size is read back and compared by hash.
  const same =
    patch.content &&
    patch.content.length === before.size &&
    sha256(patch.content) === (await hashOf(storage, before.storage_key));
  const content = patch.content && !same ? patch.content : undefined;
  const blame = patch.content
    ? 'file'
    : patch.fileName !== undefined && patch.fileName !== before.file_name
      ? 'fileName'
      : 'kind';
  const contentType = contentTypeOf(
    kind,
    fileName,
    patch.content ?? (await readHead(storage, before.storage_key, 16)),
    blame,
  );
  if (patch.kind !== undefined || patch.organizationId !== undefined) await organizationFor(tx, kind, organizationId);

  const old = {
    kind: before.kind,
    organizationId: before.organization_id,
    fileName: before.file_name,
    documentDate: before.document_date.toISOString().slice(0, 10),
    contentType: before.content_type,
    size: before.size,
  };
  const now = {
    kind,
    organizationId,
    fileName,
    documentDate: (patch.documentDate ?? before.document_date).toISOString().slice(0, 10),
    contentType,
    size: content?.length ?? before.size,
  };
  const changed = (Object.keys(old) as (keyof typeof old)[]).filter((k) => old[k] !== now[k]);
  if (!changed.length && !content) return;
  // The replaced file is left to the sweep: this runs in the caller's transaction, which may yet roll back.
  const storageKey = content ? await putFile(storage, content) : null;
  const pick = (o: typeof old) => Object.fromEntries(changed.map((k) => [k, o[k]]));
  try {
    await tx.document.update({
      where: { id },
      data: {
        kind,
        organizationId,
        fileName,
        contentType,
        documentDate: patch.documentDate ?? before.document_date,
        ...(content ? { storageKey: storageKey!, size: content.length } : {}),
        version: { increment: 1 },
      },
    });
    await recordAudit(tx, {
      actor,
      kind: 'document.updated',
      organizationId,
      subjectType: 'document',
      subjectId: id,
      // The kind and name always: Activiteiten names the document by them.
      before: pick(old),
      after: { kind, fileName, ...pick(now), ...(content ? { newFile: true } : {}) },
    });
  } catch (err) {
    if (storageKey) await storage.delete(storageKey).catch(() => {});
    throw err;
  }
}

/**
 * Locks a document's row (a NOT_FOUND refusal naming `id` when there is none) and hands its version to the door's
 * precondition.
 */
export async function lockDocument(tx: Tx, id: number, precondition?: Precondition): Promise<void> {
  const rows = await tx.$queryRaw<
    { version: number; updated_at: Date }[]
  >`SELECT version, updated_at FROM documents WHERE id = ${id} FOR UPDATE`;
  if (!rows[0]) throw refuse('id', `no document with id ${id}`, { code: 'NOT_FOUND' });
  precondition?.({ version: rows[0].version, updatedAt: rows[0].updated_at });
}

/**
 * Removes a document, with its audit event (which keeps its name), and then its file; the precondition sees the locked
 * row.
 */
export async function removeDocument(
  db: PrismaClient | Tx,
  id: number,
  actor: AuditActor,
  storage: FileStorage,
  precondition?: Precondition,
): Promise<{ id: number; fileName: string }> {
  const doc = await inTransaction(db, async (tx) => {
    await lockDocument(tx, id, precondition);
    const doc = await tx.document.findUniqueOrThrow({
      where: { id },
      select: { id: true, kind: true, organizationId: true, fileName: true, size: true, storageKey: true },
    });
    await tx.document.delete({ where: { id } });
    await recordAudit(tx, {
      actor,
      kind: 'document.removed',
      organizationId: doc.organizationId,
      subjectType: 'document',
      subjectId: doc.id,
      before: { kind: doc.kind, fileName: doc.fileName, size: doc.size },
    });
    return doc;
  });
  await releaseFiles(db, storage, [doc.storageKey]);
  return { id: doc.id, fileName: doc.fileName };
}
