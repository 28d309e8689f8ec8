import { Prisma, type PrismaClient } from '../../db/client.js';
import type { Actor } from '../../auth/actor.js';
import { effectiveRoles, Role } from '../../auth/roles.js';
import { accessMark, type AccessMark } from '../../auth/web-access.js';
import { likeEscape } from '../../http/list.js';
import { tokenIssuedAt } from '../../auth/tokens.js';
import type { ContactFilters } from './schema.js';
import { narrowScope, type ScopeOrg } from '../../auth/scope.js';
import { MERGE_MAX_ORGS, rawReader, type RawRead } from '../../db/read.js';
import type pg from 'pg';

export type { ScopeOrg };

/** The sortable columns of the contacts list (every column of the manual's table). */
export const CONTACT_SORTS = ['name', 'gender', 'active', 'organization', 'main', 'contact'] as const;
export type ContactSort = (typeof CONTACT_SORTS)[number];

/**
 * The organisation ids a filter selects, inside the person's scope: the chosen organisation
 * (an unknown or foreign one falls back to the person's own), with "of van dochter
 * organisatie" its subsidiaries too (only with SUBSIDIARY_ACCESS), then "Organisatie actief".
 */
export function selectedOrgIds(actor: Actor, f: ContactFilters): number[] {
  return narrowScope(actor, { org: f.org, subsidiaries: f.subs, orgActive: f.orgActive }).orgIds;
}

/** What a list, export or e-mail page reads: the organisations, their main contacts, the filters. */
function selectionOf(actor: Actor, filters: ContactFilters): Selection {
  const orgIds = selectedOrgIds(actor, filters);
  const mainIds = actor.orgs
    .filter((o) => o.mainContactId !== null && orgIds.includes(o.id))
    .map((o) => o.mainContactId!);
  return { orgIds, mainIds, filters };
}

/** One row of the list. */
export interface ContactRow {
  id: number;
  first_name: string | null;
  infix: string | null;
  last_name: string;
  gender: 'MALE' | 'FEMALE' | 'OTHER' | null;
  active: boolean;
  email: string | null;
  phone: string | null;
  mobile: string | null;
  web_access: boolean;
  organization_id: number;
  org_name: string;
  is_main: boolean;
  has_password: boolean;
  sso_required: boolean;
  providers: string[];
  /** The other facts of the web-access mark (src/auth/web-access.ts), read in the same query. */
  org_active: boolean;
  has_portal_role: boolean;
  invite_expires_at: Date | null;
  /** The expiry of the newest invitation, used or not (when it went out follows from it). */
  last_invite_expires_at: Date | null;
}

/** A row's web-access mark, by the one rule (the main contact holds every role). */
export function rowAccess(c: ContactRow, now: Date): AccessMark {
  return accessMark(
    {
      active: c.active,
      deleted: false,
      organizationActive: c.org_active,
      email: c.email,
      webAccess: c.web_access,
      roles: effectiveRoles(c.has_portal_role ? [Role.PORTAL_ACCESS] : [], {
        isMainContact: c.is_main,
        reportsInContract: false,
      }),
      hasCredential: c.has_password || c.providers.length > 0,
      inviteExpiresAt: c.invite_expires_at,
      invitedAt: c.last_invite_expires_at ? tokenIssuedAt('INVITE', c.last_invite_expires_at) : null,
    },
    now,
  );
}

/** The same expression as the index contacts_search_trgm_idx (init migration): "Naam". */
const NAME_EXPR = Prisma.sql`(coalesce(c.first_name, '') || ' ' || coalesce(c.infix, '') || ' ' || c.last_name || ' ' || coalesce(c.email, ''))`;
/** The same expression as the index contacts_any_field_trgm_idx: "Uitgebreid zoeken". */
const ANY_FIELD_EXPR = Prisma.sql`(
  coalesce(c.first_name, '') || ' ' || coalesce(c.initials, '') || ' ' || coalesce(c.infix, '') || ' ' || c.last_name || ' ' ||
  coalesce(c.email, '') || ' ' || coalesce(c.phone, '') || ' ' || coalesce(c.fax, '') || ' ' || coalesce(c.mobile, '') || ' ' ||
  coalesce(c.private_street, '') || ' ' || coalesce(c.private_postcode, '') || ' ' || coalesce(c.private_city, '') || ' ' ||
  coalesce(c.private_country, ''))`;

