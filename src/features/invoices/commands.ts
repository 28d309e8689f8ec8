import { inTransaction, type PrismaClient, type Tx } from '../../db/client.js';
import type { FileStorage } from '../../storage/types.js';
import type { AuditActor } from '../../audit.js';
import type { Precondition } from '../../services.js';
import { scope } from '../../auth/scope.js';
import { AppError, refuse } from '../../http/errors.js';
import type { InvoiceInput } from './import.js';
import {
  checkAgainstDatabase,
  checkCreditAgainstDatabase,
  pdfRefusal,
  replaceInvoice,
  sameContent,
  storeInvoicePdf,
  storeInvoices,
} from './store.js';
import { findInvoiceByNumber, type InvoiceRow } from './api-queries.js';

type Db = PrismaClient | Tx;

/** What an If-Match check sees of a stored invoice: its version and last change. */
export interface InvoiceVersion {
  version: number;
  updatedAt: Date;
}

/** A check of the stored invoice (null when the number is new), run with its number locked; it throws to refuse. */
export type UpsertPrecondition = (current: InvoiceVersion | null) => void;

// Invoice numbers get their own advisory-lock space: two PUTs of a new number cannot both insert.
const LOCK_SPACE = 13_001;

async function lockNumber(
  tx: Tx,
  number: number,
): Promise<(InvoiceVersion & { id: number; organizationId: number }) | null> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LOCK_SPACE}::int, ${number}::int)`;
  const rows = await tx.$queryRaw<{ id: number; version: number; updated_at: Date; organization_id: number }[]>`
    SELECT id, version, updated_at, organization_id FROM invoices WHERE number = ${number} FOR UPDATE`;
  const r = rows[0];
  return r ? { id: r.id, version: r.version, updatedAt: r.updated_at, organizationId: r.organization_id } : null;
}

/**
 * Creates or replaces an invoice by its number (the ERP's key): the same content again changes
 * nothing. The precondition sees the locked row; an unknown organisation is refused.
 */
export async function putInvoice(
  db: Db,
  who: AuditActor,
  number: number,
  inv: InvoiceInput,
  opts: { precondition?: UpsertPrecondition } = {},
): Promise<{ created: boolean; row: InvoiceRow }> {
  return inTransaction(db, async (tx) => {
    const current = await lockNumber(tx, number);
    opts.precondition?.(current);
    const org = await tx.organization.findFirst({
      where: { id: inv.organizationId, ...scope.api.organizations() },
      select: { name: true },
    });
    if (!org) throw refuse('organizationId', `no organisation with id ${inv.organizationId}`);
    await checkCreditAgainstDatabase(tx, inv).catch((e: unknown) => {
      throw e instanceof AppError ? refuse('creditsInvoice', e.detail ?? '') : e;
    });
    if (!current) {
      await storeInvoices(tx, [inv], new Map([[inv.organizationId, org.name]]), who);
    } else {
      const stored = await tx.invoice.findUniqueOrThrow({
        where: { id: current.id },
        select: {
          organizationId: true,
          title: true,
          invoiceDate: true,
          paymentTermDays: true,
          organizationName: true,
          creditedInvoice: { select: { number: true } },
          lines: { orderBy: { position: 'asc' } },
        },
      });
      if (!sameContent(inv, stored, org.name)) await replaceInvoice(tx, current.id, inv, org.name, who);
    }
    return { created: !current, row: (await findInvoiceByNumber(tx, number))! };
  });
}

/**
 * Stores the invoice's own PDF by its number: 404 without the invoice; the precondition sees the
 * locked row; a file that is no PDF is refused.
 */
export async function putInvoicePdf(
  db: Db,
  storage: FileStorage,
  who: AuditActor,
  number: number,
  pdf: Buffer,
  opts: { precondition?: Precondition } = {},
): Promise<InvoiceRow> {
  return inTransaction(db, async (tx) => {
    const current = await lockNumber(tx, number);
    if (!current) throw new AppError('NOT_FOUND', undefined, { detail: `No invoice ${number}` });
    opts.precondition?.(current);
    const refusal = pdfRefusal(pdf);
    if (refusal) throw new AppError('UNPROCESSABLE', undefined, { detail: refusal });
    await storeInvoicePdf(tx, current.id, number, current.organizationId, pdf, who, storage);
    return (await findInvoiceByNumber(tx, number))!;
  });
}

/**
 * Adds one invoice (staff), with its own PDF when given: the organisation must exist and the
 * number be free (refused naming `organization_id` or `number`), checked in the same transaction.
 */
export async function addInvoice(
  db: Db,
  storage: FileStorage,
  who: AuditActor,
  inv: InvoiceInput,
  opts: { pdf?: Buffer } = {},
): Promise<void> {
  await inTransaction(db, async (tx) => {
    const names = await checkAgainstDatabase(tx, [inv]);
    await storeInvoices(tx, [inv], names, who, { pdf: opts.pdf && { bytes: opts.pdf, storage } });
  });
}

/**
 * Imports a batch all or nothing: every invoice is checked first (the first problem names its
 * source line), `checked` is told, then everything is written in one long transaction.
 */
export async function importInvoices(
  db: Db,
  who: AuditActor,
  invoices: readonly InvoiceInput[],
  opts: { checked?: () => void; progress?: (done: number) => void } = {},
): Promise<void> {
  const names = await checkAgainstDatabase(db, invoices);
  opts.checked?.();
  await inTransaction(db, (tx) => storeInvoices(tx, invoices, names, who, { progress: opts.progress }), {
    timeout: 15 * 60_000,
    maxWait: 30_000,
  });
}
