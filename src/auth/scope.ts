import type { PrismaClient } from '../db/client.js';
import type { Actor } from './actor.js';

/** One organisation in a person's scope, as filters and forms list them. */
export interface ScopeOrg {
  id: number;
  name: string;
  parentId: number | null;
  active: boolean;
  mainContactId: number | null;
}

/** The organisations in the actor's scope (own, plus subsidiaries with SUBSIDIARY_ACCESS), by name. */
export function listScopeOrganizations(prisma: PrismaClient, actor: Actor): Promise<ScopeOrg[]> {
  return prisma.organization.findMany({
    where: { id: { in: actor.orgIds } },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
    select: { id: true, name: true, parentId: true, active: true, mainContactId: true },
  });
}
