import { Role } from '../generated/prisma/enums.js';

export { Role };

/** The eleven roles in the manual's order (the order of every role list on screen). */
export const ROLES: readonly Role[] = [
  Role.PORTAL_ACCESS,
  Role.MANAGE_PERSONAL_DATA,
  Role.VIEW_ORGANIZATION,
  Role.SUBSIDIARY_ACCESS,
  Role.MANAGE_CONTACTS,
  Role.ASSIGN_ROLES,
  Role.VIEW_INVOICES,
  Role.VIEW_REPORTS,
  Role.VIEW_MANUALS,
  Role.MANAGE_OWN_TICKETS,
  Role.MANAGE_ORG_TICKETS,
];

/** Locale key of a role's name ("Toegang klantportaal PIM"). */
export function roleLabelKey(role: Role): string {
  return `roles.name.${role}`;
}

/** What decides which of a person's roles are in effect. */
export interface RoleContext {
  isMainContact: boolean;
  reportsInContract: boolean;
}

/**
 * The roles in effect for a person:
 * - the organisation's main contact holds every role, always;
 * - ASSIGN_ROLES counts only together with MANAGE_CONTACTS;
 * - VIEW_REPORTS counts only where the organisation's contract includes reports.
 */
export function effectiveRoles(held: Iterable<Role>, ctx: RoleContext): Set<Role> {
  const roles = new Set<Role>(ctx.isMainContact ? ROLES : held);
  if (!roles.has(Role.MANAGE_CONTACTS)) roles.delete(Role.ASSIGN_ROLES);
  if (!ctx.reportsInContract) roles.delete(Role.VIEW_REPORTS);
  return roles;
}

/** Why a role change is refused, as a locale key; null when it is allowed. */
export function roleChangeRefusal(
  granter: { roles: ReadonlySet<Role>; id: number },
  target: { id: number; isMainContact: boolean; held: ReadonlySet<Role> },
  wanted: ReadonlySet<Role>,
): string | null {
  if (!granter.roles.has(Role.ASSIGN_ROLES)) return 'roles.refused.noAssignRole';
  if (target.isMainContact) return 'roles.refused.mainContact';
  // Not one's own (as one cannot deactivate oneself): taking away one's portal role shuts one out.
  if (target.id === granter.id) return 'roles.refused.self';
  if (wanted.has(Role.ASSIGN_ROLES) && !wanted.has(Role.MANAGE_CONTACTS)) return 'roles.refused.assignNeedsManage';
  // Nobody grants or takes away a role they do not hold themselves.
  for (const role of ROLES) {
    const changes = wanted.has(role) !== target.held.has(role);
    if (changes && !granter.roles.has(role)) return 'roles.refused.notHeld';
  }
  // Someone holding a role the granter lacks is not shut out by them (their portal role taken away),
  // as the contact form does not let them deactivate that person: adding is fine, removing is not.
  const stronger = [...target.held].some((r) => !granter.roles.has(r));
  if (stronger && [...target.held].some((r) => !wanted.has(r))) return 'roles.refused.stronger';
  return null;
}
