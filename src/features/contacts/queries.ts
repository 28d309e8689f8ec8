import type { PrismaClient, Tx } from '../../db/client.js';
import type { Actor } from '../../auth/actor.js';
import { scope } from '../../auth/scope.js';
import { effectiveRoles, ROLES } from '../../auth/roles.js';
import { accessMark, type AccessMark } from '../../auth/web-access.js';
import { AppError } from '../../http/errors.js';
import { tokenIssuedAt } from '../../auth/tokens.js';

// The reads of one contact; the writes are in service.ts.

const DETAIL_SELECT = {
  id: true,
  organizationId: true,
  lastName: true,
  firstName: true,
  initials: true,
  infix: true,
  gender: true,
  birthDate: true,
  email: true,
  phone: true,
  fax: true,
  mobile: true,
  privateStreet: true,
  privatePostcode: true,
  privateCity: true,
  privateCountry: true,
  active: true,
  webAccess: true,
  subscribeUpdate: true,
  subscribeCare: true,
  subscribeBusiness: true,
  subscribeFlash: true,
  passwordHash: true,
  version: true,
  language: true,
  lastLoginAt: true,
  organization: {
    select: { id: true, name: true, mainContactId: true, reportsInContract: true, ssoRequired: true, active: true },
  },
  roles: { select: { role: true } },
  externalLogins: { select: { provider: true } },
  // The newest invitation, used or not: when it went out, and whether its link still works.
  passwordTokens: {
    where: { purpose: 'INVITE' },
    orderBy: { expiresAt: 'desc' },
    take: 1,
    select: { expiresAt: true, usedAt: true },
  },
} as const;

/** A contact as the details page, the form and the roles page show it. */
export async function getContact(db: PrismaClient | Tx, actor: Actor, id: number) {
  const c = await db.contact.findFirst({ where: { id, ...scope.contacts(actor) }, select: DETAIL_SELECT });
  if (!c) throw new AppError('NOT_FOUND');
  const { passwordHash, roles, externalLogins, passwordTokens, ...rest } = c;
  const held = new Set(roles.map((r) => r.role));
  const invite = passwordTokens[0];
  return {
    ...rest,
    providers: externalLogins.map((l) => l.provider),
    hasPassword: passwordHash !== null,
    /** A password or a linked Microsoft / Google login: something to log in with. */
    hasCredential: passwordHash !== null || externalLogins.length > 0,
    inviteExpiresAt: invite && !invite.usedAt ? invite.expiresAt : null,
    invitedAt: invite ? tokenIssuedAt('INVITE', invite.expiresAt) : null,
    isMain: c.organization.mainContactId === c.id,
    roles: ROLES.filter((r) => held.has(r)),
  };
}

export type ContactDetails = Awaited<ReturnType<typeof getContact>>;

/** The contact's web-access mark (can log in / invited / no access), by the one rule of src/auth/web-access.ts. */
export function contactAccess(c: ContactDetails, now: Date): AccessMark {
  const isMainContact = c.organization.mainContactId === c.id;
  return accessMark(
    {
      active: c.active,
      deleted: false,
      organizationActive: c.organization.active,
      email: c.email,
      webAccess: c.webAccess,
      roles: effectiveRoles(c.roles, { isMainContact, reportsInContract: c.organization.reportsInContract }),
      hasCredential: c.hasCredential,
      inviteExpiresAt: c.inviteExpiresAt,
      invitedAt: c.invitedAt,
    },
    now,
  );
}
