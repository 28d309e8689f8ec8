import type { Prisma, PrismaClient, Tx } from '../../db/client.js';
import type { Actor } from '../../auth/actor.js';
import { fullName } from '../../auth/actor.js';
import { scope } from '../../auth/scope.js';
import type { ListQuery } from '../../http/list.js';
import { dayEnd, dayStart, typedDay } from '../../calendar.js';
import { str } from '../../http/validation.js';
import { auditKindOf, type AuditKind } from '../../audit-kinds.js';

/**
 * The kinds the filter offers, grouped as a customer thinks of them. Every kind any code
 * records has a sentence in locales/<lang>/activity.json (src/features/activity/sentences.ts
 * checks at compile time); these are the ones that can concern a customer's organisation.
 */
export const ACTIVITY_GROUPS: { group: string; kinds: AuditKind[] }[] = [
  {
    group: 'contacts',
    kinds: [
      'contact.created',
      'contact.copied',
      'contact.updated',
      'contact.deleted',
      'contact.web_access_on',
      'contact.web_access_off',
      'contact.roles_changed',
      'contact.invited',
      'contact.reinvited',
      'contact.report_mail_opt_in',
      'profile.updated',
      'profile.email_changed',
      'application.activated',
      'application.deactivated',
      'contact.mail_preferences',
      'contact.mail_unsubscribed',
      'contact.signed_out_everywhere',
      'contact.two_step_reset',
    ],
  },
  {
    group: 'logins',
    kinds: [
      'login.password',
      'sso.login',
      'sso.linked',
      'sso.unlinked',
      'sso.refused',
      'login.refused_sso_required',
      'password.changed',
      'password.reset_requested',
      'password.reset',
      'password.set_by_invitation',
      'password.reset_refused_sso_required',
      'login.passkey',
      'login.passkey_refused',
      'two_step.totp_on',
      'two_step.totp_off',
      'two_step.recovery_codes_renewed',
      'two_step.recovery_code_used',
      'two_step.passkey_added',
      'two_step.passkey_removed',
      'session.ended_others',
    ],
  },
  {
    group: 'documents',
    kinds: [
      'invoice.created',
      'invoice.downloaded',
      'document.created',
      'document.updated',
      'document.removed',
      'document.downloaded',
    ],
  },
  {
    group: 'tickets',
    kinds: [
      'ticket.created',
      'ticket.note_added',
      'ticket.staff_reply',
      'ticket.status_changed',
      'ticket.deadline_changed',
      'ticket.watcher_added',
      'ticket.watcher_removed',
      'ticket.verdict',
    ],
  },
  {
    group: 'organisation',
    kinds: [
      'organization.created',
      'organization.main_contact_set',
      'organization.reports',
      'organization.sso_required_changed',
      'organization.two_factor_required_changed',
      'organization.password_only_sessions_ended',
      'announcement.created',
      'announcement.updated',
      'announcement.removed',
    ],
  },
];

const OFFERED_KINDS: ReadonlySet<string> = new Set(ACTIVITY_GROUPS.flatMap((g) => g.kinds));

/** Filters of the page: by person (who did it, or whom it was about), by kind, and by period (Amsterdam days). */
export interface ActivityFilters {
  person: number | null;
  kind: AuditKind | null;
  /** The first day (YYYY-MM-DD, however it was typed), and the instant it starts. */
  from: { text: string; at: Date } | null;
  /** The last day (inclusive), and the instant the day after it starts. */
  to: { text: string; before: Date } | null;
}

/** The filters as the page read them, with what it could not read. */
export interface ParsedActivityFilters extends ActivityFilters {
  /** Field -> locale key of a day that is not one, or of a period ending before it starts (bound left out). */
  errors: Record<string, string>;
}

/** The kind asked for in the filter, if the filter offers it; a link with a kind's old spelling still works. */
function offeredKind(asked: string): AuditKind | null {
  const kind = auditKindOf(asked);
  return kind && OFFERED_KINDS.has(kind) ? kind : null;
}

