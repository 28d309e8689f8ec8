import type { Precondition, ServiceDeps } from '../../services.js';
import type { Actor } from '../../auth/actor.js';
import type { AuditActor } from '../../audit.js';
import { recordDownload } from '../../audit.js';
import type { ListQuery } from '../../http/list.js';
import type { InvoiceFilter } from './filters.js';
import type { InvoiceInput } from './import.js';
import {
  getInvoiceForPdf,
  getInvoicesForPdf,
  latestInvoiceDate,
  listInvoices,
  listInvoicesForExport,
  selectInvoicesForZip,
  type InvoiceSort,
} from './service.js';
import { getInvoiceForApi, pageInvoicesForApi, type ApiPage } from './api-queries.js';
import { addInvoice, importInvoices, putInvoice, putInvoicePdf, type UpsertPrecondition } from './commands.js';

/**
 * The invoices as the doors see them: the person's scoped pages and downloads, the API's reads and
 * writes by number, the staff tool's add and import.
 */
export function invoiceServices(deps: ServiceDeps) {
  const { db, storage } = deps;
  return {
    /** One page of the person's invoices in the filter's scope, and how many there are. */
    list: (actor: Actor, filter: InvoiceFilter, list: ListQuery<InvoiceSort>) =>
      listInvoices(db, actor, filter, list, deps.pool),
    /** The date of the person's most recent invoice matching the filter's search, whatever its date. */
    latestDate: (actor: Actor, filter: InvoiceFilter) => latestInvoiceDate(db, actor, filter),
    /** Every invoice of the filtered list, for the CSV (refused above its limit). */
    listForExport: (actor: Actor, filter: InvoiceFilter, list: ListQuery<InvoiceSort>) =>
      listInvoicesForExport(db, actor, filter, list),
    /** The filtered list's ids and numbers, for the ZIP (refused above its limit). */
    selectForZip: (actor: Actor, filter: InvoiceFilter, list: ListQuery<InvoiceSort>) =>
      selectInvoicesForZip(db, actor, filter, list),
    /** One invoice in the person's scope with its lines and stored PDF (404 otherwise). */
    getForPdf: (actor: Actor, id: number) => getInvoiceForPdf(db, actor, id),
    /** Invoices by id, in the person's scope, for the ZIP's batches. */
    getManyForPdf: (actor: Actor, ids: number[]) => getInvoicesForPdf(db, actor, ids),
    /** Records that the person downloaded the invoice (their main contact sees it). */
    recordDownload: (actor: Actor, invoice: { number: number }, ip: string | null) =>
      recordDownload(db, actor, {
        kind: 'invoice.downloaded',
        subjectType: 'invoice',
        subjectId: invoice.number,
        after: { number: invoice.number },
        ip,
      }),
    /** A page of the API's list (one row more than asked, to tell whether a next page exists). */
    pageForApi: (page: ApiPage) => pageInvoicesForApi(db, page),
    /** One invoice by its number for the API (404 `No invoice <number>`). */
    getForApi: (number: number) => getInvoiceForApi(db, number),
    /** Creates or replaces an invoice by its number (API); the precondition sees the locked row. */
    put: (who: AuditActor, number: number, inv: InvoiceInput, opts: { precondition?: UpsertPrecondition } = {}) =>
      putInvoice(db, who, number, inv, opts),
    /** Stores an invoice's own PDF by its number (API). */
    putPdf: (who: AuditActor, number: number, pdf: Buffer, opts: { precondition?: Precondition } = {}) =>
      putInvoicePdf(db, storage, who, number, pdf, opts),
    /** Adds one invoice (staff tool), with its PDF when given. */
    add: (who: AuditActor, inv: InvoiceInput, opts: { pdf?: Buffer } = {}) => addInvoice(db, storage, who, inv, opts),
    /** Imports a batch of invoices all or nothing (staff tool). */
    import: (
      who: AuditActor,
      invoices: readonly InvoiceInput[],
      opts: { checked?: () => void; progress?: (done: number) => void } = {},
    ) => importInvoices(db, who, invoices, opts),
  };
}
