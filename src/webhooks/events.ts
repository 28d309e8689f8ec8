import { randomBytes } from 'node:crypto';
import { Prisma, type PrismaClient, type Tx } from '../db/client.js';
import type { AuditInput } from '../audit.js';

/**
 * Which changes webhooks report: audit kind -> event type. Every change is audited in its own
 * transaction (src/audit.ts), so an event is written exactly when its change commits, whichever
 * door (web page, staff tool, API) made it. Kinds not listed here (logins, passwords) are not
 * reported.
 */
const EVENT_OF_KIND: Record<string, string> = {
  'ticket.created': 'ticket.created',
  'ticket.imported': 'ticket.imported',
  'ticket.note_added': 'ticket.note_added',
  'ticket.staff_reply': 'ticket.note_added',
  'ticket.status_changed': 'ticket.status_changed',
  'ticket.deadline_changed': 'ticket.deadline_changed',
  'contact.created': 'contact.changed',
  'contact.copied': 'contact.changed',
  'contact.updated': 'contact.changed',
  'contact.deleted': 'contact.changed',
  'contact.roles_changed': 'contact.changed',
  'contact.web_access_on': 'contact.changed',
  'contact.web_access_off': 'contact.changed',
  'profile.updated': 'contact.changed',
  'profile.email_changed': 'contact.changed',
  // An application tile is part of the contact (the API shows it in the contact's `applications`).
  'application.activated': 'contact.changed',
  'application.deactivated': 'contact.changed',
  'organization.created': 'organization.changed',
  'organization.updated': 'organization.changed',
  'organization.main_contact_set': 'organization.changed',
  'organization.reports': 'organization.changed',
  'organization.sso_required_changed': 'organization.changed',
  'organization.two_factor_required_changed': 'organization.changed',
  'invoice.created': 'invoice.created',
  'invoice.replaced': 'invoice.updated',
  'invoice.pdf_stored': 'invoice.updated',
  'invoice.imported': 'invoice.imported',
  'document.created': 'document.created',
  'document.removed': 'document.removed',
};

/** Every event type an endpoint can subscribe to ('*' is every one). */
export const EVENT_TYPES: readonly string[] = [...new Set(Object.values(EVENT_OF_KIND))].sort();

/** The body of every delivery: what happened, to which record, before and after. */
export interface EventPayload {
  id: string;
  type: string;
  createdAt: string;
  data: {
    object: string;
    id: string | null;
    organizationId: number | null;
    change: string;
    actor: string;
    before: Prisma.InputJsonValue | null;
    after: Prisma.InputJsonValue | null;
  };
}

/** A new public event id: receivers drop a delivery whose id they have seen (at-least-once). */
export function newEventId(): string {
  return `evt_${randomBytes(12).toString('hex')}`;
}

/**
 * Writes the event of an audited change to the webhook outbox, one delivery per active
 * endpoint subscribed to it, in one statement (nothing at all when nobody subscribes). Runs in
 * the caller's transaction.
 */
export async function emitWebhookEvent(db: Tx | PrismaClient, e: AuditInput & { actorLabel: string }): Promise<void> {
  const type = EVENT_OF_KIND[e.kind];
  if (!type) return;
  const subjectId = e.subjectId == null ? null : String(e.subjectId);
  // Deliveries of one record go out in order; a bulk import has no single record, so one key per kind.
  const orderingKey = subjectId ? `${e.subjectType}:${subjectId}` : `${e.subjectType}:*`;
  const id = newEventId();
  const payload: EventPayload = {
    id,
    type,
    createdAt: new Date().toISOString(),
    data: {
      object: e.subjectType,
      id: subjectId,
      organizationId: e.organizationId ?? null,
      change: e.kind,
      actor: e.actorLabel,
      before: e.before ?? null,
      after: e.after ?? null,
    },
  };
  await db.$executeRaw`
    WITH ep AS (
      SELECT id FROM webhook_endpoints WHERE active AND (${type} = ANY(events) OR '*' = ANY(events))
    ), ev AS (
      INSERT INTO webhook_events (public_id, type, ordering_key, payload)
      SELECT ${id}, ${type}, ${orderingKey}, ${JSON.stringify(payload)}::jsonb WHERE EXISTS (SELECT 1 FROM ep)
      RETURNING id
    )
    INSERT INTO webhook_deliveries (endpoint_id, event_id, ordering_key)
    SELECT ep.id, ev.id, ${orderingKey} FROM ep, ev`;
}
