import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { PrismaClient, Tx } from '../../db/client.js';
import type { FileStorage } from '../../storage/types.js';
import { bufferStream } from '../../storage/streams.js';
import type { AuditActor } from '../../audit.js';
import { recordAudit } from '../../audit.js';
import { fromUnits } from './money.js';
import type { InvoiceInput } from './import.js';
import { refuse } from '../../http/errors.js';

const CHUNK = 1000;

/**
 * Checks what only the database knows (the organisation exists, the number is free) for
 * every invoice, before anything is written; the first problem names its source line.
 * Returns each organisation's name (the default name on the invoice).
 */
export async function checkAgainstDatabase(
  prisma: PrismaClient | Tx,
  invoices: readonly InvoiceInput[],
): Promise<Map<number, string>> {
  const orgIds = [...new Set(invoices.map((i) => i.organizationId))];
  const orgs = new Map<number, string>();
  for (let i = 0; i < orgIds.length; i += 10_000) {
    for (const o of await prisma.organization.findMany({
      where: { id: { in: orgIds.slice(i, i + 10_000) } },
      select: { id: true, name: true },
    }))
      orgs.set(o.id, o.name);
  }
  const taken = new Set<number>();
  for (let i = 0; i < invoices.length; i += 10_000) {
    const numbers = invoices.slice(i, i + 10_000).map((x) => x.number);
    for (const r of await prisma.invoice.findMany({ where: { number: { in: numbers } }, select: { number: true } }))
      taken.add(r.number);
  }
  const credited = await creditedInvoices(prisma, invoices);
  for (const inv of invoices) {
    if (!orgs.has(inv.organizationId))
      throw refuse('organization_id', `no organisation with id ${inv.organizationId}`, { where: inv.source });
    if (taken.has(inv.number)) throw refuse('number', `invoice ${inv.number} already exists`, { where: inv.source });
    checkCredit(inv, credited);
  }
  return orgs;
}

/** The organisation of every invoice the batch's credit notes name: stored ones and those in the batch itself. */
async function creditedInvoices(
  db: PrismaClient | Tx,
  invoices: readonly InvoiceInput[],
): Promise<Map<number, number>> {
  const wanted = [...new Set(invoices.flatMap((i) => (i.creditsNumber === null ? [] : [i.creditsNumber])))];
  const out = new Map<number, number>();
  for (let i = 0; i < wanted.length; i += 10_000) {
    for (const r of await db.invoice.findMany({
      where: { number: { in: wanted.slice(i, i + 10_000) } },
      select: { number: true, organizationId: true },
    }))
      out.set(r.number, r.organizationId);
  }
  for (const inv of invoices) if (!out.has(inv.number)) out.set(inv.number, inv.organizationId);
  return out;
}

/**
 * A credit note may name the invoice it credits (NL-R-001 wants it on the e-invoice): that invoice
 * must exist (stored, or earlier in the same batch) for the same organisation, and only a credit
 * (a negative total) credits anything.
 */
function checkCredit(inv: InvoiceInput, credited: Map<number, number>): void {
  const n = inv.creditsNumber;
  if (n === null) return;
  const refuseIt = (why: string) => {
    throw refuse('credits_invoice', why, { where: inv.source });
  };
  if (n === inv.number) refuseIt('an invoice cannot credit itself');
  if (inv.exclCents + inv.vatCents >= 0n) refuseIt('only a credit invoice (a negative total) credits an invoice');
  const org = credited.get(n);
  if (org === undefined) refuseIt(`no invoice ${n}`);
  if (org !== inv.organizationId) refuseIt(`invoice ${n} belongs to another organisation`);
}

/** Checks the invoice a credit note names against the database (the API's create-or-replace). */
export async function checkCreditAgainstDatabase(db: PrismaClient | Tx, inv: InvoiceInput): Promise<void> {
  checkCredit(inv, await creditedInvoices(db, [inv]));
}

/** Points each credit note of the batch at the invoice it credits (by number: it may be in the batch). */
async function linkCredits(tx: Tx, invoices: readonly InvoiceInput[]): Promise<void> {
  const credits = invoices.filter((i) => i.creditsNumber !== null);
  if (!credits.length) return;
  const numbers = credits.map((i) => i.number);
  const targets = credits.map((i) => i.creditsNumber!);
  await tx.$executeRaw`
    UPDATE invoices c SET credited_invoice_id = o.id
    FROM unnest(${numbers}::int[], ${targets}::int[]) AS x(number, credits)
    JOIN invoices o ON o.number = x.credits
    WHERE c.number = x.number`;
}

/** A PDF staff supplied with one invoice, and the file storage it goes to. */
export interface SuppliedPdf {
  bytes: Buffer;
  storage: FileStorage;
}

