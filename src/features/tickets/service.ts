import type { Actor } from '../../auth/actor.js';
import { inTransaction, Prisma, type PrismaClient, type Tx } from '../../db/client.js';
import { MERGE_MAX_ORGS, rawReader, type RawRead } from '../../db/read.js';
import type pg from 'pg';
import type { TicketConfig } from '../../config.js';
import type { TicketStatus } from '../../generated/prisma/enums.js';
import { AppError } from '../../http/errors.js';
import { likeEscape, pageInfo, PER_PAGE, type PageInfo } from '../../http/list.js';
import { recordAudit } from '../../audit.js';
import { TICKET_STATUSES, type TicketInput } from './schema.js';
import { currentTickets, currentTicketsSql, noteState, recentlyResolved, recentlyResolvedSql } from './note-state.js';
import { addWorkingDays } from '../../working-days.js';
import { mailHelpdesk, mailTicketPeople, ticketLink } from './mail.js';
import { mayPick, orgIdCondition, scope, scopeOrganizations as scopeOrgs, ticketScopeSql } from '../../auth/scope.js';
import { Role } from '../../auth/roles.js';
import { attachFiles, type AttachmentInput } from './attachments.js';
import { invoiceForQuestion } from './invoice-question.js';

/** The list's filters: which statuses, which organisation, what text, which page per group. */
export interface TicketListQuery {
  status: 'current' | 'all' | TicketStatus;
  /** For "current": resolved tickets count as current when resolved at or after this (reopenCutoff). */
  reopenCutoff: Date;
  org: number | null;
  /** "Tickets waar ik bij betrokken ben": only tickets the person is a Betrokkene of. */
  watching?: boolean;
  q: string;
  dir: 'asc' | 'desc';
  pages: Partial<Record<TicketStatus, number>>;
}

const rowSelect = {
  id: true,
  title: true,
  status: true,
  kind: true,
  application: true,
  module: true,
  reportedAt: true,
  deadline: true,
  helpdesk: true,
  organizationId: true,
} satisfies Prisma.TicketSelect;

/** One row of the list, with its organisation's name (known from the actor's scope: no join, no second query). */
export type TicketRow = Prisma.TicketGetPayload<{ select: typeof rowSelect }> & { organization: { name: string } };

/** One status group of the list: its count, one page of its rows. */
export interface TicketGroup {
  status: TicketStatus;
  count: number;
  rows: TicketRow[];
  info: PageInfo;
}

/**
 * The list's filter; for one status group (`group`) "actueel" needs no status condition except
 * for Afgehandeld (recently resolved), which keeps each group's query on its indexes.
 */
function listWhere(actor: Actor, query: TicketListQuery, group?: TicketStatus): Prisma.TicketWhereInput {
  const and: Prisma.TicketWhereInput[] = [scope.tickets(actor, query.org !== null ? [query.org] : undefined)];
  if (query.watching) and.push({ watchers: { some: { contactId: actor.id } } });
  if (group) and.push({ status: group });
  if (query.status === 'current') {
    if (!group) and.push(currentTickets(query.reopenCutoff));
    else if (group === 'RESOLVED') and.push(recentlyResolved(query.reopenCutoff));
  } else if (query.status !== 'all') and.push({ status: query.status });
  if (query.q) {
    // Prisma passes `contains` to ILIKE as it is: escape the wildcards so "50%" means 50%.
    const like = likeEscape(query.q);
    const or: Prisma.TicketWhereInput[] = [
      { title: { contains: like, mode: 'insensitive' } },
      { customerReference: { contains: like, mode: 'insensitive' } },
    ];
    const n = /^#?(\d{1,9})$/.exec(query.q);
    if (n) or.unshift({ id: Number(n[1]) });
    and.push({ OR: or });
  }
  return { AND: and };
}

/** A status as an SQL literal (from the closed list only): PostgreSQL makes it the enum once, at parse time. */
function statusSql(status: TicketStatus): Prisma.Sql {
  if (!TICKET_STATUSES.includes(status)) throw new Error(`Unknown ticket status ${String(status)}`);
  return Prisma.raw(`'${status}'`);
}

