import type { PrismaClient } from '../../db/client.js';
import type { Actor } from '../../auth/actor.js';
import { Role } from '../../auth/roles.js';
import { scope } from '../../auth/scope.js';
import { AppError } from '../../http/errors.js';

/**
 * Who may require two-step login for an organisation: "Contactpersonen
 * beheren" with "Rollen toekennen" (the main contact holds both).
 */
function mayRequire(actor: Actor): boolean {
  return actor.roles.has(Role.MANAGE_CONTACTS) && actor.roles.has(Role.ASSIGN_ROLES);
}

/**
 * Whether an organisation in the actor's scope requires two-step login, itself or through a
 * parent (the parent is not named: it may be outside the person's scope).
 */
export async function twoStepRequirement(prisma: PrismaClient, actor: Actor, orgId: number) {
  const org = await prisma.organization.findFirst({
    where: { AND: [{ id: orgId }, scope.organizations(actor)] },
    select: { id: true, twoFactorRequired: true, parentId: true },
  });
  if (!org) throw new AppError('NOT_FOUND');
  const [row] = await prisma.$queryRaw<{ inherited: boolean }[]>`
    WITH RECURSIVE up AS (
      SELECT p.id, p.parent_id, p.two_factor_required FROM organizations p WHERE p.id = ${org.parentId}
      UNION
      SELECT p.id, p.parent_id, p.two_factor_required FROM organizations p JOIN up ON p.id = up.parent_id
    )
    SELECT EXISTS (SELECT 1 FROM up WHERE two_factor_required) AS inherited`;
  return { own: org.twoFactorRequired, inherited: !!row?.inherited, mayChange: mayRequire(actor) };
}

/**
 * The Organisatie page's switch: an organisation in the actor's scope (404 otherwise), by someone
 * who may (403 otherwise), written by the organisation's one settings command (`setSettings`).
 */
export async function requireTwoStep<T>(
  prisma: PrismaClient,
  setSettings: (orgId: number) => Promise<T>,
  actor: Actor,
  orgId: number,
): Promise<T> {
  const org = await prisma.organization.findFirst({
    where: { AND: [{ id: orgId }, scope.organizations(actor)] },
    select: { id: true },
  });
  if (!org) throw new AppError('NOT_FOUND');
  if (!mayRequire(actor)) throw new AppError('FORBIDDEN');
  return setSettings(org.id);
}
