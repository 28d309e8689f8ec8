import { Router } from 'express';
import type { AppDeps } from '../../deps.js';
import type { PrismaClient } from '../../db/client.js';
import type { Actor } from '../../auth/actor.js';
import { actorOf } from '../../auth/access.js';
import { guardFor } from '../../auth/pages.js';
import { Role } from '../../auth/roles.js';
import { scope } from '../../auth/scope.js';
import { recordAudit } from '../../audit.js';
import { AppError } from '../../http/errors.js';
import { flash } from '../../http/locals.js';
import { idParam } from '../../http/params.js';
import { formBody, str } from '../../http/validation.js';

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
  const org = await prisma.organization.findFirst({ where: { AND: [{ id: orgId }, scope.organizations(actor)] }, select: { id: true, twoFactorRequired: true, parentId: true } });
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

/** The Organisatie page's switch: require two-step login for this organisation and its subsidiaries. */
export function orgRequirementRoutes(deps: AppDeps): Router {
  const { prisma } = deps;
  const r = Router();

  // Below the Organisatie page, so its guard; who may switch it is the rule above (403 otherwise).
  r.post('/organisations/:id/two-step', guardFor('organisations'), async (req, res) => {
    const actor = actorOf(req);
    const id = idParam(req.params.id);
    const wanted = str(formBody(req).required) === 'on';
    const org = await prisma.organization.findFirst({ where: { AND: [{ id }, scope.organizations(actor)] }, select: { id: true, twoFactorRequired: true } });
    if (!org) throw new AppError('NOT_FOUND');
    if (!mayRequire(actor)) throw new AppError('FORBIDDEN');
    if (org.twoFactorRequired !== wanted) {
      await prisma.$transaction(async (tx) => {
        await tx.organization.update({ where: { id: org.id }, data: { twoFactorRequired: wanted } });
        await recordAudit(tx, {
          actor,
          kind: 'organization.two_factor_required_changed',
          organizationId: org.id,
          subjectType: 'organization',
          subjectId: org.id,
          before: { twoFactorRequired: org.twoFactorRequired },
          after: { twoFactorRequired: wanted },
          ip: req.ip ?? '',
        });
      });
    }
    flash(req, 'success', wanted ? 'security.org.nowRequired' : 'security.org.notRequired');
    res.redirect(`/organisations/${org.id}`);
  });

  return r;
}
