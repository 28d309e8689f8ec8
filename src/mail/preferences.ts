import { fullName, type Actor } from '../auth/actor.js';
import { recordAudit } from '../audit.js';
import type { PrismaClient, Tx } from '../db/client.js';
import type { Locale } from '../i18n/index.js';
import { signToken, verifyToken } from './links.js';
import { Role } from '../auth/roles.js';

/** The kinds of mail a person can turn on or off ("Meldingen"), in the order the page lists them. */
export const MAIL_KINDS = ['ticket_created', 'ticket_reply', 'ticket_status', 'ticket_note', 'report_ready'] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

/**
 * The kinds a person is offered on Meldingen: a ticket mail only to someone with a ticket role, "Rapportage klaar"
 * only to someone who may see reports (effective roles: the contract counts). Another kind would never be sent.
 */
export function mailKindsFor(actor: Pick<Actor, 'roles'>): MailKind[] {
  const tickets = actor.roles.has(Role.MANAGE_OWN_TICKETS) || actor.roles.has(Role.MANAGE_ORG_TICKETS);
  return MAIL_KINDS.filter((k) => (k === 'report_ready' ? actor.roles.has(Role.VIEW_REPORTS) : tickets));
}

type Db = PrismaClient | Tx;

/** A person's choices: the language of their mails and, per kind, whether it is sent. */
export interface MailPreferences {
  language: Locale;
  kinds: Record<MailKind, boolean>;
}

/**
 * Reads a person's choices. Ticket mails are on unless turned off (a row in mail_opt_outs);
 * the report mail is the existing opt-in ("Ja, ik wil een melding ontvangen").
 */
export async function mailPreferences(db: Db, contactId: number): Promise<MailPreferences> {
  const c = await db.contact.findUniqueOrThrow({
    where: { id: contactId },
    select: { language: true, reportMailOptIn: true, mailOptOuts: { select: { kind: true } } },
  });
  const off = new Set(c.mailOptOuts.map((o) => o.kind));
  const kinds = Object.fromEntries(
    MAIL_KINDS.map((k) => [k, k === 'report_ready' ? c.reportMailOptIn : !off.has(k)]),
  ) as Record<MailKind, boolean>;
  return { language: c.language === 'en' ? 'en' : 'nl', kinds };
}

/**
 * Saves a person's choices (their own page). The contact's version goes up, because the
 * language and the report opt-in are also on the personal page's form: a form opened before
 * this save then reports the conflict instead of quietly writing the old values back.
 */
export async function saveMailPreferences(db: Db, contactId: number, prefs: MailPreferences): Promise<void> {
  await db.contact.update({
    where: { id: contactId },
    data: { language: prefs.language, reportMailOptIn: prefs.kinds.report_ready, version: { increment: 1 } },
  });
  for (const kind of MAIL_KINDS.filter((k) => k !== 'report_ready'))
    await setKind(db, contactId, kind, prefs.kinds[kind]);
}

/** Turns one kind on or off. */
export async function setKind(db: Db, contactId: number, kind: MailKind, on: boolean): Promise<void> {
  if (kind === 'report_ready') {
    await db.contact.update({ where: { id: contactId }, data: { reportMailOptIn: on, version: { increment: 1 } } });
  } else if (on) {
    await db.mailOptOut.deleteMany({ where: { contactId, kind } });
  } else {
    await db.mailOptOut.createMany({ data: [{ contactId, kind }], skipDuplicates: true });
  }
}

/** "Meldingen": the person saves their own choices; audited with before and after. */
export async function changeMailPreferences(prisma: PrismaClient, actor: Actor, prefs: MailPreferences): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const before = await mailPreferences(tx, actor.id);
    await saveMailPreferences(tx, actor.id, prefs);
    await recordAudit(tx, {
      actor,
      kind: 'contact.mail_preferences',
      organizationId: actor.organizationId,
      subjectType: 'contact',
      subjectId: actor.id,
      before: { ...before },
      after: { ...prefs },
    });
  });
}

/** Whether the person of an unsubscribe link still gets that kind of mail; null when they no longer exist. */
export async function stillSubscribed(db: Db, target: { contactId: number; kind: MailKind }): Promise<boolean | null> {
  const c = await db.contact.findUnique({ where: { id: target.contactId }, select: { deletedAt: true } });
  if (!c || c.deletedAt) return null;
  return (await mailPreferences(db, target.contactId)).kinds[target.kind];
}

/**
 * A one-click unsubscribe link used (no login): turns the kind off for a person who still exists;
 * audited. A link used again changes and records nothing.
 */
export async function unsubscribe(prisma: PrismaClient, target: { contactId: number; kind: MailKind }): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const contact = await tx.contact.findUnique({
      where: { id: target.contactId },
      select: { id: true, organizationId: true, deletedAt: true, firstName: true, infix: true, lastName: true },
    });
    if (!contact || contact.deletedAt) return;
    if (!(await mailPreferences(tx, contact.id)).kinds[target.kind]) return;
    await setKind(tx, contact.id, target.kind, false);
    // The link is the person's own (signed for them): Activiteiten names them, not PIM.
    await recordAudit(tx, {
      actor: { id: contact.id, displayName: fullName(contact.firstName, contact.infix, contact.lastName) },
      kind: 'contact.mail_unsubscribed',
      organizationId: contact.organizationId,
      subjectType: 'contact',
      subjectId: contact.id,
      after: { kind: target.kind },
    });
  });
}

/** Whether `kind` goes to each of these people, and in which language (one query). */
export async function recipientsWanting(db: Db, contactIds: number[], kind: MailKind): Promise<Map<number, Locale>> {
  if (!contactIds.length) return new Map();
  const rows = await db.contact.findMany({
    where: {
      id: { in: contactIds },
      ...(kind === 'report_ready' ? { reportMailOptIn: true } : { mailOptOuts: { none: { kind } } }),
    },
    select: { id: true, language: true },
  });
  return new Map(rows.map((r) => [r.id, r.language === 'en' ? 'en' : 'nl']));
}

/** The one-click unsubscribe token for a person and kind (signed; no login needed). */
export function unsubscribeToken(secret: string, contactId: number, kind: MailKind): string {
  return signToken(secret, `u:${contactId}:${kind}`);
}

/** The person and kind of a valid unsubscribe token; null otherwise. */
export function readUnsubscribeToken(secret: string, token: string): { contactId: number; kind: MailKind } | null {
  const m = /^u:(\d{1,9}):([a-z_]+)$/.exec(verifyToken(secret, token) ?? '');
  if (!m || !(MAIL_KINDS as readonly string[]).includes(m[2]!)) return null;
  return { contactId: Number(m[1]), kind: m[2] as MailKind };
}

/** Headers of a mail that can be turned off with one click (RFC 2369 and RFC 8058). */
export function unsubscribeHeaders(baseUrl: string, token: string): Record<string, string> {
  return {
    'List-Unsubscribe': `<${baseUrl}/mail/unsubscribe/${token}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}
