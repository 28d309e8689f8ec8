import { z } from 'zod';
import { recordAudit, type AuditActor } from '../../audit.js';
import { inTransaction, type PrismaClient, type Tx } from '../../db/client.js';
import { einvoiceFormat, email, kvkNumber, oin, peppolId, phone, text } from '../../http/fields.js';
import { refuse } from '../../http/errors.js';
import { setOrganisationSettings } from './settings.js';

/**
 * Vendor-side changes to organisations: the staff tool (`org:add`) and the integration API use
 * these, so a rule (a parent must exist, no loops in the tree) holds at every door.
 */

/** The organisation fields staff set, with their rules. The address is both postal and visiting address. */
export const ORGANIZATION_FIELDS = {
  name: text(),
  street: text().optional(),
  postcode: text(20).optional(),
  city: text().optional(),
  country: text(100).optional(),
  phone: phone.optional(),
  fax: phone.optional(),
  email: email.optional(),
  // E-invoicing (issue 21): the buyer's legal identifiers, its Peppol address and the format.
  kvkNumber: kvkNumber.optional(),
  oin: oin.optional(),
  peppolId: peppolId.optional(),
  einvoiceFormat: einvoiceFormat.optional(),
};

type Fields = z.output<z.ZodObject<typeof ORGANIZATION_FIELDS>>;
/** An organisation to add. */
export type OrganizationInput = Fields & { parentId: number | null; reportsInContract: boolean };
/** A change: only the fields given change; null clears an optional one. */
export type OrganizationPatch = Partial<{ [K in keyof Fields]: Fields[K] | null }> & {
  parentId?: number | null;
  active?: boolean;
  reportsInContract?: boolean;
};

function columns(p: OrganizationPatch) {
  const out: Record<string, unknown> = {};
  if (p.name !== undefined) out.name = p.name;
  for (const [from, to] of [
    ['street', 'Street'],
    ['postcode', 'Postcode'],
    ['city', 'City'],
    ['country', 'Country'],
  ] as const) {
    if (p[from] !== undefined) {
      out[`postal${to}`] = p[from];
      out[`visit${to}`] = p[from];
    }
  }
  for (const k of ['phone', 'fax', 'email', 'kvkNumber', 'oin', 'peppolId', 'parentId', 'active'] as const)
    if (p[k] !== undefined) out[k] = p[k];
  if (p.einvoiceFormat !== undefined) out.einvoiceNlcius = p.einvoiceFormat === 'nlcius';
  return out;
}

/** NLCIUS (BR-NL-10) names the buyer by its KvK number or OIN: refused without either. */
function checkNlcius(o: Record<string, unknown>): void {
  if (o.einvoiceNlcius === true && !o.kvkNumber && !o.oin)
    throw refuse('einvoiceFormat', 'NLCIUS needs the KvK number or the OIN of the organisation (BR-NL-10)');
}

/** Adds an organisation (a subsidiary when it has a parent), with its audit event. */
export async function createOrganization(
  db: PrismaClient | Tx,
  input: OrganizationInput,
  actor: AuditActor,
): Promise<{ id: number; name: string }> {
  return inTransaction(db, async (tx) => {
    if (
      input.parentId !== null &&
      !(await tx.organization.findUnique({ where: { id: input.parentId }, select: { id: true } }))
    ) {
      throw refuse('parentId', `no organisation with id ${input.parentId}`);
    }
    const data = {
      ...columns({
        ...input,
        phone: input.phone ?? null,
        fax: input.fax ?? null,
        email: input.email ?? null,
        kvkNumber: input.kvkNumber ?? null,
        oin: input.oin ?? null,
        peppolId: input.peppolId ?? null,
        einvoiceFormat: input.einvoiceFormat ?? 'peppol',
      }),
      name: input.name,
      postalStreet: input.street ?? null,
      postalPostcode: input.postcode ?? null,
      postalCity: input.city ?? null,
      postalCountry: input.country ?? null,
      visitStreet: input.street ?? null,
      visitPostcode: input.postcode ?? null,
      visitCity: input.city ?? null,
      visitCountry: input.country ?? null,
      parentId: input.parentId,
      // A new organisation's setting is part of its creation (one event), not a change of it.
      reportsInContract: input.reportsInContract,
    };
    checkNlcius(data);
    const created = await tx.organization.create({ data, select: { id: true, name: true } });
    await recordAudit(tx, {
      actor,
      kind: 'organization.created',
      organizationId: created.id,
      subjectType: 'organization',
      subjectId: created.id,
      after: data,
    });
    return created;
  });
}

/** Changes an organisation (call with its row locked); refuses a parent that does not exist or lies below it. */
export async function updateOrganization(
  tx: Tx,
  id: number,
  patch: OrganizationPatch,
  actor: AuditActor,
): Promise<void> {
  if (patch.parentId !== undefined && patch.parentId !== null) {
    if (patch.parentId === id) throw refuse('parentId', 'an organisation cannot be its own parent');
    const ancestors = await tx.$queryRaw<{ id: number }[]>`
      WITH RECURSIVE up AS (SELECT id, parent_id FROM organizations WHERE id = ${patch.parentId}
        UNION SELECT o.id, o.parent_id FROM organizations o JOIN up ON o.id = up.parent_id)
      SELECT id FROM up`;
    if (!ancestors.length) throw refuse('parentId', `no organisation with id ${patch.parentId}`);
    if (ancestors.some((a) => a.id === id))
      throw refuse('parentId', `organisation ${patch.parentId} lies below this one`);
  }
  // Reports in the contract are a setting, written with its own event by the one settings command.
  if (patch.reportsInContract !== undefined)
    await setOrganisationSettings(tx, actor, id, { reportsInContract: patch.reportsInContract });
  const data = columns(patch);
  const before = await tx.organization.findUniqueOrThrow({ where: { id } });
  checkNlcius({ ...before, ...data });
  const changed = Object.keys(data).filter((k) => (before as Record<string, unknown>)[k] !== data[k]);
  if (!changed.length) return;
  await tx.organization.update({ where: { id }, data: { ...data, version: { increment: 1 } } });
  const pick = (o: Record<string, unknown>) =>
    Object.fromEntries(changed.map((k) => [k, (o[k] ?? null) as string | number | boolean | null]));
  await recordAudit(tx, {
    actor,
    kind: 'organization.updated',
    organizationId: id,
    subjectType: 'organization',
    subjectId: id,
    before: pick(before),
    after: pick(data),
  });
}
