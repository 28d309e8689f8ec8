import type { Prisma, PrismaClient, Tx } from '../../db/client.js';
import { scope } from '../../auth/scope.js';
import { AppError } from '../../http/errors.js';

type Db = PrismaClient | Tx;
type Num = { toString(): string };

/** An invoice as the API reads it: its lines (numbers as Decimal or as text) and whether a PDF is stored. */
export interface InvoiceRow {
  id: number;
  number: number;
  organizationId: number;
  organizationName: string;
  title: string;
  invoiceDate: Date;
  paymentTermDays: number;
  amountExclVat: Num;
  vatAmount: Num;
  /** The number of the invoice this credit note credits, or null. */
  creditsNumber: number | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  hasPdf: boolean;
  lines: { position: number; description: string; quantity: Num; unitPrice: Num; vatRate: Num; amountExclVat: Num }[];
}

/** One page of the API's list: the `where`, order and size the API's cursor gives. */
export interface ApiPage {
  where: { AND: object[] };
  orderBy: { updatedAt?: 'asc'; id?: 'asc' }[];
  take: number;
}

const select = {
  id: true,
  number: true,
  organizationId: true,
  organizationName: true,
  title: true,
  invoiceDate: true,
  paymentTermDays: true,
  amountExclVat: true,
  vatAmount: true,
  creditedInvoice: { select: { number: true } },
  version: true,
  createdAt: true,
  updatedAt: true,
  lines: {
    orderBy: { position: 'asc' },
    select: { position: true, description: true, quantity: true, unitPrice: true, vatRate: true, amountExclVat: true },
  },
} satisfies Prisma.InvoiceSelect;

/** Which of the invoices have a stored PDF (without reading the PDFs). */
async function withPdfFlags(
  db: Db,
  rows: Prisma.InvoiceGetPayload<{ select: typeof select }>[],
): Promise<InvoiceRow[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const has = new Set(
    (
      await db.$queryRaw<
        { id: number }[]
      >`SELECT id FROM invoices WHERE id = ANY(${ids}::int[]) AND pdf_key IS NOT NULL`
    ).map((r) => r.id),
  );
  return rows.map(({ creditedInvoice, ...r }) => ({
    ...r,
    creditsNumber: creditedInvoice?.number ?? null,
    hasPdf: has.has(r.id),
  }));
}

/** A page of the invoices in the API's scope, in the page's order (one extra row tells whether a next page exists). */
export async function pageInvoicesForApi(db: Db, page: ApiPage): Promise<InvoiceRow[]> {
  const rows = await db.invoice.findMany({
    ...page,
    where: { AND: [...page.where.AND, scope.api.invoices()] },
    select,
  });
  return withPdfFlags(db, rows);
}

/**
 * One invoice by its number with its lines and PDF flag in one statement (the write path reads it
 * back on every PUT); null when there is none.
 */
export async function findInvoiceByNumber(db: Db, number: number): Promise<InvoiceRow | null> {
  const rows = await db.$queryRaw<InvoiceRow[]>`
    SELECT i.id, i.number, i.organization_id AS "organizationId", i.organization_name AS "organizationName", i.title,
           i.invoice_date AS "invoiceDate", i.payment_term_days AS "paymentTermDays", i.amount_excl_vat::text AS "amountExclVat",
           i.vat_amount::text AS "vatAmount", (SELECT c.number FROM invoices c WHERE c.id = i.credited_invoice_id) AS "creditsNumber", i.version, i.created_at AS "createdAt", i.updated_at AS "updatedAt", i.pdf_key IS NOT NULL AS "hasPdf",
           coalesce((SELECT json_agg(json_build_object('position', l.position, 'description', l.description, 'quantity', l.quantity::text,
                       'unitPrice', l.unit_price::text, 'vatRate', l.vat_rate::text, 'amountExclVat', l.amount_excl_vat::text) ORDER BY l.position)
                     FROM invoice_lines l WHERE l.invoice_id = i.id), '[]') AS lines
    FROM invoices i WHERE i.number = ${number}`;
  return rows[0] ?? null;
}

/** One invoice by its number for the API; a missing one is 404 `No invoice <number>`. */
export async function getInvoiceForApi(db: Db, number: number): Promise<InvoiceRow> {
  const row = await findInvoiceByNumber(db, number);
  if (!row) throw new AppError('NOT_FOUND', undefined, { detail: `No invoice ${number}` });
  return row;
}
