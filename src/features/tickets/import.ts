import { parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import type { AuditActor } from '../../audit.js';
import { recordAudit } from '../../audit.js';
import type { TicketConfig } from '../../config.js';
import { inTransaction, type Prisma, type PrismaClient, type Tx } from '../../db/client.js';
import { parseIsoDateTime } from '../../cli/time.js';
import { TicketChannel, TicketKind, TicketStatus } from '../../generated/prisma/enums.js';
import { refuse } from '../../http/errors.js';
import { addWorkingDays } from '../../working-days.js';
import { textOf } from '../../http/validation.js';

/**
 * Tickets from another helpdesk: a JSON array of objects or a CSV file with a header line
 * (`;` or `,`), snake_case column names. All rows are checked before anything is written, and
 * everything is written in one transaction: all or nothing. Given ticket numbers are kept
 * and the number sequence moves past them. Nobody is mailed (it is history).
 */

const blank = (v: unknown) =>
  v === undefined || v === null || (typeof v === 'string' && v.trim() === '') ? undefined : v;
const toText = (v: unknown) => (v === undefined ? undefined : typeof v === 'string' ? v : textOf(v));
/** An optional column: empty means absent. */
const opt = <T extends z.ZodType>(s: T) => z.preprocess((v) => toText(blank(v)), s.optional());
/** A required column: empty is checked as '' (so the message says what is wrong, not "undefined"). */
const req = <T extends z.ZodType>(s: T) => z.preprocess((v) => toText(blank(v)) ?? '', s);
const str = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const instant = z.string().transform((v, ctx) => {
  const d = parseIsoDateTime(v);
  if (!d) {
    ctx.addIssue({ code: 'custom', message: `not an ISO date-time: "${v}"` });
    return z.NEVER;
  }
  return d;
});
const day = z.string().transform((v, ctx) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v.trim());
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!d || d.getUTCDate() !== Number(m![3]) || d.getUTCMonth() !== Number(m![2]) - 1) {
    ctx.addIssue({ code: 'custom', message: `not a date (YYYY-MM-DD): "${v}"` });
    return z.NEVER;
  }
  return d;
});
const upperEnum = <E extends Record<string, string>>(e: E) =>
  z
    .string()
    .trim()
    .toUpperCase()
    .pipe(z.enum(e, { error: (iss) => `must be one of ${Object.values(e).join(', ')} (got "${String(iss.input)}")` }));
const number = z
  .string()
  .trim()
  .regex(/^[1-9]\d{0,8}$/, 'must be a positive whole number')
  .transform(Number);

const Row = z.object({
  id: opt(number),
  organization_id: req(number),
  reporter_email: opt(z.string().trim().toLowerCase().pipe(z.email('not a valid e-mail address'))),
  title: req(str(200)),
  description: opt(str(10_000)),
  kind: opt(upperEnum(TicketKind)),
  status: opt(upperEnum(TicketStatus)).transform((v) => v ?? 'NEW'),
  application: opt(str(200)),
  module: opt(str(200)),
  helpdesk: opt(str(200)),
  channel: opt(upperEnum(TicketChannel)).transform((v) => v ?? 'STAFF'),
  reported_at: req(instant),
  deadline: opt(day),
  customer_reference: opt(str(100)),
  alternative_phone: opt(str(25)),
  resolved_at: opt(instant),
});
type ImportRow = z.output<typeof Row>;

/** The columns of a ticket import (snake_case), each with its rule: the API checks its tickets with the same rules. */
export const TICKET_IMPORT_COLUMNS = Object.keys(Row.shape);

/** Reads the file's records (CSV or JSON by name or content). */
export function readRecords(content: string, format: 'csv' | 'json'): Record<string, unknown>[] {
  if (format === 'json') {
    let data: unknown;
    try {
      data = JSON.parse(content);
    } catch (e) {
      throw refuse('<file>', `not valid JSON: ${(e as Error).message}`);
    }
    if (!Array.isArray(data) || data.some((r) => typeof r !== 'object' || r === null || Array.isArray(r))) {
      throw refuse('<file>', 'JSON must be an array of ticket objects');
    }
    return data as Record<string, unknown>[];
  }
  const firstLine = content.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  try {
    return parseCsv(content, {
      columns: true,
      bom: true,
      delimiter: firstLine.includes(';') ? ';' : ',',
      skip_empty_lines: true,
      trim: true,
    });
  } catch (e) {
    throw refuse('<file>', `not valid CSV: ${(e as Error).message}`);
  }
}

