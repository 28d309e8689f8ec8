import type { PrismaClient } from '../../db/client.js';
import type { Actor } from '../../auth/actor.js';
import { fullName } from '../../auth/actor.js';
import { Role } from '../../auth/roles.js';
import { scope } from '../../auth/scope.js';
import { releaseAttempt, takeAttempt, type Rule } from '../../auth/throttle.js';
import { BASIC_ROLES, basicRolesFor, mayChooseRoles } from '../../auth/web-access.js';
import { AppError } from '../../http/errors.js';
import { getContact, contactAccess } from './queries.js';
import { queueInvitation, type InvitationResult } from './invitation.js';

/** One basic role as the form's "Webtoegang" part shows it. */
export interface BasicRoleChoice {
  role: Role;
  checked: boolean;
  /** The manager may tick or untick it (may assign roles and holds it). */
  changeable: boolean;
  /** The manager does not hold it, so switching web access on cannot give it. */
  notYours: boolean;
}

/** The basic roles under "Webtoegang" for this manager: ticked as the rule gives them, or as posted. */
export function basicRoleChoices(actor: Actor, chosen: ReadonlySet<Role> | null): BasicRoleChoice[] {
  const given = new Set(basicRolesFor({ roles: actor.roles }, chosen));
  const choose = mayChooseRoles({ roles: actor.roles });
  return BASIC_ROLES.map((role) => ({
    role,
    checked: given.has(role),
    changeable: choose && actor.roles.has(role),
    notYours: !actor.roles.has(role),
  }));
}

/**
 * Who can change roles in the manager's own organisation, to name on the form of a manager
 * who cannot: the main contact and the people holding both "Contactpersonen beheren" and
 * "Rollen in klantportaal PIM toekennen" (at most five, by name). One query.
 */
export async function roleAssignerNames(
  prisma: PrismaClient,
  actor: Actor,
): Promise<{ main: string | null; others: string[] }> {
  const mainId = actor.orgs.find((o) => o.id === actor.organizationId)?.mainContactId ?? null;
  const holds = (role: Role) => ({ roles: { some: { role } } });
  const people = await prisma.contact.findMany({
    where: {
      ...scope.contacts(actor, [actor.organizationId]),
      OR: [
        ...(mainId !== null ? [{ id: mainId }] : []),
        {
          active: true,
          webAccess: true,
          AND: [holds(Role.ASSIGN_ROLES), holds(Role.MANAGE_CONTACTS), holds(Role.PORTAL_ACCESS)],
        },
      ],
    },
    orderBy: [{ lastName: 'asc' }, { firstName: 'asc' }, { id: 'asc' }],
    take: 6,
    select: { id: true, firstName: true, infix: true, lastName: true },
  });
  const main = people.find((p) => p.id === mainId);
  return {
    main: main ? fullName(main.firstName, main.infix, main.lastName) : null,
    others: people
      .filter((p) => p.id !== mainId)
      .slice(0, 5)
      .map((o) => fullName(o.firstName, o.infix, o.lastName)),
  };
}

/** "Uitnodiging opnieuw sturen": at most five an hour per contact manager (counted in PostgreSQL). */
export function resendRules(actorId: number): Rule[] {
  return [{ key: `reinvite:${actorId}`, limit: 5, windowMs: 60 * 60_000, lockMs: 60 * 60_000 }];
}

/**
 * The outcome of "Uitnodiging (opnieuw) sturen"; when sent, whether it was the first invitation and whether a link
 * that still worked was replaced (the page says so only then).
 */
export type ResendResult =
  | (Extract<InvitationResult, { sent: true }> & { first: boolean; replacedOpenLink: boolean })
  | Extract<InvitationResult, { sent: false }>
  | { sent: false; blocker: 'hasCredential' }
  | { sent: false; lockedUntil: Date };

/**
 * Sends the invitation (again) to a contact in the actor's scope who may log in but has not
 * set a password yet: a new link, an open old one stops working (audit `contact.reinvited`, or
 * `contact.invited` when none was ever sent). Counted per manager; over the limit nothing is sent.
 */
export async function resendInvitation(
  prisma: PrismaClient,
  actor: Actor,
  id: number,
  ctx: { now: Date; baseUrl: string; ip: string },
): Promise<ResendResult> {
  const rules = resendRules(actor.id);
  // Taken before the mail is queued: a burst of resends sends no more than the limit.
  const attempt = await takeAttempt(prisma, rules, ctx.now);
  if (!attempt.allowed) return { sent: false, lockedUntil: attempt.lockedUntil ?? ctx.now };
  const result = await prisma.$transaction(async (tx): Promise<ResendResult> => {
    await getContact(tx, actor, id);
    // Serialises two resends of the same contact, so only one link stays open; then reads it afresh.
    await tx.$queryRaw`SELECT id FROM contacts WHERE id = ${id} FOR UPDATE`;
    const c = await getContact(tx, actor, id);
    const mark = contactAccess(c, ctx.now);
    if (mark.state === 'none') return { sent: false, blocker: mark.blocker };
    if (mark.state === 'canLogIn') return { sent: false, blocker: 'hasCredential' };
    const sent = await queueInvitation(tx, id, {
      now: ctx.now,
      baseUrl: ctx.baseUrl,
      actor,
      kind: mark.invitedAt ? 'contact.reinvited' : 'contact.invited',
      ip: ctx.ip,
    });
    if (!sent.sent) return sent;
    return { ...sent, first: !mark.invitedAt, replacedOpenLink: mark.expiresAt !== null && !mark.expired };
  });
  // Only a mail sent counts against the manager's hourly limit.
  if (!result.sent) await releaseAttempt(prisma, rules);
  if (!result.sent && 'blocker' in result && result.blocker === 'deleted') throw new AppError('NOT_FOUND');
  return result;
}
