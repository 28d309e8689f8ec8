import type { PrismaClient } from '../../db/client.js';
import { fullName, loadActor, type Actor } from '../../auth/actor.js';
import { queueMail } from '../../mail/outbox.js';
import type { Locale } from '../../i18n/index.js';
import { recordAudit } from '../../audit.js';
import type { AuditKind } from '../../audit-kinds.js';
import { AppError } from '../../http/errors.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { LoginProvider } from '../../generated/prisma/enums.js';

export type Provider = LoginProvider;

/** Who the provider says signed in: its immutable subject and, when it vouches for it, the e-mail. */
export interface ProviderIdentity {
  provider: Provider;
  /** Entra: "<tid>:<oid>"; Google: "sub". Never the e-mail, which can change or be reused. */
  subject: string;
  email: string | null;
  /** True only when the provider vouches that the person owns the address. */
  emailVerified: boolean;
}

/**
 * Why an SSO login is refused (each has a message the person can act on):
 * - unverifiedEmail: the provider did not vouch for an e-mail address, so nothing can be linked;
 * - noAccount: no contact has this address;
 * - noAccess: the contact may not log in (inactive, web access off, no PORTAL_ACCESS, organisation inactive);
 * - alreadyLinked: the contact already has another login of this provider (unlink it first);
 * - cancelled: the person stopped at the provider;
 * - failed: the answer from the provider did not check out (state, code, token).
 */
export type SsoRefusal = 'unverifiedEmail' | 'noAccount' | 'noAccess' | 'alreadyLinked' | 'cancelled' | 'failed';

export type SsoOutcome = { actor: Actor; linked: boolean } | { refused: SsoRefusal };

/**
 * Turns a provider identity into a logged-in actor, or a refusal. SSO never creates a person:
 * - a known (provider, subject) logs in its linked contact, whatever the e-mail says today;
 * - otherwise the first login links to the one contact whose address equals the provider's
 *   verified e-mail and who may log in, by the same rules as the password login.
 * Every outcome is an audit event.
 */
export async function resolveSsoLogin(
  prisma: PrismaClient,
  id: ProviderIdentity,
  opts: { now: Date; ip: string },
): Promise<SsoOutcome> {
  const link = await prisma.externalLogin.findUnique({
    where: { provider_subject: { provider: id.provider, subject: id.subject } },
    select: { id: true, contact: { select: { id: true, sessionEpoch: true, organizationId: true, deletedAt: true } } },
  });
  if (link) {
    const actor = link.contact.deletedAt ? null : await loadActor(prisma, link.contact.id, link.contact.sessionEpoch);
    if (!actor)
      return refuse(prisma, id, 'noAccess', opts.ip, {
        contactId: link.contact.id,
        organizationId: link.contact.organizationId,
      });
    await prisma.$transaction(async (tx) => {
      await tx.externalLogin.update({ where: { id: link.id }, data: { lastUsedAt: opts.now, email: id.email } });
      await tx.contact.update({ where: { id: actor.id }, data: { lastLoginAt: opts.now } });
      await recordAudit(tx, loginEvent(actor, id, 'sso.login', opts.ip));
    });
    return { actor, linked: false };
  }

  const email = id.email?.trim().toLowerCase();
  if (!email || !id.emailVerified) return refuse(prisma, id, 'unverifiedEmail', opts.ip);
  const contact = await prisma.contact.findFirst({
    where: { email, deletedAt: null },
    select: { id: true, sessionEpoch: true, organizationId: true },
  });
  if (!contact) return refuse(prisma, id, 'noAccount', opts.ip);
  const who = { contactId: contact.id, organizationId: contact.organizationId };
  const actor = await loadActor(prisma, contact.id, contact.sessionEpoch);
  if (!actor) return refuse(prisma, id, 'noAccess', opts.ip, who);
  try {
    const linked = await prisma.$transaction(async (tx) => {
      // One login per provider per person: a second account at the same provider claiming the
      // same address is refused rather than silently added beside the first.
      const other = await tx.externalLogin.findFirst({
        where: { contactId: contact.id, provider: id.provider },
        select: { id: true },
      });
      if (other) return false;
      const created = await tx.externalLogin.create({
        data: {
          contactId: contact.id,
          provider: id.provider,
          subject: id.subject,
          email,
          createdAt: opts.now,
          lastUsedAt: opts.now,
        },
        select: { id: true },
      });
      await recordAudit(tx, {
        ...loginEvent(actor, id, 'sso.linked', opts.ip),
        subjectType: 'external_login',
        subjectId: created.id,
      });
      await tx.contact.update({ where: { id: actor.id }, data: { lastLoginAt: opts.now } });
      await recordAudit(tx, loginEvent(actor, id, 'sso.login', opts.ip));
      return true;
    });
    if (!linked) return refuse(prisma, id, 'alreadyLinked', opts.ip, who);
  } catch (e) {
    // The same subject linked by a concurrent first login: let the person simply try again.
    if (isUniqueViolation(e)) return refuse(prisma, id, 'failed', opts.ip, who, 'concurrent link');
    throw e;
  }
  return { actor, linked: true };
}

