import type { Command } from 'commander';
import { z } from 'zod';
import { recordAudit } from '../../audit.js';
import { CliError, flag, id, parse, staffActor, type CliContext } from '../validate.js';

const MailList = z.object({
  failed: flag,
  limit: z.string().regex(/^[1-9]\d{0,3}$/, 'must be a whole number from 1 to 9999').transform(Number).optional(),
});
const MailRetry = z.object({ id: id.optional(), all: flag });

/** The state of an outbox row as staff read it. */
function stateOf(m: { sentAt: Date | null; failedAt: Date | null; expiresAt: Date | null }, now: Date): string {
  if (m.sentAt) return 'sent';
  if (m.failedAt) return m.expiresAt && m.expiresAt <= now ? 'expired' : 'failed';
  return 'pending';
}

/** Registers `mail:list` and `mail:retry`: what the outbox holds, and putting failed mails back. */
export function registerMailCommands(program: Command, ctx: CliContext): void {
  const { prisma } = ctx;

  program
    .command('mail:list')
    .description('mails not sent (yet): pending ones with their next attempt, and failed ones (given up or expired)')
    .option('--failed', 'only the failed ones')
    .option('--limit <n>', 'at most this many (default 50)')
    .action(async (raw: Record<string, unknown>) => {
      const o = parse(MailList, raw);
      const now = ctx.now();
      const where = o.failed ? { sentAt: null, failedAt: { not: null } } : { sentAt: null };
      const [rows, pending, failed] = await Promise.all([
        prisma.mailOutbox.findMany({
          where,
          orderBy: [{ failedAt: { sort: 'desc', nulls: 'first' } }, { nextAttemptAt: 'asc' }, { id: 'asc' }],
          take: o.limit ?? 50,
          select: { id: true, recipient: true, subject: true, attempts: true, createdAt: true, nextAttemptAt: true, sentAt: true, failedAt: true, expiresAt: true, lastError: true },
        }),
        prisma.mailOutbox.count({ where: { sentAt: null, failedAt: null } }),
        prisma.mailOutbox.count({ where: { sentAt: null, failedAt: { not: null } } }),
      ]);
      ctx.out(['id', 'state', 'attempts', 'queued', 'next/failed', 'to', 'subject', 'last error'].join('\t'));
      for (const m of rows) {
        const when = (m.failedAt ?? m.nextAttemptAt).toISOString();
        ctx.out([String(m.id), stateOf(m, now), m.attempts, m.createdAt.toISOString(), when, m.recipient, m.subject, m.lastError ?? ''].join('\t'));
      }
      ctx.out(`${pending} pending, ${failed} failed`);
    });

  program
    .command('mail:retry [id]')
    .description('put a failed mail back in the outbox (or all with --all); a mail whose link has expired is not sent late')
    .option('--all', 'every failed mail whose link (if any) still works')
    .action(async (idArg: string | undefined, raw: Record<string, unknown>) => {
      const o = parse(MailRetry, { ...raw, id: idArg }, ['id']);
      if (!o.id === !o.all) throw new CliError('give one mail id, or --all');
      const now = ctx.now();
      const live = { OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
      if (o.id) {
        const m = await prisma.mailOutbox.findUnique({ where: { id: BigInt(o.id) }, select: { sentAt: true, failedAt: true, expiresAt: true } });
        if (!m) throw new CliError(`<id>: no mail ${o.id}`);
        if (m.sentAt || !m.failedAt) throw new CliError(`<id>: mail ${o.id} is ${stateOf(m, now)}, not failed`);
        if (m.expiresAt && m.expiresAt <= now) throw new CliError(`<id>: the link in mail ${o.id} expired at ${m.expiresAt.toISOString()}; it is not sent late (send a new link instead)`);
      }
      const where = { sentAt: null, failedAt: { not: null }, ...live, ...(o.id ? { id: BigInt(o.id) } : {}) };
      const n = await prisma.$transaction(async (tx) => {
        const ids = (await tx.mailOutbox.findMany({ where, select: { id: true } })).map((m) => m.id);
        await tx.mailOutbox.updateMany({ where: { id: { in: ids } }, data: { failedAt: null, retriedAt: now, nextAttemptAt: now } });
        if (ids.length) {
          await recordAudit(tx, { actor: staffActor(), kind: 'mail.retried', subjectType: 'mail', subjectId: ids.length === 1 ? String(ids[0]) : null, after: { ids: ids.map(String) } });
        }
        return ids.length;
      });
      ctx.out(`${n} mail${n === 1 ? '' : 's'} back in the outbox`);
    });
}
