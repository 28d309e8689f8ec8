import { randomBytes } from 'node:crypto';
import { Prisma, type PrismaClient, type Tx } from '../db/client.js';
import type { AuditInput } from '../audit.js';
import type { AuditKind } from '../audit-kinds.js';

/** The event types webhooks know. */
export const WEBHOOK_EVENT_TYPES = [
  'contact.changed',
  'document.created',
  'document.removed',
  'invoice.created',
  'invoice.imported',
  'invoice.updated',
  'organization.changed',
  'ticket.created',
  'ticket.deadline_changed',
  'ticket.imported',
  'ticket.note_added',
  'ticket.status_changed',
] as const;

/** One webhook event type. */
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/**
 * Which changes webhooks report: audit kind -> event type, or null for a change they do not
 * report (logins, passwords, downloads, Vcare's own tooling). Every kind decides, so a new kind
 * does not compile without a decision. Every change is audited in its own transaction
 * (src/audit.ts), so an event is written exactly when its change commits, whichever door (web
 * page, staff tool, API) made it.
 */
const EVENT_OF_KIND: Record<AuditKind, WebhookEventType | null> = {
  'contact.created': 'contact.changed',
  'contact.copied': 'contact.changed',
  'contact.updated': 'contact.changed',
  'contact.deleted': 'contact.changed',
  'contact.web_access_on': 'contact.changed',
  'contact.web_access_off': 'contact.changed',
  'contact.roles_changed': 'contact.changed',
  'contact.invited': null,
  'contact.reinvited': null,
  'contact.report_mail_opt_in': null,
  'contact.mail_preferences': null,
  'contact.mail_unsubscribed': null,
  'contact.signed_out_everywhere': null,
  'contact.two_step_reset': null,
  'profile.updated': 'contact.changed',
  'profile.email_changed': 'contact.changed',
  // An application tile is part of the contact (the API shows it in the contact's `applications`).
  'application.activated': 'contact.changed',
  'application.deactivated': 'contact.changed',
  'login.password': null,
  'login.passkey': null,
  'login.passkey_refused': null,
  'login.refused_sso_required': null,
  'sso.login': null,
  'sso.linked': null,
  'sso.unlinked': null,
  'sso.refused': null,
  'password.changed': null,
  'password.reset_requested': null,
  'password.reset': null,
  'password.set_by_invitation': null,
  'password.reset_refused_sso_required': null,
  'two_step.totp_on': null,
  'two_step.totp_off': null,
  'two_step.recovery_codes_renewed': null,
  'two_step.recovery_code_used': null,
  'two_step.passkey_added': null,
  'two_step.passkey_removed': null,
  'session.ended_others': null,
  'invoice.created': 'invoice.created',
  'invoice.imported': 'invoice.imported',
  'invoice.replaced': 'invoice.updated',
  'invoice.pdf_stored': 'invoice.updated',
  'invoice.downloaded': null,
  'document.created': 'document.created',
  'document.updated': null,
  'document.removed': 'document.removed',
  'document.downloaded': null,
  'ticket.created': 'ticket.created',
  'ticket.imported': 'ticket.imported',
  'ticket.note_added': 'ticket.note_added',
  'ticket.staff_reply': 'ticket.note_added',
  'ticket.status_changed': 'ticket.status_changed',
  'ticket.deadline_changed': 'ticket.deadline_changed',
  'ticket.watcher_added': null,
  'ticket.watcher_removed': null,
  'ticket.verdict': null,
  'organization.created': 'organization.changed',
  'organization.updated': 'organization.changed',
  'organization.main_contact_set': 'organization.changed',
  'organization.reports': 'organization.changed',
  'organization.sso_required_changed': 'organization.changed',
  'organization.two_factor_required_changed': 'organization.changed',
  'organization.password_only_sessions_ended': null,
  'announcement.created': null,
  'announcement.updated': null,
  'announcement.removed': null,
  'faq.created': null,
  'faq.updated': null,
  'faq.removed': null,
  'pageContent.updated': null,
  'pageContent.reset': null,
  'api_token.created': null,
  'api_token.revoked': null,
  'webhook.added': null,
  'webhook.removed': null,
  'mail.retried': null,
  'demo.seeded': null,
};

/** Every event type an endpoint can subscribe to ('*' is every one): the ones some kind sends. */
export const EVENT_TYPES: readonly WebhookEventType[] = [
  ...new Set(Object.values(EVENT_OF_KIND).filter((t) => t !== null)),
].sort();

/** The event type a change of this kind sends, or null when webhooks do not report it. */
export function eventTypeOf(kind: AuditKind): WebhookEventType | null {
  return EVENT_OF_KIND[kind];
}

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
  const type = eventTypeOf(e.kind);
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
