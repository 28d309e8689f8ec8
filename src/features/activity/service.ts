import type { Prisma, PrismaClient } from '../../db/client.js';
import type { Actor } from '../../auth/actor.js';
import { fullName } from '../../auth/actor.js';
import { scope } from '../../auth/scope.js';
import type { ListQuery } from '../../http/list.js';

/**
 * The kinds of event the page knows how to describe (and offers as a filter). Other kinds
 * still show, with a plain description.
 */
export const ACTIVITY_KINDS = [
  'contact.created',
  'contact.updated',
  'contact.copied',
  'contact.deleted',
  'contact.web_access_on',
  'contact.web_access_off',
  'contact.roles_changed',
  'contact.invited',
  'profile.updated',
  'profile.email_changed',
  'password.changed',
  'password.reset_requested',
  'password.reset',
  'password.set_by_invitation',
  'organization.created',
  'organization.main_contact_set',
] as const;

/** Filters of the page: by person (who did it, or whom it was about) and by kind. */
export interface ActivityFilters {
  person: number | null;
  kind: string | null;
}

/** The WHERE of the page: always inside the actor's organisations. */
function activityWhere(actor: Actor, f: ActivityFilters): Prisma.AuditEventWhereInput {
  const where: Prisma.AuditEventWhereInput = scope.auditEvents(actor);
  if (f.kind) where.kind = f.kind;
  if (f.person !== null) where.OR = [{ actorId: f.person }, { subjectType: 'contact', subjectId: String(f.person) }];
  return where;
}

/** One page of the organisation's events (and its subsidiaries'), newest first. */
export async function listActivity(prisma: PrismaClient, actor: Actor, list: ListQuery<'at'>, f: ActivityFilters) {
  const where = activityWhere(actor, f);
  const [total, events] = await Promise.all([
    prisma.auditEvent.count({ where }),
    prisma.auditEvent.findMany({
      where,
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      skip: list.skip,
      take: list.perPage,
      select: { id: true, at: true, actorId: true, actorLabel: true, kind: true, subjectType: true, subjectId: true, before: true, after: true },
    }),
  ]);
  return { total, events, subjects: await subjectNames(prisma, actor, events) };
}

/** Names of the contacts and organisations the events are about (deleted contacts too: history stays readable). */
async function subjectNames(prisma: PrismaClient, actor: Actor, events: { subjectType: string; subjectId: string | null }[]) {
  const ids = (type: string) => [...new Set(events.filter((e) => e.subjectType === type && e.subjectId && /^\d{1,9}$/.test(e.subjectId)).map((e) => Number(e.subjectId)))];
  const contactIds = ids('contact');
  const orgIds = ids('organization');
  const contacts = contactIds.length
    ? await prisma.contact.findMany({ where: { id: { in: contactIds }, ...scope.contactHistory(actor) }, select: { id: true, firstName: true, infix: true, lastName: true } })
    : [];
  // Organisations in scope are known from the actor: no query.
  const orgs = actor.orgs.filter((o) => orgIds.includes(o.id));
  const names = new Map<string, string>();
  for (const c of contacts) names.set(`contact:${c.id}`, fullName(c.firstName, c.infix, c.lastName));
  for (const o of orgs) names.set(`organization:${o.id}`, o.name);
  return names;
}

/**
 * The people offered in the person filter: contacts with web access in the actor's
 * organisations (the ones who can act in the portal), by name; plus the chosen person.
 * Anyone else is reached by clicking a name in the list.
 */
export async function listPeople(prisma: PrismaClient, actor: Actor, chosen: number | null) {
  const people = await prisma.contact.findMany({
    where: { ...scope.contacts(actor), webAccess: true },
    orderBy: [{ lastName: 'asc' }, { firstName: 'asc' }, { id: 'asc' }],
    take: 500,
    select: { id: true, firstName: true, infix: true, lastName: true },
  });
  const out = people.map((p) => ({ id: p.id, name: fullName(p.firstName, p.infix, p.lastName) }));
  if (chosen !== null && !out.some((p) => p.id === chosen)) {
    const p = await prisma.contact.findFirst({ where: { id: chosen, ...scope.contactHistory(actor) }, select: { id: true, firstName: true, infix: true, lastName: true } });
    if (p) out.unshift({ id: p.id, name: fullName(p.firstName, p.infix, p.lastName) });
  }
  return out;
}
