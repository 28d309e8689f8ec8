import type { PrismaClient, Tx } from '../../db/client.js';
import { fullName, type Actor } from '../../auth/actor.js';
import { endOldAddress, newAddressData, type AddressChanger } from '../../auth/address-change.js';
import { mayPick, scope } from '../../auth/scope.js';
import type { Role } from '../../auth/roles.js';
import { addressCheckRules, releaseAttempt, takeAttempt } from '../../auth/throttle.js';
import { giveBasicRoles } from '../../auth/web-access.js';
import { recordAudit } from '../../audit.js';
import { AppError } from '../../http/errors.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { FieldErrors } from '../../http/validation.js';
import type { Locale } from '../../i18n/index.js';
import { queueInvitation, type InvitationResult } from './invitation.js';
import { getContact, type ContactDetails } from './queries.js';
import type { ContactInput } from './schema.js';

/** What a change needs besides the actor and the input. */
export interface ChangeContext {
  now: Date;
  baseUrl: string;
  lang: Locale;
  ip: string;
  /** The basic roles left ticked on the form for web access (null: the rule's default, both). */
  basicRoles?: ReadonlySet<Role> | null;
}

/** What switching web access on did: the basic roles given, and whether the invitation went out. */
export interface WebAccessOutcome {
  rolesGiven: Role[];
  invitation: InvitationResult;
}

/** The result of a form submit: saved (with the id, and what web access did) or field errors to show. */
export type SaveResult = { ok: true; id: number; access?: WebAccessOutcome } | { ok: false; errors: FieldErrors };

type Data = Omit<ContactInput, 'organizationId'> & { organizationId: number };

/** Changes to the stored form (JSON for the audit trail). */
function auditable(d: Partial<Data>): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(d)) out[k] = v instanceof Date ? v.toISOString().slice(0, 10) : v;
  return out;
}

async function emailTaken(db: Tx, email: string | null, exceptId?: number): Promise<boolean> {
  if (!email) return false;
  const holder = await db.contact.findUnique({ where: { email }, select: { id: true } });
  return !!holder && holder.id !== exceptId;
}

/**
 * Runs a save; a unique violation on the e-mail address (a race with another save) becomes a
 * field error. "Address in use" answers are counted per manager (addressCheckRules): a save that
 * names an address takes an attempt before the check (so parallel saves get no more answers than
 * the limit) and gives it back when the answer was not "in use"; past the limit the form says to
 * try later instead of answering.
 */
async function saving(
  prisma: PrismaClient,
  actor: Actor,
  now: Date,
  email: string | null,
  body: (tx: Tx) => Promise<SaveResult>,
): Promise<SaveResult> {
  const rules = addressCheckRules(actor.id);
  // Without an address there is nothing to probe: such a save is neither counted nor refused.
  if (email && !(await takeAttempt(prisma, rules, now)).allowed)
    return { ok: false, errors: { email: 'contacts.errors.tooManyAddressChecks' } };
  let result: SaveResult;
  try {
    result = await prisma.$transaction(body);
  } catch (e) {
    if (!isUniqueViolation(e)) {
      if (email) await releaseAttempt(prisma, rules);
      throw e;
    }
    result = { ok: false, errors: { email: 'contacts.errors.emailTaken' } };
  }
  if (email && (result.ok || result.errors.email !== 'contacts.errors.emailTaken')) await releaseAttempt(prisma, rules);
  return result;
}

/**
 * Adds a contact (Toevoegen, or Kopiëren with `copiedFrom`): into an organisation in the
 * actor's scope, with a portal-wide unique e-mail address. Web access with an address
 * queues the invitation mail in the same transaction.
 */
export async function createContact(
  prisma: PrismaClient,
  actor: Actor,
  input: ContactInput,
  ctx: ChangeContext,
  copiedFrom?: number,
): Promise<SaveResult> {
  if (!mayPick(actor, input.organizationId))
    return { ok: false, errors: { organizationId: 'contacts.errors.organizationRequired' } };
  return saving(prisma, actor, ctx.now, input.email, async (tx) => {
    if (copiedFrom !== undefined) await getContact(tx, actor, copiedFrom);
    if (await emailTaken(tx, input.email)) return { ok: false, errors: { email: 'contacts.errors.emailTaken' } };
    const created = await tx.contact.create({ data: input, select: { id: true } });
    await recordAudit(tx, {
      actor,
      kind: copiedFrom === undefined ? 'contact.created' : 'contact.copied',
      organizationId: input.organizationId,
      subjectType: 'contact',
      subjectId: created.id,
      before: copiedFrom === undefined ? null : { copiedFrom },
      after: auditable(input),
      ip: ctx.ip,
    });
    const access =
      input.webAccess && input.email
        ? await giveWebAccess(tx, actor, created.id, input.organizationId, ctx)
        : undefined;
    return { ok: true, id: created.id, access };
  });
}

