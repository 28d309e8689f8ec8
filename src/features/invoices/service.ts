import type pg from 'pg';
import { Prisma, type PrismaClient, type Tx } from '../../db/client.js';
import { MERGE_MAX_ORGS, rawReader } from '../../db/read.js';
import type { Actor } from '../../auth/actor.js';
import { AppError } from '../../http/errors.js';
import type { ListQuery } from '../../http/list.js';
import type { InvoiceFilter } from './filters.js';
import { likeEscape } from '../../http/list.js';
import { narrowScope, orgIdCondition, scope as scoped, type NarrowedScope } from '../../auth/scope.js';

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

/** The columns of `orderFor` in SQL (the same indexes: organisation, then the column and the number). */
const SQL_COLUMN: Record<Exclude<InvoiceSort, 'number'>, string> = {
  title: 'title',
  date: 'invoice_date',
  amount: 'amount_excl_vat',
  orgName: 'organization_name',
};

/** `whereFor` in SQL: the scope's organisations (an equality for one, as orgIdCondition), the dates, the search. */
function sqlWhere(actor: Actor, filter: InvoiceFilter, inOrg?: Prisma.Sql): Prisma.Sql {
  const org = orgIdCondition(actor, invoiceScope(actor, filter).orgIds);
  const parts = [
    inOrg ??
      (typeof org === 'number'
        ? Prisma.sql`i.organization_id = ${org}`
        : Prisma.sql`i.organization_id = ANY(${org.in}::int[])`),
  ];
  // The filter's days are UTC midnights, as Prisma sends a @db.Date.
  if (filter.from) parts.push(Prisma.sql`i.invoice_date >= ${filter.from.toISOString().slice(0, 10)}::date`);
  if (filter.to) parts.push(Prisma.sql`i.invoice_date <= ${filter.to.toISOString().slice(0, 10)}::date`);
  if (filter.q) {
    const title = Prisma.sql`i.title ILIKE ${`%${likeEscape(filter.q)}%`}`;
    parts.push(/^\d{1,9}$/.test(filter.q) ? Prisma.sql`(i.number = ${Number(filter.q)} OR ${title})` : title);
  }
  return Prisma.join(parts, ' AND ');
}

/** A page row as the pool returns it: amounts and the day as text, so pg's parsers and the time zone play no part. */
interface InvoicePageRow {
  id: number;
  number: number;
  title: string;
  invoice_date: string;
  amount_excl_vat: string;
  vat_amount: string;
  organization_name: string;
  credited_invoice_id: number | null;
  postal_street: string | null;
  postal_postcode: string | null;
  postal_city: string | null;
  kvk_number: string | null;
  oin: string | null;
  peppol_id: string | null;
  einvoice_nlcius: boolean;
}

/** One page row as Prisma's findMany with pageSelect gives it (Decimal amounts, the day as a UTC midnight). */
function pageRow(r: InvoicePageRow) {
  return {
    id: r.id,
    number: r.number,
    title: r.title,
    invoiceDate: new Date(`${r.invoice_date}T00:00:00Z`),
    amountExclVat: new Prisma.Decimal(r.amount_excl_vat),
    vatAmount: new Prisma.Decimal(r.vat_amount),
    organizationName: r.organization_name,
    creditedInvoiceId: r.credited_invoice_id,
    organization: {
      postalStreet: r.postal_street,
      postalPostcode: r.postal_postcode,
      postalCity: r.postal_city,
      kvkNumber: r.kvk_number,
      oin: r.oin,
      peppolId: r.peppol_id,
      einvoiceNlcius: r.einvoice_nlcius,
    },
  };
}

/** One row of the list page. */
export type InvoicePageItem = ReturnType<typeof pageRow>;

/**
 * The list page's one statement: the count, and one page (planned each on its own; an empty
 * page past the end still carries the total). Over several organisations (up to
 * MERGE_MAX_ORGS) without a search, the page is a top-N per organisation: each gives its first
 * skip + take rows from its (organisation, sort column, number) index (LATERAL … LIMIT) and
 * only those are sorted, where one query over all of them would sort the whole selection
 * (45,000 invoices at 10x data) or scan the number index until a page of them turned up.
 * Exported for the scale test.
 */
export function pageAndCountSql(actor: Actor, filter: InvoiceFilter, list: ListQuery<InvoiceSort>): Prisma.Sql {
  const where = sqlWhere(actor, filter);
  const d = list.dir === 'desc' ? Prisma.sql`DESC` : Prisma.sql`ASC`;
  // Over `invoices i` or the per-organisation rows, which keep the alias i.
  const order =
    list.sort === 'number'
      ? Prisma.sql`i.number ${d}`
      : Prisma.sql`i.${Prisma.raw(SQL_COLUMN[list.sort])} ${d}, i.number ${d}`;
  const org = orgIdCondition(actor, invoiceScope(actor, filter).orgIds);
  const plain = typeof org === 'number' || org.in.length < 2 || org.in.length > MERGE_MAX_ORGS || filter.q !== '';
  const from = plain
    ? Prisma.sql`invoices i`
    : // The organisations are joined to the page's rows only, each by its key (OFFSET 0 keeps the
      // planner from hashing the whole organisations table for 25 rows, or once per organisation).
      Prisma.sql`(SELECT i.* FROM unnest(${org.in}::int[]) AS s(org) CROSS JOIN LATERAL (
          SELECT i.* FROM invoices i WHERE ${sqlWhere(actor, filter, Prisma.sql`i.organization_id = s.org`)}
          ORDER BY ${order} LIMIT ${list.skip + list.perPage}) i
        ORDER BY ${order} LIMIT ${list.perPage} OFFSET ${list.skip}) i`;
  return Prisma.sql`SELECT n.total, p.* FROM (SELECT count(*)::int FROM invoices i WHERE ${where}) n(total)
    LEFT JOIN LATERAL (
      SELECT i.id, i.number, i.title, i.invoice_date::text AS invoice_date, i.amount_excl_vat::text AS amount_excl_vat,
        i.vat_amount::text AS vat_amount, i.organization_name, i.credited_invoice_id, o.postal_street,
        o.postal_postcode, o.postal_city, o.kvk_number, o.oin, o.peppol_id, o.einvoice_nlcius
      FROM ${from} ${
        plain
          ? Prisma.sql`JOIN organizations o ON o.id = i.organization_id WHERE ${where}`
          : Prisma.sql`CROSS JOIN LATERAL (SELECT o.* FROM organizations o WHERE o.id = i.organization_id OFFSET 0) o`
      }
      ORDER BY ${order}
      ${plain ? Prisma.sql`LIMIT ${list.perPage} OFFSET ${list.skip}` : Prisma.empty}) p ON true`;
}

/**
 * One page of the invoices in the resolved scope, and how many there are. With the pool (the
 * pages), both are named prepared statements on it (src/db/read.ts), the organisation's
 * e-invoice facts joined in; otherwise (the API's transaction, tests) Prisma's findMany and count.
 */
export async function listInvoices(
  prisma: PrismaClient | Tx,
  actor: Actor,
  filter: InvoiceFilter,
  list: ListQuery<InvoiceSort>,
  pool?: pg.Pool,
): Promise<{ rows: InvoicePageItem[]; total: number }> {
  if (pool && '$disconnect' in prisma) {
    const found = await rawReader(
      prisma,
      pool,
    )<InvoicePageRow & { total: number }>(pageAndCountSql(actor, filter, list));
    return { rows: found.filter((r) => r.id !== null).map(pageRow), total: found[0]?.total ?? 0 };
  }
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