/** listWhere for raw SQL over `tickets t`: the same conditions, the same scope (src/auth/scope.ts). */
function listWhereSql(actor: Actor, query: TicketListQuery, group?: TicketStatus): Prisma.Sql {
  const and = [Prisma.sql`(${ticketScopeSql(actor, query.org !== null ? [query.org] : undefined)})`];
  if (query.watching)
    and.push(
      Prisma.sql`EXISTS (SELECT 1 FROM ticket_watchers m WHERE m.ticket_id = t.id AND m.contact_id = ${actor.id})`,
    );
  if (group) and.push(Prisma.sql`t.status = ${statusSql(group)}`);
  if (query.status === 'current') {
    if (!group) and.push(currentTicketsSql(query.reopenCutoff));
    else if (group === 'RESOLVED') and.push(recentlyResolvedSql(query.reopenCutoff));
  } else if (query.status !== 'all') and.push(Prisma.sql`t.status = ${statusSql(query.status)}`);
  if (query.q) {
    const like = `%${likeEscape(query.q)}%`;
    const or = [Prisma.sql`t.title ILIKE ${like}`, Prisma.sql`t.customer_reference ILIKE ${like}`];
    const n = /^#?(\d{1,9})$/.exec(query.q);
    if (n) or.unshift(Prisma.sql`t.id = ${Number(n[1])}`);
    and.push(Prisma.sql`(${Prisma.join(or, ' OR ')})`);
  }
  return Prisma.join(and, ' AND ');
}

type ListedTicket = Prisma.TicketGetPayload<{ select: typeof rowSelect }>;

/** One group's page to read: which status, how many rows to skip and to take. */
interface GroupPage {
  status: TicketStatus;
  skip: number;
  take: number;
}

/**
 * How the list reads: the counts per status with, when every group fits on its first page,
 * all rows (`take` at most); otherwise one page of each group.
 */
interface TicketListReads {
  countsAndAll(take: number): Promise<{ counts: { status: TicketStatus; n: number }[]; all: ListedTicket[] | null }>;
  groups(pages: GroupPage[]): Promise<ListedTicket[][]>;
}

/** The reads through Prisma (a transaction, or no pool): the counts, then the rows. */
function prismaReads(prisma: PrismaClient | Tx, actor: Actor, query: TicketListQuery): TicketListReads {
  const where = listWhere(actor, query);
  const orderBy = [{ reportedAt: query.dir }, { id: query.dir }] satisfies Prisma.TicketOrderByWithRelationInput[];
  return {
    countsAndAll: async (take) => {
      const counts = (await prisma.ticket.groupBy({ by: ['status'], where, _count: { _all: true } })).map((c) => ({
        status: c.status,
        n: c._count._all,
      }));
      if (!counts.every((c) => c.n <= PER_PAGE)) return { counts, all: null };
      return { counts, all: await prisma.ticket.findMany({ where, select: rowSelect, orderBy, take }) };
    },
    groups: (pages) =>
      Promise.all(
        pages.map(({ status, skip, take }) =>
          prisma.ticket.findMany({ where: listWhere(actor, query, status), select: rowSelect, orderBy, skip, take }),
        ),
      ),
  };
}

/** A row as the pool returns it: the day as text, made the UTC midnight Prisma gives for a @db.Date. */
type TicketSqlRow = Omit<ListedTicket, 'deadline'> & { deadline: string | null };

const ROW_COLUMNS = Prisma.sql`t.id, t.title, t.status::text AS status, t.kind::text AS kind, t.application, t.module,
  t.reported_at AS "reportedAt", t.deadline::text AS deadline, t.helpdesk, t.organization_id AS "organizationId"`;

/** A pool row as Prisma gives it (only the list's columns: the statement may carry more). */
function listed(r: TicketSqlRow): ListedTicket {
  return {
    id: r.id,
    title: r.title,
    status: r.status,
    kind: r.kind,
    application: r.application,
    module: r.module,
    reportedAt: r.reportedAt,
    deadline: r.deadline === null ? null : new Date(`${r.deadline}T00:00:00Z`),
    helpdesk: r.helpdesk,
    organizationId: r.organizationId,
  };
}

/**
 * The organisations a group's page may merge over (a top-N per organisation, see groupPageSql),
 * or null where the plain query is the better plan: one organisation (its index gives the order
 * already) or more than MERGE_MAX_ORGS, a person who sees only their own tickets, a search or
 * "Betrokken" (few rows, found through other indexes), and Afgehandeld under "actueel" (the
 * recently resolved, found through the resolved_at indexes).
 */
