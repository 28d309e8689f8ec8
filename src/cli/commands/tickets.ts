import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { TicketStatus } from '../../features/tickets/schema.js';
import { fullName } from '../../auth/actor.js';
import { readRecords } from '../../features/tickets/import.js';
import { CliError, id, parse, staffActor, text, type CliDeps } from '../validate.js';
import { Refusal, storeLocalFile, UPLOAD_LIMITS, type ReceivedFile, type RefusalReason } from '../../http/uploads.js';
import type { FileStorage } from '../../storage/types.js';

const status = z
  .string()
  .trim()
  .toUpperCase()
  .pipe(
    z.enum(TicketStatus, {
      error: (iss) => `unknown status "${String(iss.input)}" (one of ${Object.values(TicketStatus).join(', ')})`,
    }),
  );
const date = z.string().transform((v, ctx) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v.trim());
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!d || d.getUTCDate() !== Number(m![3])) {
    ctx.addIssue({ code: 'custom', message: `not a date (YYYY-MM-DD): "${v}"` });
    return z.NEVER;
  }
  return d;
});

const TicketList = z.object({
  status: z.union([z.enum(['current', 'all']), status]).default('current'),
  org: id.optional(),
  search: z.string().trim().max(200, 'must be at most 200 characters').optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, 'must be a whole number up to 9999')
    .transform(Number)
    .default(50),
});

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : '-');
const when = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ') + 'Z';

/** Reads all of standard input (for `ticket:reply --body -`). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * "(1 mailed)", "(3 mailed)", "(nobody mailed)": the reporter
 * and Betrokkenen who still see the ticket and want this mail.
 */
const mailedText = (n: number) => (n ? ` (${n} mailed)` : ' (nobody mailed)');

const REASONS: Record<RefusalReason, string> = {
  type: 'not an accepted kind of file (images, PDF, Office, text, logs, ZIP), judged by its content',
  size: 'larger than 20 MB',
  count: 'too many files',
  empty: 'the file is empty',
};

/** Stores each file by the upload rules; on the first refusal removes what was stored and names the file. */
async function storeFiles(storage: FileStorage, paths: string[]): Promise<ReceivedFile[]> {
  const stored: ReceivedFile[] = [];
  for (const p of paths) {
    try {
      stored.push(await storeLocalFile(storage, p));
    } catch (e) {
      await Promise.all(stored.map((f) => storage.delete(f.key).catch(() => {})));
      if (e instanceof Refusal) throw new CliError(`--attach: ${p}: ${REASONS[e.reason]}`);
      const code = (e as NodeJS.ErrnoException).code;
      if (code) throw new CliError(`--attach: cannot read ${p}: ${code}`);
      throw e;
    }
  }
  return stored;
}

