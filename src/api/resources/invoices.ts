import { z } from 'zod';
import { Prisma, type Tx } from '../../db/client.js';
import { scope } from '../../auth/scope.js';
import { InputError, readHead, readLine, withTotals, type InvoiceInput } from '../../features/invoices/import.js';
import { pdfRefusal, MAX_PDF_BYTES, replaceInvoice, sameContent, storeInvoicePdf, storeInvoices } from '../../features/invoices/store.js';
import { fromUnits, toUnits } from '../../features/invoices/money.js';
import { ApiProblem, pointer } from '../problem.js';
import { checkIfMatch, day, defineRoute, etagOf, listOf, ListQuery, pageOf, pageWhere, type ApiContext } from '../define.js';

const decimal = z.union([z.string(), z.number()]);

/** An invoice as the ERP sends it; the rules (lengths, decimals, ranges) are those of `invoice:import`. */
export const InvoiceBody = z
  .object({
    organizationId: z.number().int().describe('The organisation the invoice is for'),
    title: z.string().describe('1-200 characters'),
    date: z.string().describe('Invoice date, YYYY-MM-DD'),
    paymentTermDays: z.number().int().optional().describe('0-365, default 30'),
    organizationName: z.string().nullable().optional().describe("Name on the invoice (default: the organisation's name)"),
    lines: z
      .array(
        z
          .object({
            description: z.string().describe('1-500 characters'),
            quantity: decimal.describe('Up to 3 decimals, e.g. "2" or "1.5"'),
            unitPrice: decimal.describe('Euros excl. VAT, up to 2 decimals, e.g. "125.50"'),
            vatRate: decimal.describe('Percent, up to 2 decimals, e.g. "21"'),
          })
          .strict(),
      )
      .min(1)
      .max(1000),
  })
  .strict()
  .meta({ id: 'InvoiceInput' });

const Money = z.string().describe('Euros, two decimals');