function mergeOrgs(actor: Actor, query: TicketListQuery, status: TicketStatus): number[] | null {
  if (!actor.roles.has(Role.MANAGE_ORG_TICKETS) || query.q || query.watching) return null;
  if (query.status === 'current' && status === 'RESOLVED') return null;
  const org = orgIdCondition(actor, query.org !== null ? [query.org] : undefined);
  return typeof org === 'number' || org.in.length < 2 || org.in.length > MERGE_MAX_ORGS ? null : org.in;
}

/**
 * One page of one status group. Over several organisations an index on (organisation, status,
 * reported at, id) gives each organisation's order, not one order across them: the plain query
 * then sorts the whole group (5,000 rows at 10x data). Instead each organisation gives its first
 * skip + take rows from that index (LATERAL … LIMIT), and only those are sorted: O(organisations
 * x page) rows, whatever the group's size.
 */
function groupPageSql(actor: Actor, query: TicketListQuery, { status, skip, take }: GroupPage): Prisma.Sql {
  const d = query.dir === 'desc' ? Prisma.sql`DESC` : Prisma.sql`ASC`;
  const orgs = mergeOrgs(actor, query, status);
  if (!orgs)
    return Prisma.sql`SELECT ${ROW_COLUMNS} FROM tickets t WHERE ${listWhereSql(actor, query, status)}
      ORDER BY t.reported_at ${d}, t.id ${d} LIMIT ${take} OFFSET ${skip}`;
  const statusOnly =
    query.status === 'current' || query.status === 'all'
      ? Prisma.empty
      : Prisma.sql` AND t.status = ${statusSql(query.status)}`;
  return Prisma.sql`SELECT m.* FROM unnest(${orgs}::int[]) AS o(id) CROSS JOIN LATERAL (
      SELECT ${ROW_COLUMNS} FROM tickets t WHERE t.organization_id = o.id AND t.status = ${statusSql(status)}${statusOnly}
      ORDER BY t.reported_at ${d}, t.id ${d} LIMIT ${skip + take}) m
    ORDER BY m."reportedAt" ${d}, m.id ${d} LIMIT ${take} OFFSET ${skip}`;
}

/**
 * The counts per status. For "actueel" in parts, each a range of the (organisation, status,
 * resolved at, updated at) index: the open statuses, then Afgehandeld resolved since the cutoff
 * and Afgehandeld without a resolution date changed since it; one GROUP BY over `status <>
 * 'RESOLVED' OR …` reads every ticket in scope (11,000 at 10x data, for about 400 current).
 */
function countsSql(actor: Actor, query: TicketListQuery): Prisma.Sql {
  if (query.status !== 'current')
    return Prisma.sql`SELECT t.status::text AS status, count(*)::int AS n FROM tickets t
      WHERE ${listWhereSql(actor, query)} GROUP BY t.status`;
  const open = Prisma.join(TICKET_STATUSES.filter((s) => s !== 'RESOLVED').map(statusSql), ', ');
  const all = { ...query, status: 'all' as const };
  // recentlyResolvedSql's two branches apart (they never overlap), so each is a range of the index;
  // OFFSET 0 keeps the sum from being computed once more for the WHERE.
  const resolved = Prisma.sql`${listWhereSql(actor, all)} AND t.status = 'RESOLVED'`;
  const cutoff = query.reopenCutoff;
  return Prisma.sql`SELECT t.status::text AS status, count(*)::int AS n FROM tickets t
      WHERE ${listWhereSql(actor, all)} AND t.status IN (${open}) GROUP BY t.status
    UNION ALL
    SELECT 'RESOLVED', r.n FROM (SELECT (
      (SELECT count(*) FROM tickets t WHERE ${resolved} AND t.resolved_at >= ${cutoff}::timestamptz) +
      (SELECT count(*) FROM tickets t WHERE ${resolved} AND t.resolved_at IS NULL AND t.updated_at >= ${cutoff}::timestamptz)
    )::int AS n OFFSET 0) r WHERE r.n > 0`;
}

/**
 * The same reads as named prepared statements on the pool (src/db/read.ts), one statement
 * each: the counts with all rows of a small list (each part planned on its own; the rows only
 * when every count fits on a page), and every group's page in one UNION ALL.
 */
