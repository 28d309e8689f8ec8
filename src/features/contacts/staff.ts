import { z } from 'zod';
import { recordAudit, type AuditActor } from '../../audit.js';
import { ROLES, type Role } from '../../auth/roles.js';
import { basicRolesFor } from '../../auth/web-access.js';
import { inTransaction, type PrismaClient, type Tx } from '../../db/client.js';
import { isUniqueViolation } from '../../db/errors.js';
import { refuse } from '../../http/errors.js';
import { contactFields } from '../../http/contact-fields.js';
import { fullName } from '../../auth/actor.js';
import { endOldAddress, newAddressData, type AddressChanger } from '../../auth/address-change.js';

/** Staff change an address on behalf of Vcare: the old address's notice says so. */
const STAFF: AddressChanger = { self: false, by: 'Vcare' };

/**
 * Vendor-side changes to contacts: the staff tool (`contact:add`) and the integration API use
 * these. The account rules are the contact form's: the e-mail address is unique across the
 * portal, web access needs an address, the main contact stays active with web access in its
 * organisation, a new address or web access off ends the person's sessions, and a new address
 * drops the password, SSO links and open links of the old one.
 */

const R = contactFields({
  lastNameRequired: 'must not be empty',
  tooLong: (max) => `must be at most ${max} characters`,
  email: 'not a valid e-mail address',
  phone: 'not a valid phone number (a Dutch one, or + and the country code)',
  mobile: 'not a valid mobile number (06 and eight digits, or + and the country code)',
});
/** Staff leave an option out rather than give it empty. */
const given = (s: z.ZodString) => s.min(1, 'must not be empty').optional();

/** The contact fields staff set: the contact form's rules (src/http/contact-fields.ts), in English. */
export const CONTACT_FIELDS = {
  lastName: R.lastName,
  firstName: given(R.firstName),
  initials: given(R.initials),
  infix: given(R.infix),
  gender: z.enum(['MALE', 'FEMALE', 'OTHER'], 'must be MALE, FEMALE or OTHER').optional(),
  email: given(R.email),
  phone: given(R.phone),
  mobile: given(R.mobile),
  language: z.enum(['nl', 'en'], 'must be nl or en').optional(),
};
type Fields = z.output<z.ZodObject<typeof CONTACT_FIELDS>>;

/** The newsletters and outage notices a contact receives ("Nieuwsbrieven & Storingsmeldingen"). */
export const SUBSCRIPTIONS = ['subscribeUpdate', 'subscribeCare', 'subscribeBusiness', 'subscribeFlash'] as const;
type Subscriptions = Partial<Record<(typeof SUBSCRIPTIONS)[number], boolean>>;

/** A contact to add. */
export type ContactAdd = Fields &
  Subscriptions & { organizationId: number; main: boolean; webAccess: boolean; roles: Role[] };
/** A change: only the fields given change; null clears an optional one. */
export type ContactPatch = Partial<{ [K in keyof Fields]: Fields[K] | null }> &
  Subscriptions & { active?: boolean; webAccess?: boolean; roles?: Role[] };

const inOrder = (roles: Iterable<Role>) => {
  const set = new Set(roles);
  return ROLES.filter((r) => set.has(r));
};

async function checkEmail(tx: Tx, address: string | null | undefined, exceptId?: number): Promise<void> {
  if (!address) return;
  const holder = await tx.contact.findUnique({ where: { email: address }, select: { id: true } });
  if (holder && holder.id !== exceptId)
    throw refuse('email', `already used by contact ${holder.id}`, { code: 'CONFLICT' });
}

/** A unique violation on the address (a race with another save) as the same refusal. */
const raced = (e: unknown): never => {
  if (isUniqueViolation(e)) throw refuse('email', 'already used by another contact', { code: 'CONFLICT' });
  throw e;
};

/** Adds a contact (optionally the organisation's main contact), with its audit events. */
export async function addContact(db: PrismaClient | Tx, input: ContactAdd, actor: AuditActor): Promise<{ id: number }> {
  if (input.webAccess && !input.email)
    throw refuse('webAccess', 'needs an e-mail address (the e-mail address is the username)');
  return inTransaction(db, async (tx) => {
    const org = await tx.organization.findUnique({
      where: { id: input.organizationId },
      select: { id: true, mainContactId: true },
    });
    if (!org) throw refuse('organizationId', `no organisation with id ${input.organizationId}`);
    await checkEmail(tx, input.email);
    const { main, ...fields } = input;
    // Web access means the person can log in: the basic roles come with it (src/auth/web-access.ts).
    const roles = [...input.roles, ...(input.webAccess ? basicRolesFor('staff', null) : [])];
    delete (fields as Partial<ContactAdd>).roles;
    const data = Object.fromEntries(
      Object.entries({ ...fields, email: fields.email ?? null }).map(([k, v]) => [k, v ?? null]),
    ) as Record<string, string | number | boolean | null>;
    const contact = await tx.contact
      .create({
        data: {
          ...(data as object),
          organizationId: org.id,
          webAccess: input.webAccess,
          roles: { create: inOrder(roles).map((role) => ({ role })) },
        } as never,
        select: { id: true },
      })
      .catch(raced);
    await recordAudit(tx, {
      actor,
      kind: 'contact.created',
      organizationId: org.id,
      subjectType: 'contact',
      subjectId: contact.id,
      after: { ...data, roles: inOrder(roles) },
    });
    if (main) {
      await tx.organization.update({
        where: { id: org.id },
        data: { mainContactId: contact.id, version: { increment: 1 } },
      });
      await recordAudit(tx, {
        actor,
        kind: 'organization.main_contact_set',
        organizationId: org.id,
        subjectType: 'organization',
        subjectId: org.id,
        before: { mainContactId: org.mainContactId },
        after: { mainContactId: contact.id },
      });
    }
    return contact;
  });
}

