import type { Prisma, PrismaClient, Tx } from './db/client.js';
import type { Actor } from './auth/actor.js';
import { emitWebhookEvent } from './webhooks/events.js';
import type { AuditKind } from './audit-kinds.js';

/**
 * Who did it: a logged-in person, vendor staff through the CLI,
 * one of Vcare's systems through an API token, or the system.
 */
export type AuditActor = Pick<Actor, 'id' | 'displayName'> | { staff: string } | { api: string } | 'system';

/** One audit event: who, what, on which record, before and after. */
export interface AuditInput {
  actor: AuditActor;
  /** What happened (src/audit-kinds.ts); it also picks the webhook event and the Activiteiten sentence. */
  kind: AuditKind;
  organizationId?: number | null;
  subjectType: string;
  subjectId?: string | number | null;
  before?: Prisma.InputJsonValue | null;
  after?: Prisma.InputJsonValue | null;
  ip?: string | null;
}

/**
 * Writes an audit event; pass the change's transaction so both commit or neither does. A change
 * that webhooks report (src/webhooks/events.ts maps audit kinds to event types) also writes its
 * event to the webhook outbox here: every door (web, staff tool, API) reports the same way.
 */
export async function recordAudit(db: Tx | PrismaClient, e: AuditInput): Promise<void> {
  const actorId = typeof e.actor === 'object' && 'id' in e.actor ? e.actor.id : null;
  const actorLabel =
    e.actor === 'system'
      ? 'system'
      : 'staff' in e.actor
        ? `staff:${e.actor.staff}`
        : 'api' in e.actor
          ? `api:${e.actor.api}`
          : e.actor.displayName;
  await db.auditEvent.create({
    data: {
      actorId,
      actorLabel,
      kind: e.kind,
      organizationId: e.organizationId ?? null,
      subjectType: e.subjectType,
      subjectId: e.subjectId == null ? null : String(e.subjectId),
      before: e.before ?? undefined,
      after: e.after ?? undefined,
      ip: e.ip ?? null,
    },
  });
  await emitWebhookEvent(db, { ...e, actorLabel });
}

/**
 * Records that a person downloaded a document or an invoice (`document.downloaded`,
 * `invoice.downloaded`), under the person's own organisation: their main contact sees it.
 */
export async function recordDownload(
  db: Tx | PrismaClient,
  actor: Pick<Actor, 'id' | 'displayName' | 'organizationId'>,
  e: {
    kind: Extract<AuditKind, 'document.downloaded' | 'invoice.downloaded'>;
    subjectType: 'document' | 'invoice';
    subjectId: number;
    after: Prisma.InputJsonValue;
    ip: string | null;
  },
): Promise<void> {
  await recordAudit(db, { actor, organizationId: actor.organizationId, ...e });
}