function poolReads(read: RawRead, actor: Actor, query: TicketListQuery): TicketListReads {
  const where = listWhereSql(actor, query);
  const d = query.dir === 'desc' ? Prisma.sql`DESC` : Prisma.sql`ASC`;
  return {
    countsAndAll: async (take) => {
      const found = await read<TicketSqlRow & { statuses: TicketStatus[]; ns: number[]; fits: boolean }>(Prisma.sql`
        SELECT c.statuses, c.ns, c.fits, p.* FROM (
          SELECT coalesce(array_agg(g.status), '{}') AS statuses, coalesce(array_agg(g.n), '{}') AS ns,
            coalesce(bool_and(g.n <= ${PER_PAGE}), true) AS fits
          FROM (${countsSql(actor, query)}) g
        ) c LEFT JOIN LATERAL (
          SELECT ${ROW_COLUMNS} FROM tickets t WHERE c.fits AND ${where} ORDER BY t.reported_at ${d}, t.id ${d} LIMIT ${take}
        ) p ON true`);
      const head = found[0]!;
      const counts = head.statuses.map((status, i) => ({ status, n: head.ns[i]! }));
      return { counts, all: head.fits ? found.filter((r) => r.id !== null).map(listed) : null };
    },
    groups: async (pages) => {
      if (pages.length === 0) return [];
      // Every status has its part (LIMIT 0 for those without a page), so the statement's text
      // depends on the kind of list only, not on which groups are empty: each text is a named
      // prepared statement on every pool connection.
      const wanted = new Map(pages.map((p) => [p.status, p]));
      const pageOf = (status: TicketStatus): GroupPage => wanted.get(status) ?? { status, skip: 0, take: 0 };
      const parts = TICKET_STATUSES.map(
        (status, k) => Prisma.sql`SELECT ${k}::int AS k, g.* FROM (${groupPageSql(actor, query, pageOf(status))}) g`,
      );
      const found = await read<TicketSqlRow & { k: number }>(
        Prisma.sql`SELECT u.* FROM (${Prisma.join(parts, ' UNION ALL ')}) u ORDER BY u.k, u."reportedAt" ${d}, u.id ${d}`,
      );
      return pages.map((p) => {
        const k = TICKET_STATUSES.indexOf(p.status);
        return found.filter((r) => r.k === k).map(listed);
      });
    },
  };
}

/**
 * The ticket list grouped by status in the manual's order. The counts come from one GROUP BY
 * over the (organization_id | reporter_id, status, reported_at) indexes. When every group fits
 * on its first page (the usual case: a team's current tickets), the same statement reads all
 * rows; otherwise one more reads each group's page (over several organisations a top-N per
 * organisation, groupPageSql). With the pool (the pages) these are named prepared statements
 * on it (src/db/read.ts); otherwise (a transaction, tests) Prisma's, with the same results.
 */
export async function listTickets(
  prisma: PrismaClient | Tx,
  actor: Actor,
  query: TicketListQuery,
  pool?: pg.Pool,
): Promise<{ total: number; groups: TicketGroup[] }> {
  const reads =
    pool && '$disconnect' in prisma
      ? poolReads(rawReader(prisma, pool), actor, query)
      : prismaReads(prisma, actor, query);
  const names = new Map(actor.orgs.map((o) => [o.id, o.name]));
  // Field by field, not `{ ...r }`: a spread copies through V8's generic path, and a page maps 200 rows.
  const named = (found: ListedTicket[]): TicketRow[] =>
    found.map((r) => ({
      id: r.id,
      title: r.title,
      status: r.status,
      kind: r.kind,
      application: r.application,
      module: r.module,
      reportedAt: r.reportedAt,
      deadline: r.deadline,
      helpdesk: r.helpdesk,
      organizationId: r.organizationId,
      organization: { name: names.get(r.organizationId) ?? '' },
    }));
  const read = await reads.countsAndAll(TICKET_STATUSES.length * PER_PAGE);
  const counts = new Map(read.counts.map((c) => [c.status, c.n]));
  const statuses = TICKET_STATUSES.filter((s) => (counts.get(s) ?? 0) > 0);
  const infoOf = (status: TicketStatus) => {
    const count = counts.get(status)!;
    return pageInfo(count, {
      page: Math.min(query.pages[status] ?? 1, Math.ceil(count / PER_PAGE)),
      perPage: PER_PAGE,
    });
  };
  let groups: TicketGroup[];
  if (read.all) {
    const all = named(read.all);
    groups = statuses.map((status) => ({
      status,
      count: counts.get(status)!,
      rows: all.filter((r) => r.status === status),
      info: infoOf(status),
    }));
  } else {
    const infos = statuses.map(infoOf);
    const pages = await reads.groups(
      statuses.map((status, i) => ({ status, skip: (infos[i]!.page - 1) * PER_PAGE, take: PER_PAGE })),
    );
    groups = statuses.map((status, i) => ({ status, count: infos[i]!.total, rows: named(pages[i]!), info: infos[i]! }));
  }
  return { total: groups.reduce((n, g) => n + g.count, 0), groups };
}

