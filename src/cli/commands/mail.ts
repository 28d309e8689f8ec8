import type { Command } from 'commander';
import { z } from 'zod';
import { mailState } from '../../features/mail/services.js';
import { CliError, flag, id, parse, staffActor, type CliDeps } from '../validate.js';

const MailList = z.object({
  failed: flag,
  limit: z
    .string()
    .regex(/^[1-9]\d{0,3}$/, 'must be a whole number from 1 to 9999')
    .transform(Number)
    .optional(),
});
const MailRetry = z.object({ id: id.optional(), all: flag });

/** Registers `mail:list` and `mail:retry`: what the outbox holds, and putting failed mails back. */
export function registerMailCommands(program: Command, ctx: CliDeps): void {
  const { mail } = ctx.services;

  program
    .command('mail:list')
    .description('mails not sent (yet): pending ones with their next attempt, and failed ones (given up or expired)')
    .option('--failed', 'only the failed ones')
    .option('--limit <n>', 'at most this many (default 50)')
    .action(async (raw: Record<string, unknown>) => {
      const o = parse(MailList, raw);
      const now = ctx.now();
      const { rows, pending, failed } = await mail.listUnsent({ failedOnly: o.failed, limit: o.limit ?? 50 });
      ctx.out(['id', 'state', 'attempts', 'queued', 'next/failed', 'to', 'subject', 'last error'].join('\t'));
      for (const m of rows) {
        const when = (m.failedAt ?? m.nextAttemptAt).toISOString();
        ctx.out(
          [
            String(m.id),
            mailState(m, now),
            m.attempts,
            m.createdAt.toISOString(),
            when,
            m.recipient,
            m.subject,
            m.lastError ?? '',
          ].join('\t'),
        );
      }
      ctx.out(`${pending} pending, ${failed} failed`);
    });

  program
    .command('mail:retry [id]')
    .description(
      'put a failed mail back in the outbox (or all with --all); a mail whose link has expired is not sent late',
    )
    .option('--all', 'every failed mail whose link (if any) still works')
    .action(async (idArg: string | undefined, raw: Record<string, unknown>) => {
      const o = parse(MailRetry, { ...raw, id: idArg }, ['id']);
      if (!o.id === !o.all) throw new CliError('give one mail id, or --all');
      const n = await mail.retry(staffActor(), o.id ? { id: o.id } : 'all');
      ctx.out(`${n} mail${n === 1 ? '' : 's'} back in the outbox`);
    });
}