/** An invoice as the API shows it. */
export const Invoice = z
  .object({
    number: z.number().int(),
    organizationId: z.number().int(),
    organizationName: z.string(),
    title: z.string(),
    date: z.string(),
    paymentTermDays: z.number().int(),
    amountExclVat: Money,
    vatAmount: Money,
    amountInclVat: Money,
    hasStoredPdf: z.boolean(),
    lines: z.array(z.object({ position: z.number().int(), description: z.string(), quantity: z.string(), unitPrice: Money, vatRate: z.string(), amountExclVat: Money })),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Invoice' });

const select = {
  id: true, number: true, organizationId: true, organizationName: true, title: true, invoiceDate: true, paymentTermDays: true,
  amountExclVat: true, vatAmount: true, version: true, createdAt: true, updatedAt: true,
  lines: { orderBy: { position: 'asc' }, select: { position: true, description: true, quantity: true, unitPrice: true, vatRate: true, amountExclVat: true } },
} satisfies Prisma.InvoiceSelect;

type Num = { toString(): string };
/** An invoice row with its lines (numbers as Decimal or as their text) and whether a PDF is stored. */
interface Row {
  id: number; number: number; organizationId: number; organizationName: string; title: string; invoiceDate: Date; paymentTermDays: number;
  amountExclVat: Num; vatAmount: Num; version: number; createdAt: Date; updatedAt: Date; hasPdf: boolean;
  lines: { position: number; description: string; quantity: Num; unitPrice: Num; vatRate: Num; amountExclVat: Num }[];
}

const cents = (d: Num) => toUnits(d.toString(), 2)!;

function present(r: Row): z.output<typeof Invoice> {
  return {
    number: r.number,
    organizationId: r.organizationId,
    organizationName: r.organizationName,
    title: r.title,
    date: day(r.invoiceDate)!,
    paymentTermDays: r.paymentTermDays,
    amountExclVat: fromUnits(cents(r.amountExclVat), 2),
    vatAmount: fromUnits(cents(r.vatAmount), 2),
    amountInclVat: fromUnits(cents(r.amountExclVat) + cents(r.vatAmount), 2),
    hasStoredPdf: r.hasPdf,
    lines: r.lines.map((l) => ({
      position: l.position,
      description: l.description,
      quantity: fromUnits(toUnits(l.quantity.toString(), 3)!, 3),
      unitPrice: fromUnits(cents(l.unitPrice), 2),
      vatRate: fromUnits(toUnits(l.vatRate.toString(), 2)!, 2),
      amountExclVat: fromUnits(cents(l.amountExclVat), 2),
    })),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** Which of the invoices have a stored PDF (without reading the PDFs). */
async function withPdfFlags(db: ApiContext['db'], rows: Prisma.InvoiceGetPayload<{ select: typeof select }>[]): Promise<Row[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const has = new Set((await db.$queryRaw<{ id: number }[]>`SELECT id FROM invoices WHERE id = ANY(${ids}::int[]) AND pdf_key IS NOT NULL`).map((r) => r.id));
  return rows.map((r) => ({ ...r, hasPdf: has.has(r.id) }));
}

/** One invoice with its lines and PDF flag in one statement (the write path reads it back on every PUT). */
async function load(db: ApiContext['db'], number: number): Promise<Row | null> {
  const rows = await db.$queryRaw<Row[]>`
    SELECT i.id, i.number, i.organization_id AS "organizationId", i.organization_name AS "organizationName", i.title,
           i.invoice_date AS "invoiceDate", i.payment_term_days AS "paymentTermDays", i.amount_excl_vat::text AS "amountExclVat",
           i.vat_amount::text AS "vatAmount", i.version, i.created_at AS "createdAt", i.updated_at AS "updatedAt", i.pdf_key IS NOT NULL AS "hasPdf",
           coalesce((SELECT json_agg(json_build_object('position', l.position, 'description', l.description, 'quantity', l.quantity::text,
                       'unitPrice', l.unit_price::text, 'vatRate', l.vat_rate::text, 'amountExclVat', l.amount_excl_vat::text) ORDER BY l.position)
                     FROM invoice_lines l WHERE l.invoice_id = i.id), '[]') AS lines
    FROM invoices i WHERE i.number = ${number}`;
  return rows[0] ?? null;
}

/** The body through the staff tool's own checks (readHead / readLine), each problem with its JSON pointer. */
function toInvoiceInput(number: number, body: z.output<typeof InvoiceBody>): InvoiceInput {
  try {
    const head = readHead('', { ...body, number: String(number), organizationName: body.organizationName ?? '' }, {
      number: 'number', org: 'organizationId', title: 'title', date: 'date', term: 'paymentTermDays', orgName: 'organizationName',
    });
    const lines = body.lines.map((l, i) => readLine(`lines/${i}`, l, { description: 'description', quantity: 'quantity', unitPrice: 'unitPrice', vatRate: 'vatRate' }));
    return withTotals(head, lines, '', '');
  } catch (e) {
    if (e instanceof InputError) {
      const path = [...(e.where ? e.where.split('/') : []), e.field];
      throw new ApiProblem(422, e.message, [{ pointer: pointer(path), detail: e.reason }]);
    }
    throw e;
  }
}

const NumberParam = z.object({ number: z.coerce.number().int().min(1).max(999_999_999) });
// Invoice numbers get their own advisory-lock space: two PUTs of a new number cannot both insert.
const LOCK_SPACE = 13_001;

async function lockNumber(tx: Tx, number: number): Promise<{ id: number; version: number; updatedAt: Date } | null> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LOCK_SPACE}::int, ${number}::int)`;
  const rows = await tx.$queryRaw<{ id: number; version: number; updated_at: Date }[]>`SELECT id, version, updated_at FROM invoices WHERE number = ${number} FOR UPDATE`;
  const r = rows[0];
  return r ? { id: r.id, version: r.version, updatedAt: r.updated_at } : null;
}

/** The invoice routes: list, read, create-or-replace by number, and the PDF. */
export const invoiceRoutes = [
  defineRoute({
    method: 'get', path: '/invoices', operationId: 'listInvoices', tag: 'Invoices', scope: 'read',
    summary: 'List invoices, oldest change first',
    query: ListQuery,
    responses: { 200: { description: 'A page of invoices', schema: listOf(Invoice) } },
    async handle({ query }, ctx) {
      const page = pageWhere(query);
      const rows = await ctx.db.invoice.findMany({ ...page, where: { AND: [...page.where.AND, scope.api.invoices()] }, select });
      return { status: 200, body: pageOf(await withPdfFlags(ctx.db, rows), query, present) };
    },
  }),
  defineRoute({
    method: 'get', path: '/invoices/{number}', operationId: 'getInvoice', tag: 'Invoices', scope: 'read',
    summary: 'Read one invoice by its number',
    params: NumberParam,
    responses: { 200: { description: 'The invoice (ETag header: its version)', schema: Invoice }, 404: { description: 'No invoice with this number' } },
    async handle({ params }, ctx) {
      const row = await load(ctx.db, params.number);
      if (!row) throw new ApiProblem(404, `No invoice ${params.number}`);
      return { status: 200, body: present(row), etag: etagOf(row) };
    },
  }),
  defineRoute({
    method: 'put', path: '/invoices/{number}', operationId: 'putInvoice', tag: 'Invoices', scope: 'invoices:write',
    summary: 'Create or replace an invoice by its number',
    description:
      'Idempotent: the same body again changes nothing. Totals and VAT per rate are computed from the lines. ' +
      'With If-Match the invoice must still have that ETag (412 otherwise); If-Match: * only replaces. A replacement drops a stored PDF.',
    params: NumberParam, body: InvoiceBody, ifMatch: 'optional',
    responses: {
      200: { description: 'Replaced (or unchanged)', schema: Invoice },
      201: { description: 'Created', schema: Invoice },
      412: { description: 'If-Match did not match the current ETag' },
      422: { description: 'Invalid invoice' },
    },
    async handle({ params, body }, ctx) {
      const inv = toInvoiceInput(params.number, body);
      const tx = ctx.db as Tx;
      const current = await lockNumber(tx, params.number);
      checkIfMatch(ctx, current ? etagOf(current) : null);
      const org = await tx.organization.findFirst({ where: { id: inv.organizationId, ...scope.api.organizations() }, select: { name: true } });
      if (!org) throw new ApiProblem(422, `No organisation with id ${inv.organizationId}`, [{ pointer: '#/organizationId', detail: `no organisation with id ${inv.organizationId}` }]);
      const actor = { api: ctx.actor.name };
      if (!current) {
        await storeInvoices(tx, [inv], new Map([[inv.organizationId, org.name]]), actor);
      } else {
        const stored = await tx.invoice.findUniqueOrThrow({ where: { id: current.id }, select: { organizationId: true, title: true, invoiceDate: true, paymentTermDays: true, organizationName: true, lines: { orderBy: { position: 'asc' } } } });
        if (!sameContent(inv, stored, org.name)) await replaceInvoice(tx, current.id, inv, org.name, actor);
      }
      const row = (await load(tx, params.number))!;
      return { status: current ? 200 : 201, body: present(row), etag: etagOf(row), location: `/api/v1/invoices/${params.number}` };
    },
  }),
  defineRoute({
    method: 'put', path: '/invoices/{number}/pdf', operationId: 'putInvoicePdf', tag: 'Invoices', scope: 'invoices:write',
    summary: "Store the invoice's own PDF (served instead of the generated one)",
    description: `Body: the PDF itself (Content-Type: application/pdf, at most ${MAX_PDF_BYTES / 1024 / 1024} MB). With If-Match the invoice must still have that ETag.`,
    params: NumberParam, raw: { contentType: 'application/pdf', maxBytes: MAX_PDF_BYTES }, ifMatch: 'optional',
    responses: { 200: { description: 'Stored', schema: Invoice }, 404: { description: 'No invoice with this number' }, 412: { description: 'If-Match did not match' }, 422: { description: 'Not a PDF' } },
    async handle({ params }, ctx) {
      const tx = ctx.db as Tx;
      const current = await lockNumber(tx, params.number);
      if (!current) throw new ApiProblem(404, `No invoice ${params.number}`);
      checkIfMatch(ctx, etagOf(current));
      const refusal = pdfRefusal(ctx.raw!);
      if (refusal) throw new ApiProblem(422, refusal, [{ pointer: '#', detail: refusal }]);
      const row0 = await tx.invoice.findUniqueOrThrow({ where: { id: current.id }, select: { organizationId: true } });
      await storeInvoicePdf(tx, current.id, params.number, row0.organizationId, ctx.raw!, { api: ctx.actor.name }, ctx.deps.storage);
      const row = (await load(tx, params.number))!;
      return { status: 200, body: present(row), etag: etagOf(row) };
    },
  }),
];