/**
 * Web access on, in the change's transaction: the basic roles by the rule of
 * src/auth/web-access.ts, then the invitation, which goes out only when the rule lets the
 * person in (so never without PORTAL_ACCESS).
 */
async function giveWebAccess(
  tx: Tx,
  actor: Actor,
  id: number,
  organizationId: number,
  ctx: ChangeContext,
): Promise<WebAccessOutcome> {
  const rolesGiven = await giveBasicRoles(tx, id, { roles: actor.roles }, ctx.basicRoles ?? null);
  await recordAudit(tx, {
    actor,
    kind: 'contact.web_access_on',
    organizationId,
    subjectType: 'contact',
    subjectId: id,
    before: { webAccess: false },
    after: { webAccess: true, roles: rolesGiven },
    ip: ctx.ip,
  });
  const invitation = await queueInvitation(tx, id, { now: ctx.now, baseUrl: ctx.baseUrl, actor, ip: ctx.ip });
  return { rolesGiven, invitation };
}

/**
 * True when the contact holds a role the actor does not: then the actor may not take over or
 * shut out that account (change its address, deactivate it, turn off its web access, move or
 * delete it) — the same "nobody exceeds their own roles" rule as for granting roles.
 */
function outranks(cur: ContactDetails, actor: Actor): boolean {
  return cur.roles.some((r) => !actor.roles.has(r));
}

/** Field errors for account changes the actor may not make on this contact. */
function accountGuard(cur: ContactDetails, actor: Actor, input: ContactInput): FieldErrors {
  const errors: FieldErrors = {};
  const emailChanges = input.email !== cur.email;
  const deactivates = cur.active && !input.active;
  const webOff = cur.webAccess && !input.webAccess;
  const moves = input.organizationId !== cur.organizationId;
  if (cur.isMain) {
    if (moves) errors.organizationId = 'contacts.errors.mainOrganization';
    if (!input.active) errors.active = 'contacts.errors.mainActive';
    if (!input.webAccess) errors.webAccess = 'contacts.errors.mainWebAccess';
    if (emailChanges && cur.id !== actor.id) errors.email = 'contacts.errors.mainEmail';
  }
  if (cur.id === actor.id) {
    if (emailChanges) errors.email ??= 'contacts.errors.ownEmail';
    if (deactivates) errors.active ??= 'contacts.errors.selfActive';
    if (webOff) errors.webAccess ??= 'contacts.errors.selfActive';
  } else if (outranks(cur, actor)) {
    if (emailChanges) errors.email ??= 'contacts.errors.stronger';
    if (deactivates) errors.active ??= 'contacts.errors.stronger';
    if (webOff) errors.webAccess ??= 'contacts.errors.stronger';
    if (moves) errors.organizationId ??= 'contacts.errors.stronger';
  }
  return errors;
}

/**
 * Saves an edit made from `version`. Refused with CONFLICT (409) when someone else saved in
 * between: their change stays. The main contact stays active, with web access, in its
 * organisation. Web access on queues the invitation; off ends the person's sessions.
 */
