import type { AuditActor } from '../../audit.js';
import type { Actor } from '../../auth/actor.js';
import { scope } from '../../auth/scope.js';
import { inTransaction, type PrismaClient, type Tx } from '../../db/client.js';
import { AppError } from '../../http/errors.js';
import { likeEscape, type ListQuery } from '../../http/list.js';
import { pageWhere, type ListQueryInput } from '../../api/define.js';
import { clientOf, type Precondition, type ServiceDeps } from '../../services.js';
import { getOrganisation, listOrganisations, organisationOverview, type OrgFilters, type OrgSort } from './service.js';
import { setOrganisationSettings, type OrganisationSettings, type SettingsOptions } from './settings.js';
import { createOrganization, updateOrganization, type OrganizationInput, type OrganizationPatch } from './staff.js';

/** Locks an organisation's row and lets the caller check it as it is (the API's If-Match). */
async function lockOrganisation(tx: Tx, id: number, precondition?: Precondition): Promise<void> {
  const rows = await tx.$queryRaw<
    { version: number; updated_at: Date }[]
  >`SELECT version, updated_at FROM organizations WHERE id = ${id} FOR UPDATE`;
  if (!rows[0]) throw new AppError('NOT_FOUND', undefined, { detail: `No organisation ${id}` });
  precondition?.({ version: rows[0].version, updatedAt: rows[0].updated_at });
}

/** An organisation as the API reads it (its scope), or NOT_FOUND. */
async function organisationForApi(db: PrismaClient | Tx, id: number) {
  const o = await db.organization.findFirst({ where: { id, ...scope.api.organizations() } });
  if (!o) throw new AppError('NOT_FOUND', undefined, { detail: `No organisation ${id}` });
  return o;
}

/** Organisations as the doors see them: the customer's pages, the staff tool and the API. */
export function organisationServices(deps: ServiceDeps) {
  const { db, pool } = deps;
  return {
    /** The actor's organisations, one page (on the pool when there is one). */
    list: (actor: Actor, list: ListQuery<OrgSort>, filters: OrgFilters) =>
      listOrganisations(clientOf(db), actor, list, filters, pool),
    /** One organisation in the actor's scope, with its subsidiaries. */
    get: (actor: Actor, id: number) => getOrganisation(clientOf(db), actor, id),
    /** The overview (CSV, PDF) of an organisation in the actor's scope. */
    overview: (actor: Actor, id: number) => organisationOverview(clientOf(db), actor, id),
    /** Staff or API: adds an organisation. */
    create: (who: AuditActor, input: OrganizationInput) => createOrganization(db, input, who),
    /** Staff or API: changes an organisation, its row locked (and checked by `precondition`). */
    update: (who: AuditActor, id: number, patch: OrganizationPatch, opts: { precondition?: Precondition } = {}) =>
      inTransaction(db, async (tx) => {
        await lockOrganisation(tx, id, opts.precondition);
        await updateOrganization(tx, id, patch, who);
      }),
    /**
     * The organisation's switches (two-step login, SSO, reports in the contract): every door writes them
     * here; with two-step login required it can also end the password-only sessions.
     */
    setSettings: (who: AuditActor, orgId: number, settings: OrganisationSettings, opts: SettingsOptions = {}) =>
      setOrganisationSettings(db, who, orgId, settings, opts),
    /** The API: one organisation. */
    getForApi: (id: number) => organisationForApi(db, id),
    /**
     * The API: one page of organisations in the order of their
     * last change (one more row than asked: the next page's sign).
     */
    pageForApi: (q: ListQueryInput) => {
      const page = pageWhere(q);
      return db.organization.findMany({ ...page, where: { AND: [...page.where.AND, scope.api.organizations()] } });
    },
    /** The staff tool: every organisation (optionally those whose name contains `search`), by name. */
    listForStaff: (search?: string) =>
      db.organization.findMany({
        where: search ? { name: { contains: likeEscape(search), mode: 'insensitive' } } : {},
        orderBy: [{ name: 'asc' }, { id: 'asc' }],
        select: { id: true, name: true, parentId: true, active: true },
      }),
  };
}

/** The organisation services' type, for the services built on them. */
export type OrganisationServices = ReturnType<typeof organisationServices>;