/** The filters from the query string; anything unknown is ignored (never a 500). */
export function parseActivityFilters(query: Record<string, unknown>): ParsedActivityFilters {
  const person = str(query.person);
  const kind = str(query.kind);
  const errors: Record<string, string> = {};
  // Day first as the hint says (1-7-2026, 01072026), or a link's 2026-07-01.
  const day = (field: 'from' | 'to'): string | null => {
    const raw = str(query[field]).trim();
    if (!raw) return null;
    return typedDay(raw) ?? ((errors[field] = 'activity.errors.date'), null);
  };
  const from = day('from');
  let to = day('to');
  if (from && to && to < from) {
    errors.to = 'activity.errors.range';
    to = null;
  }
  return {
    person: /^\d{1,9}$/.test(person) ? Number(person) : null,
    kind: offeredKind(kind),
    from: from ? { text: from, at: dayStart(from) } : null,
    to: to ? { text: to, before: dayEnd(to) } : null,
    errors,
  };
}

/**
 * The WHERE of the page: always inside the actor's organisations. Every filter keeps an index
 * in play: (organization_id, at), (organization_id, kind, at), and for a person a BitmapOr of
 * (actor_id, at) and (subject_type, subject_id, at).
 */
function activityWhere(actor: Actor, f: ActivityFilters): Prisma.AuditEventWhereInput {
  const where: Prisma.AuditEventWhereInput = scope.auditEvents(actor);
  if (f.kind) where.kind = f.kind;
  if (f.person !== null) where.OR = [{ actorId: f.person }, { subjectType: 'contact', subjectId: String(f.person) }];
  if (f.from || f.to) where.at = { ...(f.from ? { gte: f.from.at } : {}), ...(f.to ? { lt: f.to.before } : {}) };
  return where;
}

const EVENT_SELECT = {
  id: true,
  at: true,
  actorId: true,
  actorLabel: true,
  kind: true,
  subjectType: true,
  subjectId: true,
  before: true,
  after: true,
} as const;

/** One event as the page reads it. */
export type ActivityEvent = Prisma.AuditEventGetPayload<{ select: typeof EVENT_SELECT }>;

/** One page of the organisation's events (and its subsidiaries'), newest first, with its total. */
export async function listActivity(
  prisma: PrismaClient | Tx,
  actor: Actor,
  list: Pick<ListQuery<'at'>, 'skip' | 'perPage'>,
  f: ActivityFilters,
) {
  const where = activityWhere(actor, f);
  const [total, events] = await Promise.all([
    prisma.auditEvent.count({ where }),
    prisma.auditEvent.findMany({
      where,
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      skip: list.skip,
      take: list.perPage,
      select: EVENT_SELECT,
    }),
  ]);
  return { total, events };
}

/** The most rows the CSV holds (newest first); narrow the period for older ones. */
export const ACTIVITY_CSV_LIMIT = 10_000;

/** The whole selection for the CSV, newest first, at most ACTIVITY_CSV_LIMIT rows. */
export function exportActivity(prisma: PrismaClient | Tx, actor: Actor, f: ActivityFilters): Promise<ActivityEvent[]> {
  return prisma.auditEvent.findMany({
    where: activityWhere(actor, f),
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take: ACTIVITY_CSV_LIMIT,
    select: EVENT_SELECT,
  });
}

/**
 * The people offered in the person filter: contacts with web access in the actor's
 * organisations (the ones who can act in the portal), by name; plus the chosen person.
 * Anyone else is reached by clicking a name in the list.
 */
export async function listPeople(prisma: PrismaClient | Tx, actor: Actor, chosen: number | null) {
  const people = await prisma.contact.findMany({
    where: { ...scope.contacts(actor), webAccess: true },
    orderBy: [{ lastName: 'asc' }, { firstName: 'asc' }, { id: 'asc' }],
    take: 500,
    select: { id: true, firstName: true, infix: true, lastName: true },
  });
  const out = people.map((p) => ({ id: p.id, name: fullName(p.firstName, p.infix, p.lastName) }));
  if (chosen !== null && !out.some((p) => p.id === chosen)) {
    const p = await prisma.contact.findFirst({
      where: { id: chosen, ...scope.contactHistory(actor) },
      select: { id: true, firstName: true, infix: true, lastName: true },
    });
    if (p) out.unshift({ id: p.id, name: fullName(p.firstName, p.infix, p.lastName) });
  }
  return out;
}
