import type pg from 'pg';
import { Prisma, type PrismaClient } from '../../db/client.js';
import { rawReader } from '../../db/read.js';
import type { Actor } from '../../auth/actor.js';
import { scope } from '../../auth/scope.js';
import { fullName } from '../../auth/actor.js';
import { likeEscape, type ListQuery } from '../../http/list.js';
import { AppError } from '../../http/errors.js';
import { Role } from '../../auth/roles.js';

/** Sort keys of the organisation list. */
export const ORG_SORTS = ['name'] as const;
export type OrgSort = (typeof ORG_SORTS)[number];

/** The list's filters: "Actief ja/nee". */
export interface OrgFilters {
  active: boolean | null;
}

const orgFields = {
  id: true,
  parentId: true,
  name: true,
  active: true,
  postalStreet: true,
  postalPostcode: true,
  postalCity: true,
  postalCountry: true,
  visitStreet: true,
  visitPostcode: true,
  visitCity: true,
  visitCountry: true,
  phone: true,
  fax: true,
  email: true,
} satisfies Prisma.OrganizationSelect;

/** One organisation as the list, the detail page and the downloads show it. */
export type OrgRow = Prisma.OrganizationGetPayload<{ select: typeof orgFields }>;

/** orgFields in SQL, named as Prisma names them (every column text, int or bool: pg and Prisma agree). */
const ORG_COLUMNS = Prisma.sql`o.id, o.parent_id AS "parentId", o.name, o.active, o.postal_street AS "postalStreet",
  o.postal_postcode AS "postalPostcode", o.postal_city AS "postalCity", o.postal_country AS "postalCountry",
  o.visit_street AS "visitStreet", o.visit_postcode AS "visitPostcode", o.visit_city AS "visitCity",
  o.visit_country AS "visitCountry", o.phone, o.fax, o.email`;

/**
 * The actor's organisations (their own, plus subsidiaries with SUBSIDIARY_ACCESS), one page.
 * With the pool (the page) the total and the page are one named prepared statement on it
 * (src/db/read.ts; each part planned on its own, an empty page past the end still carries the
 * total); otherwise Prisma's count and findMany, with the same results.
 */
export async function listOrganisations(
  prisma: PrismaClient,
  actor: Actor,
  list: ListQuery<OrgSort>,
  filters: OrgFilters,
  pool?: pg.Pool,
) {
  if (pool) {
    const parts = [Prisma.sql`o.id = ANY(${actor.orgIds}::int[])`];
    if (filters.active !== null) parts.push(Prisma.sql`o.active = ${filters.active}`);
    if (list.q) parts.push(Prisma.sql`o.name ILIKE ${`%${likeEscape(list.q)}%`}`);
    const where = Prisma.join(parts, ' AND ');
    const d = list.dir === 'desc' ? Prisma.sql`DESC` : Prisma.sql`ASC`;
    const found = await rawReader(
      prisma,
      pool,
    )<OrgRow & { total: number }>(Prisma.sql`
      SELECT n.total, p.* FROM (SELECT count(*)::int FROM organizations o WHERE ${where}) n(total)
      LEFT JOIN LATERAL (
        SELECT ${ORG_COLUMNS} FROM organizations o WHERE ${where}
        ORDER BY o.name ${d}, o.id ${d} LIMIT ${list.perPage} OFFSET ${list.skip}
      ) p ON true`);
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    const rows: OrgRow[] = found.filter((r) => r.id !== null).map(({ total, ...row }) => row);
    return { total: found[0]?.total ?? 0, rows };
  }
  const where: Prisma.OrganizationWhereInput = scope.organizations(actor);
  if (filters.active !== null) where.active = filters.active;
  if (list.q) where.name = { contains: likeEscape(list.q), mode: 'insensitive' };
  const [total, rows] = await Promise.all([
    prisma.organization.count({ where }),
    prisma.organization.findMany({
      where,
      select: orgFields,
      orderBy: [{ name: list.dir }, { id: list.dir }],
      skip: list.skip,
      take: list.perPage,
    }),
  ]);
  return { total, rows };
}

/** Salutation + name of a contact, "Dhr. Jan Jansen". */
function contactLabel(c: { gender: string | null; firstName: string | null; infix: string | null; lastName: string }): {
  salutation: string | null;
  name: string;
} {
  const salutation = c.gender === 'MALE' ? 'organisations.mr' : c.gender === 'FEMALE' ? 'organisations.mrs' : null;
  return { salutation, name: fullName(c.firstName, c.infix, c.lastName) };
}

/**
 * One organisation in the actor's scope with its main contact and its direct subsidiaries
 * (those in scope); anything outside the scope is not found.
 */
export async function getOrganisation(prisma: PrismaClient, actor: Actor, id: number) {
  const org = await prisma.organization.findFirst({
    where: { AND: [{ id }, scope.organizations(actor)] },
    select: {
      ...orgFields,
      kvkNumber: true,
      oin: true,
      peppolId: true,
      einvoiceNlcius: true,
      mainContact: {
        select: { gender: true, firstName: true, infix: true, lastName: true, email: true, deletedAt: true },
      },
      subsidiaries: { where: scope.organizations(actor), select: orgFields, orderBy: [{ name: 'asc' }, { id: 'asc' }] },
    },
  });
  if (!org) throw new AppError('NOT_FOUND');
  const mc = org.mainContact && !org.mainContact.deletedAt ? org.mainContact : null;
  return {
    ...org,
    mainContact: mc ? { ...contactLabel(mc), email: mc.email } : null,
    /** True when the organisation has subsidiaries the actor may not see (no SUBSIDIARY_ACCESS). */
    hiddenSubsidiaries: actor.roles.has(Role.SUBSIDIARY_ACCESS) ? false : await hasSubsidiaries(prisma, org.id),
  };
}

async function hasSubsidiaries(prisma: PrismaClient, id: number): Promise<boolean> {
  return (await prisma.organization.count({ where: { parentId: id } })) > 0;
}

/** One row of the overview download: an organisation with its main contact and depth in the tree. */
export interface OverviewRow extends OrgRow {
  depth: number;
  mainContactName: string;
  mainContactEmail: string;
}

/**
 * The overview of an organisation and every subsidiary below it that the actor may see,
 * in tree order (each parent before its subsidiaries, siblings by name).
 */
export async function organisationOverview(prisma: PrismaClient, actor: Actor, id: number): Promise<OverviewRow[]> {
  const rows = await prisma.organization.findMany({
    where: scope.organizations(actor),
    select: {
      ...orgFields,
      kvkNumber: true,
      oin: true,
      peppolId: true,
      einvoiceNlcius: true,
      mainContact: { select: { firstName: true, infix: true, lastName: true, email: true, deletedAt: true } },
    },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
  });
  const byParent = new Map<number | null, typeof rows>();
  for (const r of rows) byParent.set(r.parentId, [...(byParent.get(r.parentId) ?? []), r]);
  const out: OverviewRow[] = [];
  const visit = (r: (typeof rows)[number], depth: number) => {
    const { mainContact, ...org } = r;
    const mc = mainContact && !mainContact.deletedAt ? mainContact : null;
    out.push({
      ...org,
      depth,
      mainContactName: mc ? fullName(mc.firstName, mc.infix, mc.lastName) : '',
      mainContactEmail: mc?.email ?? '',
    });
    for (const child of byParent.get(r.id) ?? []) visit(child, depth + 1);
  };
  const root = rows.find((r) => r.id === id);
  if (!root) throw new AppError('NOT_FOUND');
  visit(root, 0);
  return out;
}
