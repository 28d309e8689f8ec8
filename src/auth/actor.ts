import type { PrismaClient } from '../db/client.js';
import { effectiveRoles, Role } from './roles.js';
import { mayLogIn } from './web-access.js';

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
  sessionEpoch: number;
}

interface ActorRow {
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
  is_main: boolean;
  reports_in_contract: boolean;
  roles: Role[];
  descendant_ids: number[];
}

/**
 * Loads the actor in one query (contact, organisation, roles, descendants), or null when the
 * person may no longer log in or the session's epoch is stale. Runs on every request, so a
 * role change or deactivation takes effect on the next request.
 */
export async function loadActor(prisma: PrismaClient, contactId: number, epoch: number): Promise<Actor | null> {
  const rows = await prisma.$queryRaw<ActorRow[]>`
    WITH RECURSIVE me AS (
      SELECT c.id, c.organization_id, c.first_name, c.infix, c.last_name, c.email, c.active, c.web_access,
             c.session_epoch, o.name AS org_name, o.active AS org_active,
             coalesce(o.main_contact_id = c.id, false) AS is_main, o.reports_in_contract,
             ARRAY(SELECT r.role::text FROM contact_roles r WHERE r.contact_id = c.id) AS roles
      FROM contacts c JOIN organizations o ON o.id = c.organization_id
      WHERE c.id = ${contactId} AND c.deleted_at IS NULL
    ), tree AS (
      SELECT o.id FROM organizations o JOIN me ON o.parent_id = me.organization_id
      UNION
      SELECT o.id FROM organizations o JOIN tree t ON o.parent_id = t.id
    )
    SELECT me.*, ARRAY(SELECT id FROM tree ORDER BY id) AS descendant_ids FROM me`;
  const row = rows[0];
  if (!row || row.session_epoch !== epoch) return null;
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
    orgIds: roles.has(Role.SUBSIDIARY_ACCESS) ? [row.organization_id, ...row.descendant_ids] : [row.organization_id],
    sessionEpoch: row.session_epoch,
  };
}

/** "Lisa de Vries" from its parts. */
export function fullName(first: string | null | undefined, infix: string | null | undefined, last: string): string {
  return [first, infix, last].filter((p) => p && p.trim()).join(' ');
}