/** The WHERE clause of a selection; the organisation ids come from selectedOrgIds (always inside the scope). */
export function selectionWhere(orgIds: number[], f: ContactFilters): Prisma.Sql {
  return filtersWhere(Prisma.sql`c.organization_id = ANY(${orgIds}::int[])`, f);
}

/** selectionWhere with the organisation condition given (one organisation of a per-organisation read). */
function filtersWhere(inOrgs: Prisma.Sql, f: ContactFilters): Prisma.Sql {
  const parts = [Prisma.sql`c.deleted_at IS NULL`, inOrgs];
  if (f.active !== 'all') parts.push(Prisma.sql`c.active = ${f.active === 'yes'}`);
  if (f.name) parts.push(Prisma.sql`${NAME_EXPR} ILIKE ${`%${likeEscape(f.name)}%`}`);
  if (f.q) parts.push(Prisma.sql`${ANY_FIELD_EXPR} ILIKE ${`%${likeEscape(f.q)}%`}`);
  return Prisma.join(parts, ' AND ');
}

/**
 * ORDER BY for a sort; every key ends in the row id so pages never overlap, and each matches
 * an index of migration 20261126030100 read forwards (asc) or backwards (desc).
 */
export function selectionOrder(sort: Exclude<ContactSort, 'main'>, dir: 'asc' | 'desc'): Prisma.Sql {
  const d = dir === 'desc' ? Prisma.sql`DESC` : Prisma.sql`ASC`;
  const name = Prisma.sql`c.last_name ${d}, c.first_name ${d}, c.id ${d}`;
  switch (sort) {
    case 'gender':
      return Prisma.sql`c.gender ${d}, ${name}`;
    case 'active':
      return Prisma.sql`c.active ${d}, ${name}`;
    case 'organization':
      return Prisma.sql`o.name ${d}, o.id ${d}, ${name}`;
    case 'contact':
      return Prisma.sql`c.email ${d}, c.id ${d}`;
    default:
      return name;
  }
}

/**
 * The row's columns, with how the person logs in and what the web-access mark needs, so the
 * list stays one round trip. They are scalar sub-selects on purpose: each is a primary-key or
 * index look-up for a row of the page, evaluated after the LIMIT; an EXISTS here may be planned
 * as a hashed sub-plan, which reads the whole roles table on every page.
 */
const COLUMNS = Prisma.sql`c.id, c.first_name, c.infix, c.last_name, c.gender::text AS gender, c.active, c.email, c.phone, c.mobile,
  c.web_access, c.organization_id, o.name AS org_name, (c.password_hash IS NOT NULL) AS has_password, o.sso_required,
  ARRAY(SELECT e.provider::text FROM external_logins e WHERE e.contact_id = c.id) AS providers, o.active AS org_active,
  coalesce((SELECT true FROM contact_roles r WHERE r.contact_id = c.id AND r.role = 'PORTAL_ACCESS'), false) AS has_portal_role,
  (SELECT max(t.expires_at) FROM password_tokens t WHERE t.contact_id = c.id AND t.purpose = 'INVITE' AND t.used_at IS NULL) AS invite_expires_at,
  (SELECT max(t.expires_at) FROM password_tokens t WHERE t.contact_id = c.id AND t.purpose = 'INVITE') AS last_invite_expires_at`;

/**
 * The list's SQL for one page, sorted by a column other than "Hoofdcontact" (exported so the
 * scale test can EXPLAIN exactly this). `withoutMain` leaves the main contacts out; `perOrg`
 * reads a page by name as a top-N per organisation (the list page on the pool; up to
 * MERGE_MAX_ORGS organisations).
 */
