import { z } from 'zod';
import { TicketChannel, TicketKind, TicketStatus } from '../../features/tickets/schema.js';
import { AppError } from '../../http/errors.js';
import type { Services } from '../../services.js';
import { ApiProblem } from '../problem.js';
import {
  checkIfMatch,
  day,
  defineRoute,
  etagOf,
  idParam,
  listOf,
  ListQuery,
  pageOf,
  pageWhere,
  type ApiContext,
} from '../define.js';

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (k: string) => k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/** A ticket from the helpdesk; the rules are those of `ticket:import` (same names in camelCase). */
export const TicketBody = z
  .object({
    id: z.number().int().optional().describe("Keep this ticket number (the helpdesk's); default: the next number"),
    organizationId: z.number().int(),
    reporterEmail: z.string().optional().describe('A contact of the organisation'),
    title: z.string().describe('1-200 characters'),
    description: z.string().optional().describe('At most 10,000 characters'),
    kind: z.enum(TicketKind).optional(),
    status: z.enum(TicketStatus).optional().describe('Default NEW'),
    application: z.string().optional(),
    module: z.string().optional(),
    helpdesk: z.string().optional(),
    channel: z.enum(TicketChannel).optional().describe('Default STAFF'),
    reportedAt: z.string().optional().describe('ISO 8601 date-time (Amsterdam time without an offset); default now'),
    deadline: z.string().optional().describe('YYYY-MM-DD; default from the service level of the kind'),
    customerReference: z.string().optional(),
    alternativePhone: z.string().optional(),
    resolvedAt: z.string().optional().describe('Only with status RESOLVED'),
  })
  .strict()
  .meta({ id: 'TicketInput' });

const Note = z.object({
  id: z.number().int(),
  createdAt: z.iso.datetime(),
  authorContactId: z.number().int().nullable(),
  staffName: z.string().nullable(),
  body: z.string(),
  viaMail: z.boolean().describe('True when the note arrived as a reply to a ticket mail (docs/inbound-mail.md)'),
});

