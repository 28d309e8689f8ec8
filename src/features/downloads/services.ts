import type { Actor } from '../../auth/actor.js';
import { recordDownload, type AuditActor } from '../../audit.js';
import { scope } from '../../auth/scope.js';
import { inTransaction, type Tx } from '../../db/client.js';
import { refuse } from '../../http/errors.js';
import type { ListQuery } from '../../http/list.js';
import type { ApiPage, Precondition, ServiceDeps } from '../../services.js';
// Another helper's domain: `org:set-reports` lives with the documents command, so its write is called from here.
import {
  getDocument,
  getProductInfoContent,
  getReportMailOptIn,
  listDocuments,
  setReportMailOptIn,
  type DocumentSort,
} from './service.js';
import {
  addDocument,
  lockDocument,
  removeDocument,
  updateDocument,
  type DocumentInput,
  type DocumentKind,
  type DocumentPatch,
} from './staff.js';
import { documentContentStream } from './files.js';
import { getProductInfo, resetProductInfo, setProductInfo } from './product-info-staff.js';

// Never the content: a list of documents must not read megabytes per row.
const apiSelect = {
  id: true,
  kind: true,
  organizationId: true,
  fileName: true,
  contentType: true,
  size: true,
  documentDate: true,
  version: true,
  createdAt: true,
  updatedAt: true,
} as const;

/** Downloads as the doors see them: the customer's lists and files, staff's and the API's documents. */
export function documentServices(deps: ServiceDeps) {
  const { db, config, storage } = deps;
  return {
    /** One page of a kind of document the person may see. */
    list: (actor: Actor, kind: DocumentKind, list: ListQuery<DocumentSort>) => listDocuments(db, actor, kind, list),
    /**
     * A document the person may open (404 otherwise), its bytes as a stream; the download is
     * recorded first, with its name and kind (the activity page can still say what it was after
     * the document is removed).
     */
    download: async (actor: Actor, id: number, ip: string | null) => {
      const doc = await getDocument(db, actor, id, storage);
      await recordDownload(db, actor, {
        kind: 'document.downloaded',
        subjectType: 'document',
        subjectId: doc.id,
        after: { fileName: doc.fileName, kind: doc.kind },
        ip,
      });
      return doc;
    },
    /** Whether the person asked for a mail when a new report is ready. */
    reportMailOptIn: (actor: Actor) => getReportMailOptIn(db, actor),
    /** Saves the person's own choice, with an audit event. */
    setReportMailOptIn: (actor: Actor, optIn: boolean, ip: string | undefined) =>
      setReportMailOptIn(db, actor, optIn, ip),

    /** Every document, as `document:list` shows them. */
    staffList: (filter: { kind?: DocumentKind; org?: number }) =>
      db.document.findMany({
        where: {
          ...(filter.kind ? { kind: filter.kind } : {}),
          ...(filter.org !== undefined ? { organizationId: filter.org } : {}),
        },
        orderBy: [{ kind: 'asc' }, { documentDate: 'asc' }, { id: 'asc' }],
        select: { id: true, kind: true, organizationId: true, fileName: true, size: true, documentDate: true },
      }),
    /** One page of documents for the API (details only), oldest change first. */
    pageForApi: (page: ApiPage) =>
      db.document.findMany({ ...page, where: { AND: [...page.where.AND, scope.api.documents()] }, select: apiSelect }),
    /** One document's details for the API; a missing one is a 404. */
    getForApi: async (id: number) => {
      const d = await db.document.findFirst({ where: { id, ...scope.api.documents() }, select: apiSelect });
      if (!d) throw refuse('id', `No document ${id}`, { code: 'NOT_FOUND' });
      return d;
    },
    /** One document's file for the API, as a stream; a missing one is a 404. */
    fileForApi: async (id: number) => {
      const d = await db.document.findFirst({
        where: { id, ...scope.api.documents() },
        select: { id: true, fileName: true, contentType: true, size: true, storageKey: true },
      });
      const stream = d && (await documentContentStream(storage, d.storageKey));
      if (!d || !stream) throw refuse('id', `No document ${id}`, { code: 'NOT_FOUND' });
      return { fileName: d.fileName, contentType: d.contentType, size: d.size, stream };
    },
    /** Adds a document; a report queues its mail to everyone who opted in and may see it. */
    add: (who: AuditActor, input: DocumentInput) =>
      addDocument(db, input, who, { baseUrl: deps.baseUrl, linkSecret: config.tickets.linkSecret, storage }),
    /** Changes a document's details or file; the precondition sees the locked row (the API's If-Match). */
    update: (who: AuditActor, id: number, patch: DocumentPatch, opts: { precondition?: Precondition } = {}) =>
      inTransaction(db, async (tx) => {
        await lockDocument(tx, id, opts.precondition);
        await updateDocument(tx, id, patch, who, storage);
      }),
    /** Removes a document, then its file (at once when this call ran the transaction, else by the sweep). */
    remove: (who: AuditActor, id: number, opts: { precondition?: Precondition } = {}) =>
      removeDocument(db, id, who, storage, opts.precondition),
  };
}

/** The check of the product-information text before a write: the current row, or null while the default text shows. */
export type ProductInfoPrecondition = (current: { version: number; updatedAt: Date } | null) => void;

// The text is one row: a transaction-scoped advisory lock stands in for its row lock, so two
// writers with the same ETag cannot both pass (and a first write has no row to lock).
const PRODUCT_INFO_LOCK = 13_003;

/** The text of Downloads › Productinformatie as the doors see it. */
export function productInfoServices(deps: ServiceDeps) {
  const { db } = deps;
  const locked = async <T>(precondition: ProductInfoPrecondition | undefined, write: (tx: Tx) => Promise<T>) =>
    inTransaction(db, async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${PRODUCT_INFO_LOCK}::int)`;
      precondition?.(await getProductInfo(tx));
      return write(tx);
    });
  return {
    /** The page's text in `lang` (Dutch when there is no English); null: the default text. */
    pageText: (lang: 'nl' | 'en') => getProductInfoContent(db, lang),
    /** The stored text with what its ETag is made of; null while the page shows its default text. */
    get: () => getProductInfo(db),
    /** Sets the text; the same text again changes nothing. Returns whether there was a staff text before. */
    set: (
      who: AuditActor,
      text: { bodyNl: string; bodyEn: string | null },
      opts: { precondition?: ProductInfoPrecondition } = {},
    ) => locked(opts.precondition, (tx) => setProductInfo(tx, text, who)),
    /** Removes the staff text (the default text shows again). Returns whether there was one. */
    reset: (who: AuditActor, opts: { precondition?: ProductInfoPrecondition } = {}) =>
      locked(opts.precondition, (tx) => resetProductInfo(tx, who)),
  };
}