export function pageSql(
  orgIds: number[],
  mainIds: number[],
  f: ContactFilters,
  sort: Exclude<ContactSort, 'main'>,
  dir: 'asc' | 'desc',
  take: number,
  skip: number,
  withoutMain = false,
  perOrg = false,
): Prisma.Sql {
  const notMain = withoutMain ? Prisma.sql` AND NOT (c.id = ANY(${mainIds}::int[]))` : Prisma.empty;
  if (perOrg && sort === 'name' && orgIds.length <= MERGE_MAX_ORGS)
    // Each organisation's first skip + take by name from its (organisation, [active,] name) index,
    // then only those sorted: the selection (2,000 contacts over 26 organisations at 10x data) never is.
    // The organisations are joined to the page's rows only, each by its key (OFFSET 0 keeps the
    // planner from hashing the whole organisations table for 25 rows, or once per organisation).
    return Prisma.sql`
    SELECT ${COLUMNS}, (c.id = ANY(${mainIds}::int[])) AS is_main
    FROM (
      SELECT c.* FROM unnest(${orgIds}::int[]) AS s(org) CROSS JOIN LATERAL (
        SELECT c.* FROM contacts c WHERE ${filtersWhere(Prisma.sql`c.organization_id = s.org`, f)}${notMain}
        ORDER BY ${selectionOrder(sort, dir)} LIMIT ${skip + take}) c
      ORDER BY ${selectionOrder(sort, dir)}
      LIMIT ${take} OFFSET ${skip}) c
    CROSS JOIN LATERAL (SELECT o.* FROM organizations o WHERE o.id = c.organization_id OFFSET 0) o
    ORDER BY ${selectionOrder(sort, dir)}`;
  return Prisma.sql`
    SELECT ${COLUMNS}, (c.id = ANY(${mainIds}::int[])) AS is_main
    FROM contacts c JOIN organizations o ON o.id = c.organization_id
    WHERE ${selectionWhere(orgIds, f)}${notMain}
    ORDER BY ${selectionOrder(sort, dir)}
    LIMIT ${take} OFFSET ${skip}`;
}

/**
 * One page and the selection's total in one statement (the pool's list page): the count and
 * the page are planned each on its own, and an empty page (past the end) still carries the total.
 */
export function pageAndCountSql(
  orgIds: number[],
  mainIds: number[],
  f: ContactFilters,
  sort: Exclude<ContactSort, 'main'>,
  dir: 'asc' | 'desc',
  take: number,
  skip: number,
): Prisma.Sql {
  if (f.name || f.q)
    // A search: its matches come from the trigram index once, for the count and the page both
    // (twice, the bitmap scan of every match in the table was most of the statement).
    return Prisma.sql`WITH m AS MATERIALIZED (SELECT c.id FROM contacts c WHERE ${selectionWhere(orgIds, f)})
      SELECT n.total, p.* FROM (SELECT count(*)::int FROM m) n(total)
      LEFT JOIN LATERAL (
        SELECT ${COLUMNS}, (c.id = ANY(${mainIds}::int[])) AS is_main
        FROM contacts c JOIN organizations o ON o.id = c.organization_id
        WHERE c.id IN (SELECT m.id FROM m)
        ORDER BY ${selectionOrder(sort, dir)}
        LIMIT ${take} OFFSET ${skip}) p ON true`;
  return Prisma.sql`SELECT n.total, p.* FROM (${countSql(orgIds, f)}) n(total)
    LEFT JOIN LATERAL (${pageSql(orgIds, mainIds, f, sort, dir, take, skip, false, true)}) p ON true`;
}

/** The main contacts of a selection (at most one per organisation), by name. */
export function mainContactsSql(
  orgIds: number[],
  mainIds: number[],
  f: ContactFilters,
  dir: 'asc' | 'desc',
): Prisma.Sql {
  return Prisma.sql`
    SELECT ${COLUMNS}, true AS is_main
    FROM contacts c JOIN organizations o ON o.id = c.organization_id
    WHERE ${selectionWhere(orgIds, f)} AND c.id = ANY(${mainIds}::int[])
    ORDER BY ${selectionOrder('name', dir)}`;
}

/** The count's SQL (exported for the scale test). */
export function countSql(orgIds: number[], f: ContactFilters): Prisma.Sql {
  return Prisma.sql`SELECT count(*)::int AS n FROM contacts c WHERE ${selectionWhere(orgIds, f)}`;
}

type Selection = { orgIds: number[]; mainIds: number[]; filters: ContactFilters };

/**
 * One page of the selection and its total. With the pool, one named prepared statement on it
 * (src/db/read.ts) reads both (pageAndCountSql; sorted by "Hoofdcontact" the parts below);
 * without it (tests) the page and the count are two statements, with the same results.
 */