/** Registers the staff side of tickets: list, show, status, reply, deadline, import. */
export function registerTicketsCommands(program: Command, ctx: CliDeps): void {
  // A refusal of the ticket services (an AppError naming `<id>`, `<status>` or `<file>`) is printed by runCommand as
  // the one-line error.
  const { tickets } = ctx.services;
  const storage = ctx.services.deps.storage;

  program
    .command('ticket:list')
    .description(
      'list tickets, tab-separated: number, status, organisation id, reported (UTC), deadline, title; newest first',
    )
    .option('--status <status>', 'current (all but RESOLVED; default), all, or one status')
    .option('--org <id>', 'only this organisation')
    .option('--search <text>', 'number, title or customer reference')
    .option('--limit <n>', 'at most this many (default 50)')
    .action(async (raw: Record<string, unknown>) => {
      const rows = await tickets.staffList(parse(TicketList, raw));
      for (const t of rows)
        ctx.out([t.id, t.status, t.organizationId, when(t.reportedAt), day(t.deadline), t.title].join('\t'));
    });

  program
    .command('ticket:show')
    .description('show a ticket with its notes and its history of status changes')
    .argument('<id>', 'ticket number')
    .action(async (rawId: string) => {
      const { id: ticketId } = parse(z.object({ id }), { id: rawId }, ['id']);
      const { ticket: t, files, history } = await tickets.staffShow(ticketId);
      const name = (p: { firstName: string | null; infix: string | null; lastName: string } | null) =>
        p ? fullName(p.firstName, p.infix, p.lastName) : '-';
      ctx.out(`ticket ${t.id}: ${t.title}`);
      ctx.out(`organisation: ${t.organizationId} ${t.organization.name}`);
      ctx.out(`reporter: ${name(t.reporter)}${t.reporter?.email ? ` <${t.reporter.email}>` : ''}`);
      ctx.out(`status: ${t.status}  kind: ${t.kind ?? '-'}  channel: ${t.channel}  helpdesk: ${t.helpdesk}`);
      ctx.out(
        `reported: ${when(t.reportedAt)}  deadline: ${day(t.deadline)}${t.resolvedAt ? `  resolved: ${when(t.resolvedAt)}` : ''}`,
      );
      if (t.customerReference) ctx.out(`customer reference: ${t.customerReference}`);
      if (t.description) ctx.out(`description: ${t.description}`);
      for (const n of t.notes)
        ctx.out(
          `note ${when(n.createdAt)} ${n.staffName ? `${n.staffName} (Vcare)` : name(n.author)}${n.viaMail ? ' (by mail)' : ''}: ${n.body}`,
        );
      for (const f of files) {
        const by = f.staffName ? `${f.staffName} (Vcare)` : name(f.uploader);
        ctx.out(
          `file ${f.id} ${f.fileName}  ${f.contentType}  ${f.size} bytes  by ${by}  ${when(f.createdAt)}${f.noteId ? `  (note)` : ''}`,
        );
      }
      for (const h of history) {
        const before = (h.before as { status?: string } | null)?.status ?? '?';
        const after = (h.after as { status?: string } | null)?.status ?? '?';
        ctx.out(`status ${when(h.at)} ${before} -> ${after} by ${h.actorLabel}`);
      }
    });

  program
    .command('ticket:status')
    .description('change the status of a ticket; the reporter is mailed')
    .argument('<id>', 'ticket number')
    .argument('<status>', `one of ${Object.values(TicketStatus).join(', ')}`)
    .action(async (rawId: string, rawStatus: string) => {
      const o = parse(z.object({ id, status }), { id: rawId, status: rawStatus }, ['id', 'status']);
      const r = await tickets.changeStatus(staffActor(), o.id, o.status);
      ctx.out(`ticket ${o.id}: ${r.before} -> ${r.after}${mailedText(r.mailed)}`);
    });

  program
    .command('ticket:reply')
    .description('add a reply by Vcare to a ticket; the reporter is mailed')
    .argument('<id>', 'ticket number')
    .requiredOption('--body <text>', 'the reply; "-" reads it from standard input')
    .option('--staff-name <name>', 'name shown with the reply (default: Support)')
    .option(
      '--attach <file>',
      'add a file (images, PDF, Office, text, logs, ZIP; at most 20 MB; up to 10 times)',
      (v: string, all: string[] = []) => [...all, v],
    )
    .action(async (rawId: string, raw: Record<string, unknown>) => {
      const body = raw.body === '-' ? await readStdin() : raw.body;
      const o = parse(
        z.object({ id, body: text(10_000), staffName: text(100).default('Support') }),
        { ...raw, body, id: rawId },
        ['id'],
      );
      const paths = (raw.attach as string[] | undefined) ?? [];
      if (paths.length > UPLOAD_LIMITS.files) throw new CliError(`--attach: at most ${UPLOAD_LIMITS.files} files`);
      await tickets.mustExist(o.id);
      const files = await storeFiles(storage, paths);
      const r = await tickets.reply(staffActor(), o.id, o.body, o.staffName, { files }).catch(async (e: unknown) => {
        await Promise.all(files.map((f) => storage.delete(f.key).catch(() => {})));
        throw e;
      });
      ctx.out(
        `ticket ${o.id}: reply ${r.noteId} added${files.length ? ` with ${files.length} file(s)` : ''}${mailedText(r.mailed)}`,
      );
    });

  program
    .command('ticket:deadline')
    .description('set the deadline of a ticket')
    .argument('<id>', 'ticket number')
    .argument('<date>', 'YYYY-MM-DD')
    .action(async (rawId: string, rawDate: string) => {
      const o = parse(z.object({ id, date }), { id: rawId, date: rawDate }, ['id', 'date']);
      const r = await tickets.changeDeadline(staffActor(), o.id, o.date);
      ctx.out(`ticket ${o.id}: deadline ${r.before ?? '-'} -> ${r.after}`);
    });

  program
    .command('ticket:import')
    .description(
      'import tickets from another helpdesk (CSV with a header line, or a JSON array); all or nothing; nobody is mailed',
    )
    .argument('<file>', 'the file (.csv or .json)')
    .option('--format <format>', 'csv or json (default: from the file name)')
    .action(async (file: string, raw: Record<string, unknown>) => {
      const o = parse(z.object({ format: z.enum(['csv', 'json'], 'must be csv or json').optional() }), raw);
      const format =
        o.format ??
        (file.toLowerCase().endsWith('.json') ? 'json' : file.toLowerCase().endsWith('.csv') ? 'csv' : undefined);
      if (!format) throw new CliError('--format: give csv or json (the file name does not tell)');
      let content: string;
      try {
        content = readFileSync(file, 'utf8');
      } catch (e) {
        throw new CliError(`<file>: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      const tty = process.stderr.isTTY === true;
      // Progress only for a person watching; a pipe or a log gets just the result line.
      const progress = tty
        ? (done: number, total: number) => process.stderr.write(`\rimporting ${done}/${total}`)
        : undefined;
      const result = await tickets.importRecords(staffActor(), readRecords(content, format), progress);
      if (tty) process.stderr.write('\n');
      ctx.out(`imported ${result.count} tickets (numbers ${result.firstId}-${result.lastId})`);
    });
}