/** Puts an invoice PDF into the file storage under a new key (streamed in slices); returns the key. */
async function putPdf(storage: FileStorage, pdf: Buffer): Promise<string> {
  const key = randomUUID();
  await storage.put(key, bufferStream(pdf));
  return key;
}

/**
 * Writes the invoices and their lines in the caller's transaction, in chunks, with one
 * audit event; `progress` is told how many invoices are written so far. A `pdf` (one invoice
 * only) goes to the file storage first; when writing fails it is deleted again (a rollback of
 * the caller's transaction after this returns leaves it to the sweep).
 */
export async function storeInvoices(
  tx: Tx,
  invoices: readonly InvoiceInput[],
  orgNames: Map<number, string>,
  actor: AuditActor,
  opts: { pdf?: SuppliedPdf; progress?: (done: number) => void } = {},
): Promise<void> {
  if (opts.pdf && invoices.length !== 1) throw new Error('a stored PDF belongs to one invoice');
  const pdfKey = opts.pdf ? await putPdf(opts.pdf.storage, opts.pdf.bytes) : null;
  try {
    await writeInvoices(tx, invoices, orgNames, actor, pdfKey, opts.progress);
  } catch (err) {
    if (pdfKey) await opts.pdf!.storage.delete(pdfKey).catch(() => {});
    throw err;
  }
}

async function writeInvoices(
  tx: Tx,
  invoices: readonly InvoiceInput[],
  orgNames: Map<number, string>,
  actor: AuditActor,
  pdfKey: string | null,
  progress?: (done: number) => void,
): Promise<void> {
  for (let i = 0; i < invoices.length; i += CHUNK) {
    const chunk = invoices.slice(i, i + CHUNK);
    const created = await tx.invoice.createManyAndReturn({
      data: chunk.map((inv) => ({
        number: inv.number,
        organizationId: inv.organizationId,
        title: inv.title,
        invoiceDate: inv.invoiceDate,
        paymentTermDays: inv.paymentTermDays,
        amountExclVat: fromUnits(inv.exclCents, 2),
        vatAmount: fromUnits(inv.vatCents, 2),
        organizationName: inv.organizationName ?? orgNames.get(inv.organizationId)!,
        pdfKey,
      })),
      select: { id: true, number: true },
    });
    const ids = new Map(created.map((c) => [c.number, c.id]));
    await tx.invoiceLine.createMany({
      data: chunk.flatMap((inv) =>
        inv.lines.map((l, n) => ({
          invoiceId: ids.get(inv.number)!,
          position: n + 1,
          description: l.description,
          quantity: fromUnits(l.quantityMilli, 3),
          unitPrice: fromUnits(l.unitPriceCents, 2),
          vatRate: fromUnits(l.vatRateHundredths, 2),
          amountExclVat: fromUnits(l.amountCents, 2),
        })),
      ),
    });
    progress?.(i + chunk.length);
  }
  await linkCredits(tx, invoices);
  const numbers = invoices.map((i) => i.number);
  await recordAudit(tx, {
    actor,
    kind: invoices.length === 1 ? 'invoice.created' : 'invoice.imported',
    organizationId: invoices.length === 1 ? invoices[0]!.organizationId : null,
    subjectType: 'invoice',
    subjectId: invoices.length === 1 ? invoices[0]!.number : null,
    after: {
      count: invoices.length,
      numbers: numbers.length <= 50 ? numbers : [Math.min(...numbers), Math.max(...numbers)],
      storedPdf: !!pdfKey,
    },
  });
}

/** The largest stored invoice PDF. */
export const MAX_PDF_BYTES = 20 * 1024 * 1024;

/** Why a file is not an invoice PDF staff may store (null when it is): the rule of `invoice:add --pdf` and the API. */
export function pdfRefusal(pdf: Buffer): string | null {
  if (pdf.length > MAX_PDF_BYTES) return `larger than ${MAX_PDF_BYTES / 1024 / 1024} MB`;
  if (!pdf.subarray(0, 5).equals(Buffer.from('%PDF-'))) return 'not a PDF file (it does not start with %PDF-)';
  return null;
}

/** The stored invoice's content in the form of the input, to tell whether a replacement changes anything. */
export function sameContent(
  inv: InvoiceInput,
  row: {
    organizationId: number;
    creditedInvoice: { number: number } | null;
    title: string;
    invoiceDate: Date;
    paymentTermDays: number;
    organizationName: string;
    lines: {
      description: string;
      quantity: { toString(): string };
      unitPrice: { toString(): string };
      vatRate: { toString(): string };
    }[];
  },
  orgName: string,
): boolean {
  const head =
    inv.organizationId === row.organizationId &&
    inv.creditsNumber === (row.creditedInvoice?.number ?? null) &&
    inv.title === row.title &&
    inv.invoiceDate.getTime() === row.invoiceDate.getTime() &&
    inv.paymentTermDays === row.paymentTermDays &&
    (inv.organizationName ?? orgName) === row.organizationName;
  return (
    head &&
    inv.lines.length === row.lines.length &&
    inv.lines.every((l, i) => {
      const r = row.lines[i]!;
      return (
        l.description === r.description &&
        fromUnits(l.quantityMilli, 3) === fixed(r.quantity, 3) &&
        fromUnits(l.unitPriceCents, 2) === fixed(r.unitPrice, 2) &&
        fromUnits(l.vatRateHundredths, 2) === fixed(r.vatRate, 2)
      );
    })
  );
}