/** The organisations a person may file for or filter on (own first, then subsidiaries by name). */
export function scopeOrganizations(actor: Actor) {
  const orgs = scopeOrgs(actor);
  return [...orgs.filter((o) => o.id === actor.organizationId), ...orgs.filter((o) => o.id !== actor.organizationId)];
}

/** What the new-ticket form shows of the reporter ("Aanmelder"). */
export async function reporterDefaults(prisma: PrismaClient | Tx, actor: Actor) {
  const me = await prisma.contact.findUniqueOrThrow({ where: { id: actor.id }, select: { phone: true } });
  return { contactName: actor.displayName, phone: me.phone, organizations: scopeOrganizations(actor) };
}

/** Everything the detail page shows; null-safe for a ticket out of scope (404). */
export async function getTicket(prisma: PrismaClient | Tx, actor: Actor, id: number) {
  const ticket = await prisma.ticket.findFirst({
    where: { AND: [{ id }, scope.tickets(actor)] },
    include: {
      organization: { select: { name: true } },
      reporter: { select: { firstName: true, infix: true, lastName: true, phone: true, email: true } },
      verdict: { select: { score: true, comment: true } },
      invoice: { select: { id: true, number: true } },
      notes: {
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        include: { author: { select: { firstName: true, infix: true, lastName: true } } },
      },
    },
  });
  if (!ticket) throw new AppError('NOT_FOUND');
  return ticket;
}

/**
 * Files a ticket for the actor: status NEW, channel PORTAL, the service level's deadline; mails reporter and helpdesk.
 */
export async function createTicket(
  prisma: PrismaClient | Tx,
  actor: Actor,
  input: TicketInput,
  ctx: { now: Date; settings: TicketConfig; baseUrl: string },
  attachments: AttachmentInput = { files: [], keep: [] },
) {
  if (!mayPick(actor, input.organizationId)) throw new AppError('NOT_FOUND');
  return inTransaction(prisma, async (tx) => {
    // A question about an invoice: that invoice's organisation, kind "Vraag", the financial helpdesk.
    const invoice = input.invoiceId ? await invoiceForQuestion(tx, actor, input.invoiceId) : null;
    if (input.invoiceId && !invoice) throw new AppError('NOT_FOUND');
    const kind = invoice ? (input.kind ?? 'QUESTION') : input.kind;
    const helpdesk = invoice
      ? { name: ctx.settings.financeHelpdeskName, email: ctx.settings.financeHelpdeskEmail }
      : { name: ctx.settings.helpdeskName, email: ctx.settings.helpdeskEmail };
    const deadline = addWorkingDays(ctx.now, ctx.settings.slaDays[kind ?? 'DEFAULT']);
    const ticket = await tx.ticket.create({
      data: {
        organizationId: invoice?.organizationId ?? input.organizationId,
        reporterId: actor.id,
        title: input.title,
        description: input.description,
        kind,
        status: 'NEW',
        channel: 'PORTAL',
        helpdesk: helpdesk.name,
        invoiceId: invoice?.id ?? null,
        reportedAt: ctx.now,
        deadline,
        customerReference: input.customerReference,
        alternativePhone: input.alternativePhone,
      },
      include: { organization: { select: { name: true } } },
    });
    const files = await attachFiles(tx, actor, { ticketId: ticket.id }, attachments, ctx.now);
    await recordAudit(tx, {
      actor,
      kind: 'ticket.created',
      organizationId: ticket.organizationId,
      subjectType: 'ticket',
      subjectId: ticket.id,
      after: {
        title: ticket.title,
        kind: ticket.kind,
        status: ticket.status,
        deadline: deadline.toISOString().slice(0, 10),
        ...(files ? { files } : {}),
      },
    });
    const mailCtx = {
      ticket,
      reporterName: actor.displayName,
      link: ticketLink(ctx.baseUrl, ticket.id),
      helpdesk: helpdesk.name,
      invoiceNumber: invoice?.number ?? null,
    };
    await mailTicketPeople(tx, 'ticket_created', 'ticket-created', mailCtx, {
      baseUrl: ctx.baseUrl,
      linkSecret: ctx.settings.linkSecret,
      replyDomain: ctx.settings.replyDomain,
    });
    await mailHelpdesk(tx, helpdesk.email, 'ticket-created-helpdesk', mailCtx);
    return ticket;
  });
}