export async function listContacts(
  prisma: PrismaClient,
  actor: Actor,
  filters: ContactFilters,
  page: { sort: ContactSort; dir: 'asc' | 'desc'; take: number; skip: number },
  pool?: pg.Pool,
): Promise<{ rows: ContactRow[]; total: number }> {
  const sel = selectionOf(actor, filters);
  if (sel.orgIds.length === 0) return { rows: [], total: 0 };
  const read = rawReader(prisma, pool);
  if (pool && page.sort !== 'main') {
    const found = await read<ContactRow & { total: number }>(
      pageAndCountSql(sel.orgIds, sel.mainIds, sel.filters, page.sort, page.dir, page.take, page.skip),
    );
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    const rows = found.filter((r) => r.id !== null).map(({ total, ...row }) => row);
    return { rows, total: found[0]?.total ?? 0 };
  }
  const [rows, count] = await Promise.all([
    readPage(read, sel, page),
    read<{ n: number }>(countSql(sel.orgIds, sel.filters)),
  ]);
  return { rows, total: count[0]?.n ?? 0 };
}

/**
 * Sorting by "Hoofdcontact" puts the main contacts (few) before the others (asc) or after
 * them (desc), each part by name: two index-ordered reads instead of sorting the selection.
 */
async function readPage(
  read: RawRead,
  sel: Selection,
  page: { sort: ContactSort; dir: 'asc' | 'desc'; take: number; skip: number },
): Promise<ContactRow[]> {
  const { orgIds, mainIds, filters } = sel;
  if (page.sort !== 'main')
    return read<ContactRow>(pageSql(orgIds, mainIds, filters, page.sort, page.dir, page.take, page.skip));
  const mains = await read<ContactRow>(mainContactsSql(orgIds, mainIds, filters, page.dir));
  const others = (take: number, skip: number) =>
    take <= 0
      ? Promise.resolve([])
      : read<ContactRow>(pageSql(orgIds, mainIds, filters, 'name', page.dir, take, skip, true));
  if (page.dir === 'asc') {
    const head = mains.slice(page.skip, page.skip + page.take);
    return [...head, ...(await others(page.take - head.length, Math.max(0, page.skip - mains.length)))];
  }
  const rest = await others(page.take, page.skip);
  if (rest.length === page.take) return rest;
  // The others ran out on this page: the main contacts follow.
  const [{ n } = { n: 0 }] = await read<{ n: number }>(
    Prisma.sql`SELECT count(*)::int AS n FROM contacts c WHERE ${selectionWhere(orgIds, filters)} AND NOT (c.id = ANY(${mainIds}::int[]))`,
  );
  const from = Math.max(0, page.skip - n);
  return [...rest, ...mains.slice(from, from + page.take - rest.length)];
}

/** The most rows an export or the e-mail page holds (the whole tree of a large customer). */
export const EXPORT_LIMIT = 50_000;

/** The whole selection in list order, for the CSV export. */
export async function exportContacts(
  prisma: PrismaClient,
  actor: Actor,
  filters: ContactFilters,
  sort: ContactSort,
  dir: 'asc' | 'desc',
  pool?: pg.Pool,
): Promise<ContactRow[]> {
  const sel = selectionOf(actor, filters);
  if (sel.orgIds.length === 0) return [];
  return readPage(rawReader(prisma, pool), sel, { sort, dir, take: EXPORT_LIMIT, skip: 0 });
}

/** The SQL of the e-mail page (exported for the scale test). */
export function emailsSql(orgIds: number[], f: ContactFilters): Prisma.Sql {
  return Prisma.sql`
    SELECT c.email FROM contacts c
    WHERE ${selectionWhere(orgIds, f)} AND c.email IS NOT NULL
    ORDER BY c.email LIMIT ${EXPORT_LIMIT}`;
}

/** The e-mail addresses of the selection (unique by construction), sorted. */
export async function selectionEmails(prisma: PrismaClient, actor: Actor, filters: ContactFilters): Promise<string[]> {
  const sel = selectionOf(actor, filters);
  if (sel.orgIds.length === 0) return [];
  const rows = await prisma.$queryRaw<{ email: string }[]>(emailsSql(sel.orgIds, sel.filters));
  return rows.map((r) => r.email);
}
