import type { Prisma, PrismaClient } from '../../db/client.js';
import type { Actor } from '../../auth/actor.js';
import { hashPassword, verifyPassword } from '../../auth/passwords.js';
import { recordAudit } from '../../audit.js';
import { AppError } from '../../http/errors.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { ProfileInput } from './schema.js';
import { queueSecurityNotice } from '../../auth/security-notice.js';
import { endOldAddress, newAddressData, type AddressChanger } from '../../auth/address-change.js';
import { endSessions } from '../../auth/sessions.js';
import type { Locale } from '../../i18n/index.js';

/** What a change to the login (password, address) needs to tell the person and end their other sessions. */
export interface SecurityContext {
  ip: string;
  now: Date;
  lang: Locale;
  baseUrl: string;
  keepSid: string | null;
}

const profileFields = {
  id: true,
  lastName: true,
  firstName: true,
  initials: true,
  infix: true,
  gender: true,
  email: true,
  phone: true,
  mobile: true,
  privateStreet: true,
  privatePostcode: true,
  privateCity: true,
  privateCountry: true,
  language: true,
  subscribeUpdate: true,
  subscribeCare: true,
  subscribeBusiness: true,
  subscribeFlash: true,
  version: true,
  organization: { select: { name: true } },
} satisfies Prisma.ContactSelect;

/** The logged-in person's own data. */
export async function getProfile(prisma: PrismaClient, actor: Actor) {
  const me = await prisma.contact.findFirst({
    where: { id: actor.id, organizationId: actor.organizationId, deletedAt: null },
    select: profileFields,
  });
  if (!me) throw new AppError('NOT_FOUND');
  return me;
}
export type Profile = Awaited<ReturnType<typeof getProfile>>;

/** The fields of the form that are stored as they are (everything but the password and version). */
const EDITABLE = [
  'lastName',
  'firstName',
  'initials',
  'infix',
  'gender',
  'phone',
  'mobile',
  'privateStreet',
  'privatePostcode',
  'privateCity',
  'privateCountry',
  'language',
  'subscribeUpdate',
  'subscribeCare',
  'subscribeBusiness',
  'subscribeFlash',
] as const;

/** Why a profile save was refused (the form is shown again with the reason). */
export type ProfileRefusal = 'conflict' | 'emailTaken' | 'passwordRequired' | 'wrongPassword';

/**
 * Saves the person's own data. Changing the e-mail address changes the username, so it
 * needs the current password; the address must not belong to anyone else in the portal.
 * Another save since the form was opened (version) refuses this one. Changes are audited
 * with before and after of the changed fields only.
 */
export async function updateProfile(
  prisma: PrismaClient,
  actor: Actor,
  input: ProfileInput,
  opts: SecurityContext,
): Promise<{ ok: true; changed: boolean; epoch?: number } | { ok: false; reason: ProfileRefusal }> {
  const current = await prisma.contact.findFirst({
    where: { id: actor.id, organizationId: actor.organizationId, deletedAt: null },
    select: { ...profileFields, passwordHash: true },
  });
  if (!current) throw new AppError('NOT_FOUND');
  if (current.version !== input.version) return { ok: false, reason: 'conflict' };
  const emailChanged = current.email !== input.email;
  if (emailChanged) {
    if (!input.currentPassword) return { ok: false, reason: 'passwordRequired' };
    if (!(await verifyPassword(current.passwordHash, input.currentPassword)))
      return { ok: false, reason: 'wrongPassword' };
    // Every contact counts, in any organisation: the address is the username across the portal.
    if (
      await prisma.contact.findFirst({ where: { email: input.email, id: { not: actor.id } }, select: { id: true } })
    ) {
      return { ok: false, reason: 'emailTaken' };
    }
  }
  const before: Record<string, Prisma.InputJsonValue | null> = {};
  const after: Record<string, Prisma.InputJsonValue | null> = {};
  for (const k of EDITABLE) {
    if (current[k] !== input[k]) {
      before[k] = current[k];
      after[k] = input[k];
    }
  }
  if (!emailChanged && Object.keys(after).length === 0) return { ok: true, changed: false };
  const data: Prisma.ContactUpdateManyMutationInput = { version: { increment: 1 } };
  for (const k of EDITABLE) (data as Record<string, unknown>)[k] = input[k];
  const changer: AddressChanger = { self: true, keepSid: opts.keepSid };
  // A new username: every other session ends (the caller moves this one onto the new epoch).
  if (emailChanged) Object.assign(data, { email: input.email }, newAddressData(changer));
  try {
    return await prisma.$transaction(async (tx) => {
      // The version in the WHERE makes the check and the write one step (no lost update).
      const [saved] = await tx.contact.updateManyAndReturn({
        where: { id: actor.id, version: input.version, deletedAt: null },
        data,
        select: { sessionEpoch: true },
      });
      if (!saved) return { ok: false as const, reason: 'conflict' as const };
      const base = {
        actor,
        organizationId: actor.organizationId,
        subjectType: 'contact',
        subjectId: actor.id,
        ip: opts.ip,
      };
      if (Object.keys(after).length) await recordAudit(tx, { ...base, kind: 'profile.updated', before, after });
      if (emailChanged) {
        await recordAudit(tx, {
          ...base,
          kind: 'profile.email_changed',
          before: { email: current.email },
          after: { email: input.email },
        });
        await endOldAddress(tx, {
          contactId: actor.id,
          oldEmail: current.email,
          name: actor.displayName,
          changer,
          now: opts.now,
          lang: opts.lang,
          baseUrl: opts.baseUrl,
        });
        return { ok: true as const, changed: true, epoch: saved.sessionEpoch };
      }
      return { ok: true as const, changed: true };
    });
  } catch (err) {
    if (isUniqueViolation(err)) return { ok: false, reason: 'emailTaken' };
    throw err;
  }
}

/**
 * "PIM Wachtwoord wijzigen": checks the current password, stores the new one, spends any
 * open reset link and bumps the session epoch, which ends every other session of the
 * person. Returns the new epoch (the caller moves this session onto it), or null for a
 * wrong current password (nothing changed).
 */
export async function changePassword(
  prisma: PrismaClient,
  actor: Actor,
  opts: SecurityContext & { current: string; password: string },
): Promise<{ epoch: number } | null> {
  const me = await prisma.contact.findFirst({
    where: { id: actor.id, deletedAt: null },
    select: { passwordHash: true },
  });
  if (!me || !(await verifyPassword(me.passwordHash, opts.current))) return null;
  const hash = await hashPassword(opts.password);
  return prisma.$transaction(async (tx) => {
    // Only over the password just checked: a change elsewhere in between wins, this one is refused.
    const [saved] = await tx.contact.updateManyAndReturn({
      where: { id: actor.id, passwordHash: me.passwordHash },
      data: { passwordHash: hash, passwordChangedAt: opts.now, sessionEpoch: { increment: 1 } },
      select: { sessionEpoch: true },
    });
    if (!saved) return null;
    await tx.passwordToken.updateMany({ where: { contactId: actor.id, usedAt: null }, data: { usedAt: opts.now } });
    await recordAudit(tx, {
      actor,
      kind: 'password.changed',
      organizationId: actor.organizationId,
      subjectType: 'contact',
      subjectId: actor.id,
      ip: opts.ip,
    });
    await queueSecurityNotice(tx, {
      contactId: actor.id,
      to: actor.email,
      name: actor.displayName,
      change: 'password',
      now: opts.now,
      lang: opts.lang,
      baseUrl: opts.baseUrl,
    });
    await endSessions(tx, actor.id, opts.keepSid);
    return { epoch: saved.sessionEpoch };
  });
}
