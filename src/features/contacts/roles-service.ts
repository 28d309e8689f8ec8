import type { PrismaClient } from '../../db/client.js';
import type { Actor } from '../../auth/actor.js';
import { effectiveRoles, roleChangeRefusal, ROLES, type Role } from '../../auth/roles.js';
import { recordAudit } from '../../audit.js';
import { getContact, type ContactDetails } from './queries.js';
import { queueInvitation, type InvitationResult } from './invitation.js';

/** One line of the roles tab: the role, whether the contact holds it, whether it is in effect. */
export interface RoleLine {
  role: Role;
  held: boolean;
  /** Held but not in effect (reports not in the contract, or ASSIGN_ROLES without MANAGE_CONTACTS). */
  notInEffect: boolean;
  /** The actor may tick or untick it (holds it themselves, the contact is not the main contact). */
  changeable: boolean;
}

/** The roles of a contact as the Rollen tab and the Rollen wijzigen form show them. */
export function roleLines(actor: Actor, c: ContactDetails): RoleLine[] {
  const held = new Set<Role>(c.isMain ? ROLES : c.roles);
  const inEffect = effectiveRoles(held, {
    isMainContact: c.isMain,
    reportsInContract: c.organization.reportsInContract,
  });
  return ROLES.map((role) => ({
    role,
    held: held.has(role),
    notInEffect: held.has(role) && !inEffect.has(role),
    changeable: !c.isMain && actor.roles.has(role),
  }));
}

/** Why a roles change is refused (a locale key), or null when it was saved (with the invitation it sent, if any). */
export type RolesResult =
  { refused: string; contact: ContactDetails } | { refused: null; invitation?: InvitationResult };

/**
 * Gives the contact exactly the `wanted` roles, by the rules of roleChangeRefusal (main
 * contact untouchable, ASSIGN_ROLES needs MANAGE_CONTACTS, nobody grants or takes a role they
 * do not hold). Takes effect on the person's next request: roles are read per request.
 */
export async function changeRoles(
  prisma: PrismaClient,
  actor: Actor,
  id: number,
  wanted: ReadonlySet<Role>,
  ctx: { ip: string; now: Date; baseUrl: string },
): Promise<RolesResult> {
  const { ip } = ctx;
  return prisma.$transaction(async (tx) => {
    const c = await getContact(tx, actor, id);
    if (!c.webAccess && !c.isMain) return { refused: 'contacts.roles.needsWebAccess', contact: c };
    const held = new Set(c.roles);
    const refusal = roleChangeRefusal(
      { roles: actor.roles, id: actor.id },
      { id: c.id, isMainContact: c.isMain, held },
      wanted,
    );
    if (refusal) return { refused: refusal, contact: c };
    const add = ROLES.filter((r) => wanted.has(r) && !held.has(r));
    const remove = ROLES.filter((r) => !wanted.has(r) && held.has(r));
    if (!add.length && !remove.length) return { refused: null };
    if (remove.length) await tx.contactRole.deleteMany({ where: { contactId: id, role: { in: remove } } });
    // Two managers adding the same role at once: the second finds it there (no unique violation, no 500).
    if (add.length)
      await tx.contactRole.createMany({ data: add.map((role) => ({ contactId: id, role })), skipDuplicates: true });
    await recordAudit(tx, {
      actor,
      kind: 'contact.roles_changed',
      organizationId: c.organizationId,
      subjectType: 'contact',
      subjectId: id,
      before: { roles: c.roles },
      after: { roles: ROLES.filter((r) => wanted.has(r)) },
      ip,
    });
    // Web access without the portal role let nobody in, so no invitation went out then: it
    // goes out now that the role makes the person able to log in.
    if (add.includes('PORTAL_ACCESS') && !c.hasCredential) {
      return {
        refused: null,
        invitation: await queueInvitation(tx, id, { now: ctx.now, baseUrl: ctx.baseUrl, actor, ip }),
      };
    }
    return { refused: null };
  });
}