const fixed = (d: { toString(): string }, scale: number) => {
  const [w = '0', f = ''] = d.toString().split('.');
  return `${w}.${f.padEnd(scale, '0').slice(0, scale)}`;
};

/**
 * Replaces an invoice's content and lines (by its number, the ERP's key), in the caller's
 * transaction: a new version, a stored PDF dropped (it showed the old content; its file is
 * removed by the sweep once the transaction has committed), one audit event.
 */
export async function replaceInvoice(
  tx: Tx,
  id: number,
  inv: InvoiceInput,
  orgName: string,
  actor: AuditActor,
): Promise<void> {
  const before = await tx.invoice.findUniqueOrThrow({
    where: { id },
    select: { organizationId: true, title: true, amountExclVat: true, vatAmount: true },
  });
  if (before.organizationId !== inv.organizationId) {
    // Its credit notes stay with the old organisation: the move would make them credit another customer's invoice.
    const credit = await tx.invoice.findFirst({ where: { creditedInvoiceId: id }, select: { number: true } });
    if (credit)
      throw refuse(
        'organizationId',
        `invoice ${inv.number} is credited by credit note ${credit.number}: it cannot move to another organisation`,
        { where: inv.source },
      );
  }
  await tx.invoice.update({
    where: { id },
    data: {
      organizationId: inv.organizationId,
      title: inv.title,
      invoiceDate: inv.invoiceDate,
      paymentTermDays: inv.paymentTermDays,
      amountExclVat: fromUnits(inv.exclCents, 2),
      vatAmount: fromUnits(inv.vatCents, 2),
      organizationName: inv.organizationName ?? orgName,
      pdfKey: null,
      creditedInvoiceId: null,
      version: { increment: 1 },
    },
  });
  await linkCredits(tx, [inv]);
  await tx.invoiceLine.deleteMany({ where: { invoiceId: id } });
  await tx.invoiceLine.createMany({
    data: inv.lines.map((l, n) => ({
      invoiceId: id,
      position: n + 1,
      description: l.description,
      quantity: fromUnits(l.quantityMilli, 3),
      unitPrice: fromUnits(l.unitPriceCents, 2),
      vatRate: fromUnits(l.vatRateHundredths, 2),
      amountExclVat: fromUnits(l.amountCents, 2),
    })),
  });
  await recordAudit(tx, {
    actor,
    kind: 'invoice.replaced',
    organizationId: inv.organizationId,
    subjectType: 'invoice',
    subjectId: inv.number,
    before: {
      organizationId: before.organizationId,
      title: before.title,
      amountExclVat: before.amountExclVat.toString(),
      vatAmount: before.vatAmount.toString(),
    },
    after: {
      organizationId: inv.organizationId,
      title: inv.title,
      amountExclVat: fromUnits(inv.exclCents, 2),
      vatAmount: fromUnits(inv.vatCents, 2),
      lines: inv.lines.length,
    },
  });
}

/**
 * Stores (or replaces) the PDF staff supplied for an invoice: the file into the storage, the row
 * pointing at it in the caller's transaction. When that fails the new file is deleted again; the
 * replaced one is removed by the sweep once the transaction has committed.
 */
export async function storeInvoicePdf(
  tx: Tx,
  id: number,
  number: number,
  organizationId: number,
  pdf: Buffer,
  actor: AuditActor,
  storage: FileStorage,
): Promise<void> {
  const key = await putPdf(storage, pdf);
  try {
    await tx.invoice.update({ where: { id }, data: { pdfKey: key, version: { increment: 1 } } });
    await recordAudit(tx, {
      actor,
      kind: 'invoice.pdf_stored',
      organizationId,
      subjectType: 'invoice',
      subjectId: number,
      after: { bytes: pdf.length },
    });
  } catch (err) {
    await storage.delete(key).catch(() => {});
    throw err;
  }
}

/** The PDF staff stored for an invoice, as a stream from the file storage; null: none (generate it). */
export async function openInvoicePdf(
  storage: FileStorage,
  invoice: { pdfKey: string | null },
): Promise<Readable | null> {
  return invoice.pdfKey ? storage.get(invoice.pdfKey) : null;
}