export async function updateContact(
  prisma: PrismaClient,
  actor: Actor,
  id: number,
  version: number,
  input: ContactInput,
  ctx: ChangeContext,
): Promise<SaveResult> {
  return saving(prisma, actor, ctx.now, input.email, async (tx) => {
    const cur = await getContact(tx, actor, id);
    if (cur.version !== version) throw new AppError('CONFLICT', 'contacts.conflict');
    const errors = accountGuard(cur, actor, input);
    if (!mayPick(actor, input.organizationId)) errors.organizationId = 'contacts.errors.organizationRequired';
    if (!errors.email && (await emailTaken(tx, input.email, id))) errors.email = 'contacts.errors.emailTaken';
    if (Object.keys(errors).length) return { ok: false, errors };

    const before: Partial<Data> = {};
    const after: Partial<Data> = {};
    for (const key of Object.keys(input) as (keyof Data)[]) {
      const was = cur[key] instanceof Date ? (cur[key] as Date).getTime() : cur[key];
      const now = input[key] instanceof Date ? (input[key] as Date).getTime() : input[key];
      if (was !== now) {
        (before as Record<string, unknown>)[key] = cur[key];
        (after as Record<string, unknown>)[key] = input[key];
      }
    }
    const webOff = cur.webAccess && !input.webAccess;
    // A new address is a new username: whatever proved the old one (password, SSO links, open
    // links, sessions) no longer counts; with web access the new address gets an invitation.
    const emailChanged = input.email !== cur.email;
    const changer: AddressChanger = { self: false, by: actor.displayName };
    // The version in the WHERE makes the check and the write one step: a save in between wins.
    const saved = await tx.contact.updateMany({
      where: { id, version, ...scope.contacts(actor) },
      data: {
        ...input,
        version: { increment: 1 },
        ...(webOff ? { sessionEpoch: { increment: 1 } } : {}),
        ...(emailChanged ? newAddressData(changer) : {}),
      },
    });
    if (saved.count !== 1) throw new AppError('CONFLICT', 'contacts.conflict');
    if (emailChanged) {
      await endOldAddress(tx, {
        contactId: id,
        oldEmail: cur.email,
        name: fullName(cur.firstName, cur.infix, cur.lastName),
        changer,
        now: ctx.now,
        lang: ctx.lang,
        baseUrl: ctx.baseUrl,
      });
    }
    if (Object.keys(after).length) {
      await recordAudit(tx, {
        actor,
        kind: 'contact.updated',
        organizationId: input.organizationId,
        subjectType: 'contact',
        subjectId: id,
        before: auditable(before),
        after: auditable(after),
        ip: ctx.ip,
      });
    }
    let access: WebAccessOutcome | undefined;
    if (input.webAccess && input.email) {
      if (!cur.webAccess) access = await giveWebAccess(tx, actor, id, input.organizationId, ctx);
      // A new address, or a person switched back to active who never set a password: the
      // invitation (again), if the rule lets them in.
      else if (emailChanged || (!cur.active && input.active && !cur.hasCredential)) {
        access = {
          rolesGiven: [],
          invitation: await queueInvitation(tx, id, { now: ctx.now, baseUrl: ctx.baseUrl, actor, ip: ctx.ip }),
        };
      }
    }
    if (webOff) {
      await recordAudit(tx, {
        actor,
        kind: 'contact.web_access_off',
        organizationId: input.organizationId,
        subjectType: 'contact',
        subjectId: id,
        before: { webAccess: true },
        after: { webAccess: false },
        ip: ctx.ip,
      });
    }
    return { ok: true, id, access };
  });
}

/**
 * Deletes a contact softly: the row stays (tickets, notes and the audit trail keep pointing at
 * it) but is gone from every page. Its e-mail address is freed, password, roles, SSO links and
 * open links removed, web access off and every session ended. The main contact and the
 * person themselves cannot be deleted.
 */
export async function deleteContact(prisma: PrismaClient, actor: Actor, id: number, ctx: ChangeContext): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const cur = await getContact(tx, actor, id);
    if (cur.isMain) throw new AppError('FORBIDDEN', 'contacts.errors.mainDelete');
    if (cur.id === actor.id) throw new AppError('FORBIDDEN', 'contacts.errors.selfDelete');
    if (outranks(cur, actor)) throw new AppError('FORBIDDEN', 'contacts.errors.stronger');
    await tx.contact.updateMany({
      where: { id, ...scope.contacts(actor) },
      data: {
        deletedAt: ctx.now,
        email: null,
        passwordHash: null,
        webAccess: false,
        reportMailOptIn: false,
        sessionEpoch: { increment: 1 },
        version: { increment: 1 },
      },
    });
    await tx.contactRole.deleteMany({ where: { contactId: id } });
    await tx.externalLogin.deleteMany({ where: { contactId: id } });
    await tx.passwordToken.updateMany({ where: { contactId: id, usedAt: null }, data: { usedAt: ctx.now } });
    await recordAudit(tx, {
      actor,
      kind: 'contact.deleted',
      organizationId: cur.organizationId,
      subjectType: 'contact',
      subjectId: id,
      before: {
        lastName: cur.lastName,
        firstName: cur.firstName,
        infix: cur.infix,
        email: cur.email,
        webAccess: cur.webAccess,
        roles: cur.roles,
      },
      after: { deleted: true },
      ip: ctx.ip,
    });
  });
}
