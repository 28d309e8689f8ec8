import type { Prisma, PrismaClient, Tx } from '../../db/client.js';
import type { Actor } from '../../auth/actor.js';
import { AppError } from '../../http/errors.js';
import type { ListQuery } from '../../http/list.js';
import type { InvoiceFilter } from './filters.js';
import { likeEscape } from '../../http/list.js';
import { narrowScope, scope as scoped, type NarrowedScope } from '../../auth/scope.js';

export const INVOICE_SORTS = ['number', 'title', 'date', 'amount', 'orgName'] as const;
export type InvoiceSort = (typeof INVOICE_SORTS)[number];

/** The most invoices one ZIP download holds; a larger selection is refused (narrow the filter). */
export const ZIP_MAX_INVOICES = 500;
/** The most rows one CSV export holds. */
export const CSV_MAX_ROWS = 10_000;

/** The filter's organisation made concrete inside the person's scope (a foreign one falls back to their own). */
export function invoiceScope(actor: Actor, filter: InvoiceFilter): NarrowedScope {
  return narrowScope(actor, { org: filter.orgId ?? null, subsidiaries: filter.subsidiaries });
}

function whereFor(actor: Actor, filter: InvoiceFilter): Prisma.InvoiceWhereInput {
  const where: Prisma.InvoiceWhereInput = scoped.invoices(actor, invoiceScope(actor, filter).orgIds);
  if (filter.from || filter.to)
    where.invoiceDate = { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lte: filter.to } : {}) };
  if (filter.q) {
    const title = { title: { contains: likeEscape(filter.q), mode: 'insensitive' as const } };
    where.OR = /^\d{1,9}$/.test(filter.q) ? [{ number: Number(filter.q) }, title] : [title];
  }
  return where;
}

function orderFor(sort: InvoiceSort, dir: 'asc' | 'desc'): Prisma.InvoiceOrderByWithRelationInput[] {
  const tie = { number: dir };
  switch (sort) {
    case 'title':
      return [{ title: dir }, tie];
    case 'date':
      return [{ invoiceDate: dir }, tie];
    case 'amount':
      return [{ amountExclVat: dir }, tie];
    case 'orgName':
      return [{ organizationName: dir }, tie];
    default:
      return [tie];
  }
}

const listSelect = {
  id: true,
  number: true,
  title: true,
  invoiceDate: true,
  amountExclVat: true,
  vatAmount: true,
  organizationName: true,
} as const;

/** The list page's rows also carry what decides whether their e-invoice can be offered (einvoice.ts). */
const pageSelect = {
  ...listSelect,
  creditedInvoiceId: true,
  organization: {
    select: {
      postalStreet: true,
      postalPostcode: true,
      postalCity: true,
      kvkNumber: true,
      oin: true,
      peppolId: true,
      einvoiceNlcius: true,
    },
  },
} as const;

/** One page of the invoices in the resolved scope, and how many there are. */
export async function listInvoices(
  prisma: PrismaClient | Tx,
  actor: Actor,
  filter: InvoiceFilter,
  list: ListQuery<InvoiceSort>,
) {
  const where = whereFor(actor, filter);
  const [rows, total] = await Promise.all([
    prisma.invoice.findMany({
      where,
      orderBy: orderFor(list.sort, list.dir),
      skip: list.skip,
      take: list.perPage,
      select: pageSelect,
    }),
    prisma.invoice.count({ where }),
  ]);
  return { rows, total };
}

/**
 * The date of the most recent invoice in the scope that matches
 * the filter's search, whatever its date; null when there is none.
 */
export async function latestInvoiceDate(
  prisma: PrismaClient | Tx,
  actor: Actor,
  filter: InvoiceFilter,
): Promise<Date | null> {
  const latest = await prisma.invoice.findFirst({
    where: whereFor(actor, { ...filter, from: null, to: null }),
    orderBy: [{ invoiceDate: 'desc' }, { number: 'desc' }],
    select: { invoiceDate: true },
  });
  return latest?.invoiceDate ?? null;
}

/** Every invoice of the filtered list (for the CSV), refused above CSV_MAX_ROWS. */
export async function listInvoicesForExport(
  prisma: PrismaClient | Tx,
  actor: Actor,
  filter: InvoiceFilter,
  list: ListQuery<InvoiceSort>,
) {
  const where = whereFor(actor, filter);
  if ((await prisma.invoice.count({ where })) > CSV_MAX_ROWS)
    throw new AppError('UNPROCESSABLE', 'invoices.export.csvTooMany');
  return prisma.invoice.findMany({ where, orderBy: orderFor(list.sort, list.dir), select: listSelect });
}

/** The ids and numbers of the filtered list for the ZIP, refused above ZIP_MAX_INVOICES. */
export async function selectInvoicesForZip(
  prisma: PrismaClient | Tx,
  actor: Actor,
  filter: InvoiceFilter,
  list: ListQuery<InvoiceSort>,
) {
  const where = whereFor(actor, filter);
  if ((await prisma.invoice.count({ where })) > ZIP_MAX_INVOICES)
    throw new AppError('UNPROCESSABLE', 'invoices.export.zipTooMany');
  return prisma.invoice.findMany({ where, orderBy: orderFor(list.sort, list.dir), select: { id: true, number: true } });
}

const pdfSelect = {
  id: true,
  number: true,
  title: true,
  invoiceDate: true,
  paymentTermDays: true,
  amountExclVat: true,
  vatAmount: true,
  organizationName: true,
  pdfKey: true,
  creditedInvoiceId: true,
  creditedInvoice: { select: { number: true, invoiceDate: true } },
  organization: {
    select: {
      id: true,
      postalStreet: true,
      postalPostcode: true,
      postalCity: true,
      postalCountry: true,
      kvkNumber: true,
      oin: true,
      peppolId: true,
      einvoiceNlcius: true,
    },
  },
  lines: {
    orderBy: { position: 'asc' },
    select: { position: true, description: true, quantity: true, unitPrice: true, vatRate: true, amountExclVat: true },
  },
} as const satisfies Prisma.InvoiceSelect;

/** An invoice with its lines and stored PDF, for its PDF and its UBL. */
export type InvoiceForPdf = Prisma.InvoiceGetPayload<{ select: typeof pdfSelect }>;

/** One invoice in the person's scope; any other id is simply not found (404). */
export async function getInvoiceForPdf(prisma: PrismaClient | Tx, actor: Actor, id: number): Promise<InvoiceForPdf> {
  const invoice = await prisma.invoice.findFirst({ where: { id, ...scoped.invoices(actor) }, select: pdfSelect });
  if (!invoice) throw new AppError('NOT_FOUND');
  return invoice;
}

/** Invoices by id (already selected in scope), for the ZIP, in batches. */
export function getInvoicesForPdf(prisma: PrismaClient | Tx, actor: Actor, ids: number[]): Promise<InvoiceForPdf[]> {
  return prisma.invoice.findMany({ where: { id: { in: ids }, ...scoped.invoices(actor) }, select: pdfSelect });
}