/** Changes a contact (call with its row locked), with the account rules above. */
export async function updateContactAsStaff(
  tx: Tx,
  id: number,
  patch: ContactPatch,
  actor: AuditActor,
  ctx: { now: Date; baseUrl: string },
): Promise<void> {
  const { now } = ctx;
  const cur = await tx.contact.findFirst({
    where: { id, deletedAt: null },
    include: { roles: true, organization: { select: { mainContactId: true } } },
  });
  if (!cur) throw refuse('id', `no contact with id ${id}`, { code: 'NOT_FOUND' });
  const isMain = cur.organization.mainContactId === id;
  const { roles: asked, ...fields } = patch;
  const next = { ...cur, ...fields };
  // Switching web access on gives the basic roles in the same step, unless the roles are set too.
  const roles =
    asked ??
    (!cur.webAccess && next.webAccess === true && !isMain
      ? [...cur.roles.map((r) => r.role), ...basicRolesFor('staff', null)]
      : undefined);
  if (isMain && next.active === false) throw refuse('active', 'the main contact stays active');
  if (isMain && next.webAccess === false) throw refuse('webAccess', 'the main contact keeps web access');
  if (next.webAccess && !next.email)
    throw refuse('webAccess', 'needs an e-mail address (the e-mail address is the username)');
  const emailChanged = fields.email !== undefined && fields.email !== cur.email;
  if (emailChanged) await checkEmail(tx, fields.email, id);
  const webOff = cur.webAccess && next.webAccess === false;
  const webOn = !cur.webAccess && next.webAccess === true;

  const before: Record<string, string | boolean | null> = {};
  const after: Record<string, string | boolean | null> = {};
  for (const [k, v] of Object.entries(fields)) {
    const was = (cur as Record<string, unknown>)[k] as string | boolean | null;
    if (v !== undefined && v !== was) {
      before[k] = was;
      after[k] = v;
    }
  }
  const heldBefore = inOrder(cur.roles.map((r) => r.role));
  const rolesChange = roles !== undefined && !isMain && inOrder(roles).join() !== heldBefore.join();
  if (!Object.keys(after).length && !rolesChange) return;

  await tx.contact
    .update({
      where: { id },
      data: {
        ...(fields as object),
        version: { increment: 1 },
        ...(webOff ? { sessionEpoch: { increment: 1 } } : {}),
        ...(emailChanged ? newAddressData(STAFF) : {}),
      },
    })
    .catch(raced);
  if (emailChanged) {
    await endOldAddress(tx, {
      contactId: id,
      oldEmail: cur.email,
      name: fullName(cur.firstName, cur.infix, cur.lastName),
      changer: STAFF,
      now,
      lang: 'nl',
      baseUrl: ctx.baseUrl,
    });
  }
  const audit = { actor, organizationId: cur.organizationId, subjectType: 'contact', subjectId: id } as const;
  if (Object.keys(after).length) await recordAudit(tx, { ...audit, kind: 'contact.updated', before, after });
  if (webOff)
    await recordAudit(tx, {
      ...audit,
      kind: 'contact.web_access_off',
      before: { webAccess: true },
      after: { webAccess: false },
    });
  if (webOn)
    await recordAudit(tx, {
      ...audit,
      kind: 'contact.web_access_on',
      before: { webAccess: false },
      after: { webAccess: true },
    });
  if (rolesChange) {
    await tx.contactRole.deleteMany({ where: { contactId: id } });
    // Another change of the same roles at the same moment may have put some back: no unique violation (a 500).
    await tx.contactRole.createMany({
      data: inOrder(roles).map((role) => ({ contactId: id, role })),
      skipDuplicates: true,
    });
    await recordAudit(tx, {
      ...audit,
      kind: 'contact.roles_changed',
      before: { roles: heldBefore },
      after: { roles: inOrder(roles) },
    });
  }
}
