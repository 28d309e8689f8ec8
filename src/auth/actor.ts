import { effectiveRoles, Role } from './roles.js';
import { mayLogIn } from './web-access.js';

/** How a session was opened; an organisation that requires SSO ends password and passkey sessions. */
export type LoginMethod = 'password' | 'passkey' | 'microsoft' | 'google';

/** Login methods that are the portal's own credentials, which an SSO-requiring organisation refuses. */
export const PORTAL_LOGIN_METHODS: readonly LoginMethod[] = ['password', 'passkey'];

/** One organisation in a person's scope, as filters and forms list them. */
export interface ScopeOrg {
  id: number;
  name: string;
  parentId: number | null;
  active: boolean;
  mainContactId: number | null;
}

/** The logged-in person as every service sees them: effective roles and organisation scope. */
export interface Actor {
  id: number;
  organizationId: number;
  organizationName: string;
  firstName: string | null;
  displayName: string;
  email: string;
  isMainContact: boolean;
  reportsInContract: boolean;
  roles: ReadonlySet<Role>;
  /** Own organisation, plus every descendant when the person has SUBSIDIARY_ACCESS. */
  orgIds: number[];
  /** The same organisations with what pickers and filters show, by name. */
  orgs: readonly ScopeOrg[];
  sessionEpoch: number;
}

/** The actor's columns as ACTOR_SQL returns them. */
export interface ActorRow {
  id: number;
  organization_id: number;
  first_name: string | null;
  infix: string | null;
  last_name: string;
  email: string | null;
  active: boolean;
  web_access: boolean;
  session_epoch: number;
  org_name: string;
  org_active: boolean;
  sso_required: boolean;
  is_main: boolean;
  reports_in_contract: boolean;
  roles: Role[];
  orgs: ScopeOrg[];
}

/** How the session store embeds the actor query in its own (src/auth/session.ts). */
export interface ActorSqlParts {
  /** CTEs put before the actor's, each followed by a comma. */
  ctes?: string;
  /** The SQL expression of the contact id (default: the first parameter). */
  contactId?: string;
  /** Columns selected before the actor's, each followed by a comma. */
  select?: string;
  /** The FROM clause (default: `me`, which returns no row for an unknown person). */
  from?: string;
}

/**
 * The actor in one statement: contact, organisation, roles and the organisations in scope
 * (the subsidiary tree is walked only for people with SUBSIDIARY_ACCESS or the main contact).
 */
export function actorSql(parts: ActorSqlParts = {}): string {
  const contactId = parts.contactId ?? '$1::int';
  return `
    WITH RECURSIVE ${parts.ctes ?? ''}
    me AS (
      SELECT c.id, c.organization_id, c.first_name, c.infix, c.last_name, c.email, c.active, c.web_access,
             c.session_epoch, o.name AS org_name, o.active AS org_active, o.sso_required,
             coalesce(o.main_contact_id = c.id, false) AS is_main, o.reports_in_contract,
             ARRAY(SELECT r.role::text FROM contact_roles r WHERE r.contact_id = c.id) AS roles
      FROM contacts c JOIN organizations o ON o.id = c.organization_id
      WHERE c.id = ${contactId} AND c.deleted_at IS NULL
    ), tree AS (
      SELECT o.id FROM organizations o JOIN me ON o.id = me.organization_id
      UNION
      SELECT o.id FROM organizations o JOIN tree t ON o.parent_id = t.id
      WHERE EXISTS (SELECT 1 FROM me WHERE me.is_main OR 'SUBSIDIARY_ACCESS' = ANY(me.roles))
    )
    SELECT ${parts.select ?? ''} me.*, (
      -- The rows as records, not json_build_object per row: a tenth less of the statement's execution.
      SELECT json_agg(x ORDER BY x.name, x.id)
      FROM (SELECT o.id, o.name, o.parent_id AS "parentId", o.active, o.main_contact_id AS "mainContactId"
            FROM organizations o WHERE o.id IN (SELECT id FROM tree)) x
    ) AS orgs
    FROM ${parts.from ?? 'me'}`;
}

/** Anything that runs raw SQL: the Prisma client or a transaction of it. */
interface RawRunner {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

/**
 * Loads the actor (one query), or null when the person may no longer log in or `epoch`
 * is stale. Inside a transaction it sees the transaction's state.
 */
export async function loadActor(
  db: RawRunner,
  contactId: number,
  epoch: number,
  method?: LoginMethod,
): Promise<Actor | null> {
  const rows = await db.$queryRawUnsafe<ActorRow[]>(actorSql(), contactId);
  return actorFromRow(rows[0], epoch, method);
}

/**
 * The actor from its row, or null when the person may no longer log in: a stale epoch
 * (password changed, signed out everywhere), deactivated, role taken away, or a password
 * session in an organisation that now requires single sign-on.
 */
export function actorFromRow(row: ActorRow | undefined | null, epoch: number, method?: LoginMethod): Actor | null {
  if (!row || row.session_epoch !== epoch) return null;
  if (method && PORTAL_LOGIN_METHODS.includes(method) && row.sso_required) return null;
  const roles = effectiveRoles(row.roles, { isMainContact: row.is_main, reportsInContract: row.reports_in_contract });
  const facts = {
    active: row.active,
    deleted: false,
    organizationActive: row.org_active,
    email: row.email,
    webAccess: row.web_access,
    roles,
  };
  if (!mayLogIn(facts) || !row.email) return null;
  const own = (row.orgs ?? []).find((o) => o.id === row.organization_id);
  const orgs = roles.has(Role.SUBSIDIARY_ACCESS) ? (row.orgs ?? []) : own ? [own] : [];
  return {
    id: row.id,
    organizationId: row.organization_id,
    organizationName: row.org_name,
    firstName: row.first_name,
    displayName: fullName(row.first_name, row.infix, row.last_name),
    email: row.email,
    isMainContact: row.is_main,
    reportsInContract: row.reports_in_contract,
    roles,
    orgIds: [row.organization_id, ...orgs.map((o) => o.id).filter((id) => id !== row.organization_id)],
    orgs,
    sessionEpoch: row.session_epoch,
  };
}

/** "Lisa de Vries" from its parts. */
export function fullName(first: string | null | undefined, infix: string | null | undefined, last: string): string {
  return [first, infix, last].filter((p) => p && p.trim()).join(' ');
}
