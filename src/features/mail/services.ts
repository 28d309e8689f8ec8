import type { ServiceDeps } from '../../services.js';
import { inTransaction } from '../../db/client.js';
import { recordAudit, type AuditActor } from '../../audit.js';
import { refuse } from '../../http/errors.js';
import { enqueueMail, queueMail, type OutgoingMail, type TemplateMail } from '../../mail/outbox.js';

/** The state of an outbox row as staff read it. */
export function mailState(
  m: { sentAt: Date | null; failedAt: Date | null; expiresAt: Date | null },
  now: Date,
): 'sent' | 'expired' | 'failed' | 'pending' {
  if (m.sentAt) return 'sent';
  if (m.failedAt) return m.expiresAt && m.expiresAt <= now ? 'expired' : 'failed';
  return 'pending';
}

/** The mail outbox as staff manage it (`mail:*`), and queueing a mail outside any other change. */
export function mailServices(deps: ServiceDeps) {
  const { db, clock } = deps;
  return {
    /** Queues a mail (in the services' transaction when they run over one). */
    enqueue: (mail: OutgoingMail) => enqueueMail(db, mail),
    /** Renders a template mail in the recipient's language and queues it. */
    queue: (mail: TemplateMail) => queueMail(db, mail),

    /** Mails not sent (yet), failed ones first, then by next attempt; with how many are pending and failed in all. */
    async listUnsent(opts: { failedOnly: boolean; limit: number }) {
      const where = opts.failedOnly ? { sentAt: null, failedAt: { not: null } } : { sentAt: null };
      const [rows, pending, failed] = await Promise.all([
        db.mailOutbox.findMany({
          where,
          orderBy: [{ failedAt: { sort: 'desc', nulls: 'first' } }, { nextAttemptAt: 'asc' }, { id: 'asc' }],
          take: opts.limit,
          select: {
            id: true,
            recipient: true,
            subject: true,
            attempts: true,
            createdAt: true,
            nextAttemptAt: true,
            sentAt: true,
            failedAt: true,
            expiresAt: true,
            lastError: true,
          },
        }),
        db.mailOutbox.count({ where: { sentAt: null, failedAt: null } }),
        db.mailOutbox.count({ where: { sentAt: null, failedAt: { not: null } } }),
      ]);
      return { rows, pending, failed };
    },

    /**
     * Puts failed mails back in the outbox: one (`id`; refused unless it failed and its link still
     * works) or every one whose link still works. Returns how many went back.
     */
    async retry(who: AuditActor, which: { id: number } | 'all'): Promise<number> {
      const now = clock.now();
      const live = { OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
      const id = which === 'all' ? null : which.id;
      if (id !== null) {
        const m = await db.mailOutbox.findUnique({
          where: { id: BigInt(id) },
          select: { sentAt: true, failedAt: true, expiresAt: true },
        });
        if (!m) throw refuse('<id>', `no mail ${id}`, { code: 'NOT_FOUND' });
        if (m.sentAt || !m.failedAt)
          throw refuse('<id>', `mail ${id} is ${mailState(m, now)}, not failed`, { code: 'CONFLICT' });
        if (m.expiresAt && m.expiresAt <= now) {
          throw refuse(
            '<id>',
            `the link in mail ${id} expired at ${m.expiresAt.toISOString()}; it is not sent late (send a new link instead)`,
            { code: 'CONFLICT' },
          );
        }
      }
      const where = { sentAt: null, failedAt: { not: null }, ...live, ...(id !== null ? { id: BigInt(id) } : {}) };
      return inTransaction(db, async (tx) => {
        const ids = (await tx.mailOutbox.findMany({ where, select: { id: true } })).map((m) => m.id);
        await tx.mailOutbox.updateMany({
          where: { id: { in: ids } },
          data: { failedAt: null, retriedAt: now, nextAttemptAt: now },
        });
        if (ids.length) {
          await recordAudit(tx, {
            actor: who,
            kind: 'mail.retried',
            subjectType: 'mail',
            subjectId: ids.length === 1 ? String(ids[0]) : null,
            after: { ids: ids.map(String) },
          });
        }
        return ids.length;
      });
    },
  };
}
