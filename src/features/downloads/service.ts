import { inTransaction, type Prisma, type PrismaClient, type Tx } from '../../db/client.js';
import type { Actor } from '../../auth/actor.js';
import { scope } from '../../auth/scope.js';
import { recordAudit } from '../../audit.js';
import { AppError } from '../../http/errors.js';
import type { ListQuery } from '../../http/list.js';
import { PRODUCT_INFO_KEY } from './content.js';
import { documentContentStream } from './files.js';
import type { FileStorage } from '../../storage/types.js';

export const DOCUMENT_SORTS = ['name', 'size', 'date'] as const;
export type DocumentSort = (typeof DOCUMENT_SORTS)[number];

const rowSelect = {
  id: true,
  fileName: true,
  contentType: true,
  size: true,
  documentDate: true,
  organization: { select: { name: true } },
} as const;

function orderFor(sort: DocumentSort, dir: 'asc' | 'desc'): Prisma.DocumentOrderByWithRelationInput[] {
  if (sort === 'name') return [{ fileName: dir }, { id: dir }];
  if (sort === 'size') return [{ size: dir }, { id: dir }];
  return [{ documentDate: dir }, { fileName: dir }, { id: dir }];
}

/** One page of a kind of document the person may see. */
export async function listDocuments(
  prisma: PrismaClient | Tx,
  actor: Actor,
  kind: 'MANUAL' | 'PRODUCT_INFO' | 'REPORT',
  list: ListQuery<DocumentSort>,
) {
  const where = scope.documents(actor, kind);
  const [rows, total] = await Promise.all([
    prisma.document.findMany({
      where,
      orderBy: orderFor(list.sort, list.dir),
      skip: list.skip,
      take: list.perPage,
      select: rowSelect,
    }),
    prisma.document.count({ where }),
  ]);
  return { rows, total };
}

/**
 * One document the person may open, with its bytes as a stream from the file storage (a 20 MB
 * document is never held whole in memory); anything else is not found (404).
 */
export async function getDocument(prisma: PrismaClient | Tx, actor: Actor, id: number, storage: FileStorage) {
  const doc = await prisma.document.findFirst({
    where: { AND: [{ id }, scope.documents(actor)] },
    select: { id: true, kind: true, fileName: true, contentType: true, size: true, storageKey: true },
  });
  if (!doc) throw new AppError('NOT_FOUND');
  const body = await documentContentStream(storage, doc.storageKey);
  if (!body) throw new AppError('NOT_FOUND');
  return { id: doc.id, kind: doc.kind, fileName: doc.fileName, contentType: doc.contentType, size: doc.size, body };
}

/** Whether the person asked for a mail when a new report is ready. */
export async function getReportMailOptIn(prisma: PrismaClient | Tx, actor: Actor): Promise<boolean> {
  const c = await prisma.contact.findUnique({ where: { id: actor.id }, select: { reportMailOptIn: true } });
  return c?.reportMailOptIn ?? false;
}

/** Saves the person's own choice ("Ja, ik wil een melding ontvangen"), with an audit event. */
export async function setReportMailOptIn(
  prisma: PrismaClient | Tx,
  actor: Actor,
  optIn: boolean,
  ip: string | undefined,
): Promise<void> {
  await inTransaction(prisma, async (tx) => {
    const before = await tx.contact.findUniqueOrThrow({ where: { id: actor.id }, select: { reportMailOptIn: true } });
    if (before.reportMailOptIn === optIn) return;
    await tx.contact.update({ where: { id: actor.id }, data: { reportMailOptIn: optIn } });
    await recordAudit(tx, {
      actor,
      kind: 'contact.report_mail_opt_in',
      organizationId: actor.organizationId,
      subjectType: 'contact',
      subjectId: actor.id,
      before: { reportMailOptIn: before.reportMailOptIn },
      after: { reportMailOptIn: optIn },
      ip: ip ?? null,
    });
  });
}

/**
 * The staff-written text of the product-information page in `lang` (Dutch when there is no English); null: the default
 * text.
 */
export async function getProductInfoContent(prisma: PrismaClient | Tx, lang: 'nl' | 'en'): Promise<string | null> {
  const row = await prisma.pageContent.findUnique({ where: { key: PRODUCT_INFO_KEY } });
  if (!row) return null;
  return lang === 'en' && row.bodyEn ? row.bodyEn : row.bodyNl;
}
