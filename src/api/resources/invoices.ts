import { z } from 'zod';
import { AppError } from '../../http/errors.js';
import { readHead, readLine, withTotals, type InvoiceInput } from '../../features/invoices/import.js';
import { MAX_PDF_BYTES } from '../../features/invoices/store.js';
import type { InvoiceRow } from '../../features/invoices/api-queries.js';
import { fromUnits, toUnits } from '../../features/invoices/money.js';
import { ApiProblem, pointer } from '../problem.js';
import { checkIfMatch, day, defineRoute, etagOf, listOf, ListQuery, pageOf, pageWhere } from '../define.js';

const decimal = z.union([z.string(), z.number()]);

/** An invoice as the ERP sends it; the rules (lengths, decimals, ranges) are those of `invoice:import`. */
export const InvoiceBody = z
  .object({
    organizationId: z.number().int().describe('The organisation the invoice is for'),
    title: z.string().describe('1-200 characters'),
    date: z.string().describe('Invoice date, YYYY-MM-DD'),
    paymentTermDays: z.number().int().optional().describe('0-365, default 30'),
    organizationName: z
      .string()
      .nullable()
      .optional()
      .describe("Name on the invoice (default: the organisation's name)"),
    creditsInvoice: z
      .number()
      .int()
      .min(1)
      .max(999_999_999)
      .nullable()
      .optional()
      .describe(
        'A credit invoice (negative total): the number of the invoice it credits, of the same organisation (named on its PDF and e-invoice)',
      ),
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
    creditsInvoice: z.number().int().nullable().describe('The number of the invoice this credit invoice credits'),
    hasStoredPdf: z.boolean(),
    lines: z.array(
      z.object({
        position: z.number().int(),
        description: z.string(),
        quantity: z.string(),
        unitPrice: Money,
        vatRate: z.string(),
        amountExclVat: Money,
      }),
    ),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Invoice' });

type Num = { toString(): string };
const cents = (d: Num) => toUnits(d.toString(), 2)!;

function present(r: InvoiceRow): z.output<typeof Invoice> {
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
    creditsInvoice: r.creditsNumber,
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

/** The body through the staff tool's own checks (readHead / readLine), each problem with its JSON pointer. */
function toInvoiceInput(number: number, body: z.output<typeof InvoiceBody>): InvoiceInput {
  try {
    const head = readHead(
      '',
      {
        ...body,
        number: String(number),
        organizationName: body.organizationName ?? '',
        creditsInvoice: body.creditsInvoice ?? '',
      },
      {
        number: 'number',
        org: 'organizationId',
        title: 'title',
        date: 'date',
        term: 'paymentTermDays',
        orgName: 'organizationName',
        credits: 'creditsInvoice',
      },
    );
    const lines = body.lines.map((l, i) =>
      readLine(`lines/${i}`, l, {
        description: 'description',
        quantity: 'quantity',
        unitPrice: 'unitPrice',
        vatRate: 'vatRate',
      }),
    );
    return withTotals(head, lines, '', '');
  } catch (e) {
    // A refusal of the input names where (`lines/0`) and the field: one pointer.
    const { where, field, detail = '' } = e instanceof AppError ? e.info : {};
    if (where !== undefined && field) {
      const path = [...(where ? where.split('/') : []), field];
      throw new ApiProblem(422, [where, field, detail].filter(Boolean).join(': '), [
        { pointer: pointer(path), detail },
      ]);
    }
    throw e;
  }
}

const NumberParam = z.object({ number: z.coerce.number().int().min(1).max(999_999_999) });

/** The invoice routes: list, read, create-or-replace by number, and the PDF. */
export const invoiceRoutes = [
  defineRoute({
    method: 'get',
    path: '/invoices',
    operationId: 'listInvoices',
    tag: 'Invoices',
    scope: 'read',
    summary: 'List invoices, oldest change first',
    query: ListQuery,
    responses: { 200: { description: 'A page of invoices', schema: listOf(Invoice) } },
    async handle({ query }, ctx) {
      return { status: 200, body: pageOf(await ctx.services.invoices.pageForApi(pageWhere(query)), query, present) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/invoices/{number}',
    operationId: 'getInvoice',
    tag: 'Invoices',
    scope: 'read',
    summary: 'Read one invoice by its number',
    params: NumberParam,
    responses: {
      200: { description: 'The invoice (ETag header: its version)', schema: Invoice },
      404: { description: 'No invoice with this number' },
    },
    async handle({ params }, ctx) {
      const row = await ctx.services.invoices.getForApi(params.number);
      return { status: 200, body: present(row), etag: etagOf(row) };
    },
  }),
  defineRoute({
    method: 'put',
    path: '/invoices/{number}',
    operationId: 'putInvoice',
    tag: 'Invoices',
    scope: 'invoices:write',
    summary: 'Create or replace an invoice by its number',
    description:
      'Idempotent: the same body again changes nothing. Totals and VAT per rate are computed from the lines. ' +
      'With If-Match the invoice must still have that ETag (412 otherwise); If-Match: * only replaces. A replacement drops a stored PDF.',
    params: NumberParam,
    body: InvoiceBody,
    ifMatch: 'optional',
    responses: {
      200: { description: 'Replaced (or unchanged)', schema: Invoice },
      201: { description: 'Created', schema: Invoice },
      412: { description: 'If-Match did not match the current ETag' },
      422: { description: 'Invalid invoice' },
    },
    async handle({ params, body }, ctx) {
      const inv = toInvoiceInput(params.number, body);
      const { created, row } = await ctx.services.invoices.put({ api: ctx.actor.name }, params.number, inv, {
        precondition: (current) => checkIfMatch(ctx, current ? etagOf(current) : null),
      });
      return {
        status: created ? 201 : 200,
        body: present(row),
        etag: etagOf(row),
        location: `/api/v1/invoices/${params.number}`,
      };
    },
  }),
  defineRoute({
    method: 'put',
    path: '/invoices/{number}/pdf',
    operationId: 'putInvoicePdf',
    tag: 'Invoices',
    scope: 'invoices:write',
    summary: "Store the invoice's own PDF (served instead of the generated one)",
    description: `Body: the PDF itself (Content-Type: application/pdf, at most ${MAX_PDF_BYTES / 1024 / 1024} MB). With If-Match the invoice must still have that ETag.`,
    params: NumberParam,
    raw: { contentType: 'application/pdf', maxBytes: MAX_PDF_BYTES },
    ifMatch: 'optional',
    responses: {
      200: { description: 'Stored', schema: Invoice },
      404: { description: 'No invoice with this number' },
      412: { description: 'If-Match did not match' },
      422: { description: 'Not a PDF' },
    },
    async handle({ params }, ctx) {
      const row = await ctx.services.invoices.putPdf({ api: ctx.actor.name }, params.number, ctx.raw!, {
        precondition: (current) => checkIfMatch(ctx, etagOf(current)),
      });
      return { status: 200, body: present(row), etag: etagOf(row) };
    },
  }),
];
