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
const MailInbound = z.object({
  refused: flag,
  page: z
    .string()
    .regex(/^[1-9]\d{0,5}$/, 'must be a whole number from 1')
    .transform(Number)
    .default(1),
});
const INBOUND_PER_PAGE = 50;

/**
 * Registers `mail:list` and `mail:retry` (what the outbox holds, and putting failed mails back) and
 * `mail:inbound` (replies to ticket mails: what arrived, and what was refused or ignored and why).
 */
export function registerMailCommands(program: Command, ctx: CliDeps): void {
  const { mail } = ctx.services;

  program
    .command('mail:inbound')
    .description(
      'replies to ticket mails, newest first: processed (a note), refused (answered with the reason) or ignored (auto-reply, bounce)',
    )
    .option('--refused', 'only the refused ones')
    .option('--page <n>', `page of ${INBOUND_PER_PAGE} (default 1)`)
    .action(async (raw: Record<string, unknown>) => {
      const o = parse(MailInbound, raw);
      const { rows, total } = await ctx.services.tickets.inbound.list({
        refused: o.refused,
        page: o.page,
        perPage: INBOUND_PER_PAGE,
      });
      ctx.out(
        ['id', 'received', 'status', 'reason', 'ticket', 'person', 'note', 'from', 'subject', 'message-id'].join('\t'),
      );
      for (const m of rows) {
        ctx.out(
          [
            String(m.id),
            m.receivedAt.toISOString(),
            m.status,
            m.reason ?? '',
            m.ticketId ?? '',
            m.contactId ?? '',
            m.noteId ?? '',
            m.sender ?? '',
            m.subject ?? '',
            m.messageId,
          ].join('\t'),
        );
      }
      const pages = Math.max(1, Math.ceil(total / INBOUND_PER_PAGE));
      ctx.out(`page ${o.page} of ${pages}, ${total} ${o.refused ? 'refused' : 'in all'}`);
    });

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