/** Checks every record; the first problem is refused naming its row and field. */
export async function validateRecords(
  prisma: PrismaClient | Tx,
  records: Record<string, unknown>[],
): Promise<(ImportRow & { reporterId: number | null })[]> {
  if (records.length === 0) throw refuse('<file>', 'no tickets in the file');
  const rows = records.map((r, i) => {
    const parsed = Row.safeParse(r);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw refuse('<file>', `row ${i + 1}: ${String(issue.path[0] ?? '')}: ${issue.message}`);
    }
    return parsed.data;
  });
  const seen = new Set<number>();
  rows.forEach((r, i) => {
    if (r.id === undefined) return;
    if (seen.has(r.id)) throw refuse('<file>', `row ${i + 1}: id: ticket number ${r.id} appears twice in the file`);
    seen.add(r.id);
  });
  await refuseTakenNumbers(prisma, rows);
  const orgIds = [...new Set(rows.map((r) => r.organization_id))];
  const orgs = new Set(
    (await prisma.organization.findMany({ where: { id: { in: orgIds } }, select: { id: true } })).map((o) => o.id),
  );
  const emails = [...new Set(rows.flatMap((r) => (r.reporter_email ? [r.reporter_email] : [])))];
  const contacts = new Map(
    (
      await prisma.contact.findMany({
        where: { email: { in: emails }, deletedAt: null },
        select: { id: true, email: true, organizationId: true },
      })
    ).map((c) => [c.email!, c]),
  );
  return rows.map((r, i) => {
    const at = `row ${i + 1}`;
    if (!orgs.has(r.organization_id))
      throw refuse('<file>', `${at}: organization_id: no organisation with id ${r.organization_id}`);
    const reporter = r.reporter_email ? contacts.get(r.reporter_email) : undefined;
    if (r.reporter_email && (!reporter || reporter.organizationId !== r.organization_id)) {
      throw refuse(
        '<file>',
        `${at}: reporter_email: no contact ${r.reporter_email} in organisation ${r.organization_id}`,
      );
    }
    if (r.resolved_at && r.status !== 'RESOLVED')
      throw refuse('<file>', `${at}: resolved_at: only for status RESOLVED`);
    return { ...r, reporterId: reporter?.id ?? null };
  });
}

/**
 * Refuses (409) the first row whose ticket number is already in use: before any work, and again
 * under the table lock of the import, where two imports (or API calls) of one number at once meet;
 * the second then gets this answer instead of the insert's unique violation (a 500).
 */
async function refuseTakenNumbers(db: PrismaClient | Tx, rows: { id?: number }[]): Promise<void> {
  const ids = rows.flatMap((r) => (r.id === undefined ? [] : [r.id]));
  const taken = ids.length
    ? await db.ticket.findMany({ where: { id: { in: ids } }, select: { id: true }, take: 1 })
    : [];
  if (taken.length)
    throw refuse(
      '<file>',
      `row ${rows.findIndex((r) => r.id === taken[0]!.id) + 1}: id: ticket number ${taken[0]!.id} already exists`,
      { code: 'CONFLICT' },
    );
}

/** Writes the checked rows in one transaction; `progress(done, total)` after each chunk. */
export async function importTickets(
  db: PrismaClient | Tx,
  rows: Awaited<ReturnType<typeof validateRecords>>,
  ctx: { staff: AuditActor; settings: TicketConfig; progress?: (done: number, total: number) => void },
): Promise<{ count: number; firstId: number; lastId: number }> {
  const data = (r: (typeof rows)[number]): Prisma.TicketCreateManyInput => ({
    ...(r.id !== undefined ? { id: r.id } : {}),
    organizationId: r.organization_id,
    reporterId: r.reporterId,
    title: r.title,
    description: r.description ?? null,
    kind: r.kind ?? null,
    status: r.status,
    application: r.application ?? null,
    module: r.module ?? null,
    helpdesk: r.helpdesk ?? ctx.settings.helpdeskName,
    channel: r.channel,
    reportedAt: r.reported_at,
    deadline: r.deadline ?? addWorkingDays(r.reported_at, ctx.settings.slaDays[r.kind ?? 'DEFAULT']),
    customerReference: r.customer_reference ?? null,
    alternativePhone: r.alternative_phone ?? null,
    resolvedAt: r.status === 'RESOLVED' ? (r.resolved_at ?? r.reported_at) : null,
  });
  // Numbered rows first, then the sequence past them, then the rows that take a new number.
  const numbered = rows.filter((r) => r.id !== undefined);
  const unnumbered = rows.filter((r) => r.id === undefined);
  const CHUNK = 1000;
  return inTransaction(
    db,
    async (tx) => {
      // Nobody else files a ticket while the numbers move (a new ticket waits, it is not lost).
      await tx.$executeRaw`LOCK TABLE tickets IN SHARE ROW EXCLUSIVE MODE`;
      await refuseTakenNumbers(tx, rows);
      let done = 0;
      const write = async (list: typeof rows) => {
        for (let i = 0; i < list.length; i += CHUNK) {
          await tx.ticket.createMany({ data: list.slice(i, i + CHUNK).map(data) });
          done += Math.min(CHUNK, list.length - i);
          ctx.progress?.(done, rows.length);
        }
      };
      await write(numbered);
      await tx.$executeRaw`SELECT setval(pg_get_serial_sequence('tickets', 'id'), GREATEST(
        (SELECT max(id) FROM tickets),
        (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM tickets_id_seq)))`;
      const before = await tx.$queryRaw<{ v: bigint }[]>`SELECT last_value AS v FROM tickets_id_seq`;
      await write(unnumbered);
      const ids = numbered.map((r) => r.id!);
      if (unnumbered.length) {
        const last = await tx.$queryRaw<{ v: bigint }[]>`SELECT last_value AS v FROM tickets_id_seq`;
        ids.push(Number(before[0]!.v) + 1, Number(last[0]!.v));
      }
      const summary = { count: rows.length, firstId: Math.min(...ids), lastId: Math.max(...ids) };
      // One ticket is one creation (its own audit event and webhook event); more are one import.
      if (rows.length === 1) {
        const r = rows[0]!;
        await recordAudit(tx, {
          actor: ctx.staff,
          kind: 'ticket.created',
          organizationId: r.organization_id,
          subjectType: 'ticket',
          subjectId: summary.firstId,
          after: { title: r.title, kind: r.kind ?? null, status: r.status, channel: r.channel },
        });
      } else {
        await recordAudit(tx, { actor: ctx.staff, kind: 'ticket.imported', subjectType: 'ticket', after: summary });
      }
      return summary;
    },
    { timeout: 600_000, maxWait: 30_000 },
  );
}