/**
 * The outcome of adding a note: saved (perhaps reopening the ticket), or refused because the ticket is closed for good.
 */
export type NoteResult = { saved: true; reopened: boolean; resumed: boolean } | { saved: false };

/**
 * Adds a customer's note. On a ticket that waits for the customer it goes back to In
 * behandeling; a resolved ticket reopens within the configured days and refuses after. The
 * helpdesk is mailed; the customer never is for their own change.
 */
export async function addNote(
  prisma: PrismaClient | Tx,
  actor: Actor,
  id: number,
  body: string,
  ctx: { now: Date; settings: TicketConfig; baseUrl: string },
  attachments: AttachmentInput = { files: [], keep: [] },
  opts: { viaMail?: boolean } = {},
): Promise<NoteResult & { noteId?: number }> {
  return inTransaction(prisma, async (tx) => {
    const found = await tx.ticket.findFirst({ where: { AND: [{ id }, scope.tickets(actor)] }, select: { id: true } });
    if (!found) throw new AppError('NOT_FOUND');
    // Lock the row: a staff status change at the same moment waits for this note, or this for it.
    const [ticket] = await tx.$queryRaw<
      {
        id: number;
        status: TicketStatus;
        resolved_at: Date | null;
        updated_at: Date;
        organization_id: number;
        title: string;
        invoice_id: number | null;
      }[]
    >`
      SELECT id, status, resolved_at, updated_at, organization_id, title, invoice_id FROM tickets WHERE id = ${id} FOR UPDATE`;
    const state = noteState(
      { status: ticket!.status, resolvedAt: ticket!.resolved_at, updatedAt: ticket!.updated_at },
      ctx.now,
      ctx.settings.reopenDays,
    );
    if (state === 'closed') return { saved: false };
    const note = await tx.ticketNote.create({
      data: { ticketId: id, authorId: actor.id, body, createdAt: ctx.now, viaMail: opts.viaMail ?? false },
    });
    const files = await attachFiles(tx, actor, { ticketId: id, noteId: note.id }, attachments, ctx.now);
    const audit = { actor, organizationId: ticket!.organization_id, subjectType: 'ticket', subjectId: id } as const;
    await recordAudit(tx, {
      ...audit,
      kind: 'ticket.note_added',
      after: { noteId: note.id, ...(files ? { files } : {}), ...(opts.viaMail ? { via: 'mail' } : {}) },
    });
    let newStatus: TicketStatus | null = null;
    if (ticket!.status === 'WAITING_CUSTOMER' || state === 'reopens') {
      newStatus = 'IN_PROGRESS';
      await tx.ticket.update({
        where: { id },
        data: { status: newStatus, resolvedAt: null, version: { increment: 1 } },
      });
      await recordAudit(tx, {
        ...audit,
        kind: 'ticket.status_changed',
        before: { status: ticket!.status },
        after: { status: newStatus, reason: 'customer note' },
      });
    } else {
      // A new note is a change of the ticket: its ETag and "changed since" move (the integration API).
      await tx.ticket.update({ where: { id }, data: { version: { increment: 1 } } });
    }
    // A colleague's note: the others on the ticket hear of it (never the author: their own change).
    await mailTicketPeople(
      tx,
      'ticket_note',
      'ticket-note',
      { ticket: { id, title: ticket!.title }, author: actor.displayName, body, link: ticketLink(ctx.baseUrl, id) },
      { baseUrl: ctx.baseUrl, linkSecret: ctx.settings.linkSecret, replyDomain: ctx.settings.replyDomain },
      { except: actor.id },
    );
    // A question about an invoice stays with the financial helpdesk.
    await mailHelpdesk(
      tx,
      ticket!.invoice_id ? ctx.settings.financeHelpdeskEmail : ctx.settings.helpdeskEmail,
      'ticket-note-helpdesk',
      {
        ticket: { id, title: ticket!.title },
        author: actor.displayName,
        body,
        statusBefore: ticket!.status,
        statusAfter: newStatus,
        link: ticketLink(ctx.baseUrl, id),
      },
    );
    return {
      saved: true,
      reopened: state === 'reopens',
      resumed: ticket!.status === 'WAITING_CUSTOMER',
      noteId: note.id,
    };
  });
}