function loginEvent(actor: Actor, id: ProviderIdentity, kind: AuditKind, ip: string) {
  return {
    actor,
    kind,
    organizationId: actor.organizationId,
    subjectType: 'contact',
    subjectId: actor.id,
    after: { provider: id.provider, subject: id.subject, email: id.email },
    ip,
  };
}

/** Records a refused SSO login (audit event `sso.refused`) and returns the refusal. */
export async function refuse(
  prisma: PrismaClient,
  id: Pick<ProviderIdentity, 'provider'> & Partial<ProviderIdentity>,
  reason: SsoRefusal,
  ip: string,
  who: { contactId?: number; organizationId?: number } = {},
  detail?: string,
): Promise<{ refused: SsoRefusal }> {
  await recordAudit(prisma, {
    actor: 'system',
    kind: 'sso.refused',
    organizationId: who.organizationId ?? null,
    subjectType: 'contact',
    subjectId: who.contactId ?? null,
    after: {
      provider: id.provider,
      reason,
      subject: id.subject ?? null,
      email: id.email ?? null,
      ...(detail ? { detail: detail.slice(0, 300) } : {}),
    },
    ip,
  });
  return { refused: reason };
}

/** A linked login as the personal page shows it. */
export interface LinkedLogin {
  id: number;
  provider: Provider;
  email: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** The actor's own linked logins, oldest first. */
export async function listLinkedLogins(prisma: PrismaClient, actor: Actor): Promise<LinkedLogin[]> {
  return prisma.externalLogin.findMany({
    where: { contactId: actor.id },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { id: true, provider: true, email: true, createdAt: true, lastUsedAt: true },
  });
}

/** Removes one of the actor's own linked logins; another person's link is simply not found. */
export async function unlinkOwnLogin(
  prisma: PrismaClient,
  actor: Actor,
  loginId: number,
  ip: string,
): Promise<Provider> {
  return prisma.$transaction(async (tx) => {
    const gone = await tx.externalLogin.findFirst({
      where: { id: loginId, contactId: actor.id },
      select: { id: true, provider: true, subject: true, email: true },
    });
    if (!gone) throw new AppError('NOT_FOUND');
    await tx.externalLogin.delete({ where: { id: gone.id } });
    await recordAudit(tx, {
      actor,
      kind: 'sso.unlinked',
      organizationId: actor.organizationId,
      subjectType: 'external_login',
      subjectId: gone.id,
      before: { contactId: actor.id, provider: gone.provider, subject: gone.subject, email: gone.email },
      ip,
    });
    return gone.provider;
  });
}

/** Whether the person's organisation requires Microsoft 365 or Google login (no password). */
export async function ssoRequiredFor(prisma: PrismaClient, organizationId: number): Promise<boolean> {
  const org = await prisma.organization.findUnique({ where: { id: organizationId }, select: { ssoRequired: true } });
  return org?.ssoRequired ?? false;
}

/** Records a correct password refused because the organisation requires SSO (audit `login.refused_sso_required`). */
export async function refusePasswordForSso(prisma: PrismaClient, actor: Actor, ip: string): Promise<void> {
  await recordAudit(prisma, {
    actor: 'system',
    kind: 'login.refused_sso_required',
    organizationId: actor.organizationId,
    subjectType: 'contact',
    subjectId: actor.id,
    ip,
  });
}

/**
 * Instead of a reset link, mails a person whose organisation requires SSO which button to
 * use (audit `password.reset_refused_sso_required`). The forgot-password page answers the
 * same either way.
 */
export async function mailSsoRequired(
  prisma: PrismaClient,
  contact: {
    id: number;
    email: string;
    firstName: string | null;
    infix: string | null;
    lastName: string;
    organizationId: number;
    language: Locale;
  },
  opts: { baseUrl: string; ip: string },
): Promise<void> {
  const providers = await prisma.externalLogin.findMany({
    where: { contactId: contact.id },
    select: { provider: true },
  });
  await prisma.$transaction(async (tx) => {
    await queueMail(tx, {
      to: contact.email,
      lang: contact.language,
      template: 'sso-required',
      params: {
        name: fullName(contact.firstName, contact.infix, contact.lastName),
        link: `${opts.baseUrl}/login`,
        providers: [...new Set(providers.map((p) => p.provider))],
      },
      subjectKey: 'sso.mail.ssoRequired.subject',
    });
    await recordAudit(tx, {
      actor: 'system',
      kind: 'password.reset_refused_sso_required',
      organizationId: contact.organizationId,
      subjectType: 'contact',
      subjectId: contact.id,
      ip: opts.ip,
    });
  });
}
