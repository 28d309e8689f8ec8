import type { PrismaClient, Tx } from '../db/client.js';
import { Role } from '../generated/prisma/enums.js';
import { effectiveRoles } from './roles.js';

/**
 * The roles that switching web access on gives in the same step: without PORTAL_ACCESS web
 * access lets nobody in, and without MANAGE_PERSONAL_DATA the person cannot even change
 * their own password.
 */
export const BASIC_ROLES: readonly Role[] = [Role.PORTAL_ACCESS, Role.MANAGE_PERSONAL_DATA];

/** The facts that decide whether a person may log in at all (roles: those in effect). */
export interface LoginFacts {
  active: boolean;
  deleted: boolean;
  organizationActive: boolean;
  email: string | null;
  webAccess: boolean;
  roles: ReadonlySet<Role>;
}

/** Why a person cannot log in; each has the text `webAccess.blocker.<name>`. */
export type LoginBlocker = 'deleted' | 'inactive' | 'organizationInactive' | 'noEmail' | 'noWebAccess' | 'noPortalRole';

/**
 * The one rule of web access: why this person cannot log in, or null when they can (active,
 * organisation active, an e-mail address, web access on, PORTAL_ACCESS in effect). The login,
 * the invitation mail, the contact list's mark, the contact form and the staff tool all ask it.
 */
export function loginBlocker(f: LoginFacts): LoginBlocker | null {
  if (f.deleted) return 'deleted';
  if (!f.active) return 'inactive';
  if (!f.organizationActive) return 'organizationInactive';
  if (!f.email) return 'noEmail';
  if (!f.webAccess) return 'noWebAccess';
  if (!f.roles.has(Role.PORTAL_ACCESS)) return 'noPortalRole';
  return null;
}

/** True when a person may log in (loginBlocker finds nothing). */
export function mayLogIn(f: LoginFacts): boolean {
  return loginBlocker(f) === null;
}

/** Who switches web access on: a logged-in manager (with their roles in effect), or vendor staff. */
export type Granter = { roles: ReadonlySet<Role> } | 'staff';

/** True when the granter may choose roles (ASSIGN_ROLES is in effect only with MANAGE_CONTACTS). */
export function mayChooseRoles(granter: Granter): boolean {
  return granter === 'staff' || (granter.roles.has(Role.ASSIGN_ROLES) && granter.roles.has(Role.MANAGE_CONTACTS));
}

/**
 * The basic roles that switching web access on gives. A granter who may assign roles gives the
 * ones they left ticked (`chosen`; null means the default, both); anyone else gives both by this
 * rule. Nobody gives a role they do not hold themselves.
 */
export function basicRolesFor(granter: Granter, chosen: ReadonlySet<Role> | null): Role[] {
  const wanted = chosen && mayChooseRoles(granter) ? BASIC_ROLES.filter((r) => chosen.has(r)) : [...BASIC_ROLES];
  return granter === 'staff' ? wanted : wanted.filter((r) => granter.roles.has(r));
}

/**
 * Gives the basic roles in the transaction that switches web access on (roles already held
 * stay); returns the roles given.
 */
export async function giveBasicRoles(
  tx: Tx,
  contactId: number,
  granter: Granter,
  chosen: ReadonlySet<Role> | null,
): Promise<Role[]> {
  const roles = basicRolesFor(granter, chosen);
  if (roles.length)
    await tx.contactRole.createMany({ data: roles.map((role) => ({ contactId, role })), skipDuplicates: true });
  return roles;
}

/** A contact's login facts plus what a mail to them needs, read in one query. */
export interface LoginSubject extends LoginFacts {
  id: number;
  organizationId: number;
  firstName: string | null;
  infix: string | null;
  lastName: string;
  language: 'nl' | 'en';
}

/** Reads the facts of loginBlocker for one contact (inside a transaction: its own state), or null. */
export async function loadLoginSubject(db: Tx | PrismaClient, contactId: number): Promise<LoginSubject | null> {
  const c = await db.contact.findUnique({
    where: { id: contactId },
    select: {
      id: true,
      organizationId: true,
      firstName: true,
      infix: true,
      lastName: true,
      email: true,
      language: true,
      active: true,
      webAccess: true,
      deletedAt: true,
      organization: { select: { active: true, mainContactId: true, reportsInContract: true } },
      roles: { select: { role: true } },
    },
  });
  if (!c) return null;
  const roles = effectiveRoles(
    c.roles.map((r) => r.role),
    { isMainContact: c.organization.mainContactId === c.id, reportsInContract: c.organization.reportsInContract },
  );
  return {
    id: c.id,
    organizationId: c.organizationId,
    firstName: c.firstName,
    infix: c.infix,
    lastName: c.lastName,
    email: c.email,
    language: c.language,
    active: c.active,
    deleted: c.deletedAt !== null,
    organizationActive: c.organization.active,
    webAccess: c.webAccess,
    roles,
  };
}

/** How the contact list and the contact's page mark a person. */
export type AccessMark =
  | { state: 'canLogIn' }
  /**
   * May log in but has no password or linked login yet. `invitedAt` is when the newest invitation went out (null:
   * never invited), `expiresAt` when its link stops or stopped working (null: no open link, e.g. it was used).
   */
  | { state: 'invited'; invitedAt: Date | null; expiresAt: Date | null; expired: boolean }
  | { state: 'none'; blocker: LoginBlocker };

/**
 * The mark of a person by loginBlocker: "can log in" only when the rule lets them in and they
 * have a password or a linked Microsoft / Google login; "invited" when the rule lets them in
 * but they have not set a password yet; otherwise "no access", with the reason.
 */
export function accessMark(
  f: LoginFacts & { hasCredential: boolean; inviteExpiresAt: Date | null; invitedAt: Date | null },
  now: Date,
): AccessMark {
  const blocker = loginBlocker(f);
  if (blocker) return { state: 'none', blocker };
  if (f.hasCredential) return { state: 'canLogIn' };
  return {
    state: 'invited',
    invitedAt: f.invitedAt,
    expiresAt: f.inviteExpiresAt,
    expired: f.inviteExpiresAt !== null && f.inviteExpiresAt <= now,
  };
}