/** A ticket as the API shows it. */
export const Ticket = z
  .object({
    id: z.number().int(),
    organizationId: z.number().int(),
    reporterId: z.number().int().nullable(),
    title: z.string(),
    description: z.string().nullable(),
    kind: z.enum(TicketKind).nullable(),
    status: z.enum(TicketStatus),
    application: z.string().nullable(),
    module: z.string().nullable(),
    helpdesk: z.string(),
    channel: z.enum(TicketChannel),
    reportedAt: z.iso.datetime(),
    deadline: z.string().nullable(),
    customerReference: z.string().nullable(),
    alternativePhone: z.string().nullable(),
    resolvedAt: z.iso.datetime().nullable(),
    notes: z.array(Note).optional().describe('Only when reading one ticket'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Ticket' });

type Row =
  | Awaited<ReturnType<Services['tickets']['getForApi']>>
  | Awaited<ReturnType<Services['tickets']['pageForApi']>>[number];

function present(t: Row): z.output<typeof Ticket> {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: t.id,
    organizationId: t.organizationId,
    reporterId: t.reporterId,
    title: t.title,
    description: t.description,
    kind: t.kind,
    status: t.status,
    application: t.application,
    module: t.module,
    helpdesk: t.helpdesk,
    channel: t.channel,
    reportedAt: t.reportedAt.toISOString(),
    deadline: day(t.deadline),
    customerReference: t.customerReference,
    alternativePhone: t.alternativePhone,
    resolvedAt: iso(t.resolvedAt),
    ...('notes' in t
      ? {
          notes: t.notes.map((n) => ({
            id: n.id,
            createdAt: n.createdAt.toISOString(),
            authorContactId: n.authorId,
            staffName: n.staffName,
            body: n.body,
            viaMail: n.viaMail,
          })),
        }
      : {}),
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}

/**
 * A staff-service refusal (naming `<id>` or `<status>`) as this API says it: an unknown ticket is a 404, a pointless
 * change a 409.
 */
async function refusals<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    if (!(e instanceof AppError) || !e.field?.startsWith('<')) throw e;
    throw new ApiProblem(e.code === 'NOT_FOUND' ? 404 : 409, e.detail);
  }
}

/** The API's If-Match, checked by the service against the locked ticket. */
const ifMatch = (ctx: ApiContext) => ({
  precondition: (cur: { version: number; updatedAt: Date }) => checkIfMatch(ctx, etagOf(cur)),
});

const IdParam = z.object({ id: idParam });
const done = async (ctx: ApiContext, id: number, status = 200) => {
  const t = await ctx.services.tickets.getForApi(id);
  return { status, body: present(t), etag: etagOf(t), location: `/api/v1/tickets/${id}` };
};

/** The ticket routes: list, read, create (or import one from the helpdesk), status, replies, deadline. */
export const ticketRoutes = [
  defineRoute({
    method: 'get',
    path: '/tickets',
    operationId: 'listTickets',
    tag: 'Tickets',
    scope: 'read',
    summary: 'List tickets, oldest change first (a new note is a change)',
    query: ListQuery,
    responses: { 200: { description: 'A page of tickets (without notes)', schema: listOf(Ticket) } },
    async handle({ query }, ctx) {
      const page = pageWhere(query);
      const rows = await ctx.services.tickets.pageForApi(page);
      return { status: 200, body: pageOf(rows, query, present) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/tickets/{id}',
    operationId: 'getTicket',
    tag: 'Tickets',
    scope: 'read',
    summary: 'Read one ticket with its notes',
    params: IdParam,
    responses: {
      200: { description: 'The ticket (ETag header: its version)', schema: Ticket },
      404: { description: 'No such ticket' },
    },
    async handle({ params }, ctx) {
      const t = await ctx.services.tickets.getForApi(params.id);
      return { status: 200, body: present(t), etag: etagOf(t) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/tickets',
    operationId: 'createTicket',
    tag: 'Tickets',
    scope: 'tickets:write',
    summary: 'Create a ticket (or bring one over from the helpdesk, keeping its number)',
    description:
      'Nobody is mailed: the helpdesk has told the customer already. Send an Idempotency-Key so a retry cannot file it twice.',
    body: TicketBody,
    responses: {
      201: { description: 'Created', schema: Ticket },
      409: { description: 'A ticket with this number exists' },
      422: { description: 'Invalid ticket' },
    },
    async handle({ body }, ctx) {
      const record: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(body)) record[snake(k)] = v;
      record.reported_at ??= ctx.now.toISOString();
      const result = await ctx.services.tickets.importRecords({ api: ctx.actor.name }, [record]).catch((e: unknown) => {
        if (!(e instanceof AppError) || e.field !== '<file>') throw e;
        const message = e.detail ?? '';
        const m = /^row \d+: (\w+): (.*)$/.exec(message);
        const field = m ? camel(m[1]!) : '';
        throw new ApiProblem(e.code === 'CONFLICT' ? 409 : 422, m?.[2] ?? message, [
          { pointer: `#/${field}`, detail: m?.[2] ?? message },
        ]);
      });
      return done(ctx, result.firstId, 201);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/tickets/{id}/status',
    operationId: 'changeTicketStatus',
    tag: 'Tickets',
    scope: 'tickets:write',
    summary: "Change a ticket's status (the reporter and the Betrokkenen are mailed)",
    params: IdParam,
    ifMatch: 'optional',
    body: z
      .object({ status: z.enum(TicketStatus) })
      .strict()
      .meta({ id: 'TicketStatusInput' }),
    responses: {
      200: { description: 'Changed', schema: Ticket },
      404: { description: 'No such ticket' },
      409: { description: 'The ticket already has this status' },
      412: { description: 'If-Match did not match' },
    },
    async handle({ params, body }, ctx) {
      await refusals(() =>
        ctx.services.tickets.changeStatus({ api: ctx.actor.name }, params.id, body.status, ifMatch(ctx)),
      );
      return done(ctx, params.id);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/tickets/{id}/replies',
    operationId: 'replyToTicket',
    tag: 'Tickets',
    scope: 'tickets:write',
    summary: 'Add a reply by Vcare (the reporter and the Betrokkenen are mailed)',
    params: IdParam,
    ifMatch: 'optional',
    body: z
      .object({
        body: z.string().trim().min(1, 'must not be empty').max(10_000, 'must be at most 10000 characters'),
        staffName: z.string().trim().min(1).max(100).default('Support'),
      })
      .strict()
      .meta({ id: 'TicketReplyInput' }),
    responses: {
      201: { description: 'Added; the answer is the ticket with its notes', schema: Ticket },
      404: { description: 'No such ticket' },
    },
    async handle({ params, body }, ctx) {
      await refusals(() =>
        ctx.services.tickets.reply({ api: ctx.actor.name }, params.id, body.body, body.staffName, ifMatch(ctx)),
      );
      return done(ctx, params.id, 201);
    },
  }),
  defineRoute({
    method: 'put',
    path: '/tickets/{id}/deadline',
    operationId: 'setTicketDeadline',
    tag: 'Tickets',
    scope: 'tickets:write',
    summary: "Set a ticket's deadline",
    params: IdParam,
    ifMatch: 'optional',
    body: z
      .object({ deadline: z.iso.date('a date YYYY-MM-DD') })
      .strict()
      .meta({ id: 'TicketDeadlineInput' }),
    responses: {
      200: { description: 'Set', schema: Ticket },
      404: { description: 'No such ticket' },
      412: { description: 'If-Match did not match' },
    },
    async handle({ params, body }, ctx) {
      await refusals(() =>
        ctx.services.tickets.changeDeadline(
          { api: ctx.actor.name },
          params.id,
          new Date(`${body.deadline}T00:00:00Z`),
          ifMatch(ctx),
        ),
      );
      return done(ctx, params.id);
    },
  }),
];
