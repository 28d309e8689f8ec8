import { z } from 'zod';
import { FAQ_FIELDS } from '../../features/support/faq-staff.js';
import { AppError } from '../../http/errors.js';
import type { Services } from '../../services.js';
import { ApiProblem } from '../problem.js';
import {
  checkIfMatch,
  defineRoute,
  etagOf,
  idParam,
  listOf,
  ListQuery,
  pageOf,
  pageWhere,
  type ApiContext,
} from '../define.js';

const F = FAQ_FIELDS;

/** A new FAQ entry: the rules of `faq:add` (answers are Markdown; HTML is shown as text). */
export const FaqBody = z
  .object({
    questionNl: F.questionNl.describe('1-300 characters'),
    answerNl: F.answerNl.describe('Markdown, 1-10,000 characters'),
    questionEn: F.questionEn.nullable().optional().describe('Together with answerEn, or neither'),
    answerEn: F.answerEn.nullable().optional(),
    position: F.position.optional().describe('Place in the list, from 1 (default: last); the others move to make room'),
  })
  .strict()
  .meta({ id: 'FaqEntryInput' });

/** A change to an entry: only the fields given change; null clears the English question and answer. */
export const FaqPatchBody = z
  .object({
    questionNl: F.questionNl.optional(),
    answerNl: F.answerNl.optional(),
    questionEn: F.questionEn.nullable().optional(),
    answerEn: F.answerEn.nullable().optional(),
    position: F.position.optional(),
  })
  .strict()
  .meta({ id: 'FaqEntryPatch' });

/** A FAQ entry as the API shows it. */
export const FaqEntry = z
  .object({
    id: z.number().int(),
    position: z.number().int(),
    questionNl: z.string(),
    answerNl: z.string(),
    questionEn: z.string().nullable(),
    answerEn: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'FaqEntry' });

type Row = Awaited<ReturnType<Services['faq']['getForApi']>>;

function present(e: Row): z.output<typeof FaqEntry> {
  return {
    id: e.id,
    position: e.position,
    questionNl: e.questionNl,
    answerNl: e.answerNl,
    questionEn: e.questionEn,
    answerEn: e.answerEn,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

/** The service's "no such entry" as this API has always said it. */
const missing =
  (id: number) =>
  (e: unknown): never => {
    if (e instanceof AppError && e.code === 'NOT_FOUND' && e.field === 'id')
      throw new ApiProblem(404, `No FAQ entry ${id}`);
    throw e;
  };

const IdParam = z.object({ id: idParam });
const answer = async (ctx: ApiContext, id: number, status: number) => {
  const e = await ctx.services.faq.getForApi(id);
  return { status, body: present(e), etag: etagOf(e), location: `/api/v1/faq/${id}` };
};
const ifMatch = (ctx: ApiContext) => (cur: { version: number; updatedAt: Date }) => checkIfMatch(ctx, etagOf(cur));

/** The FAQ routes: list, read, add, change or move, remove. */
export const faqRoutes = [
  defineRoute({
    method: 'get',
    path: '/faq',
    operationId: 'listFaq',
    tag: 'FAQ',
    scope: 'read',
    summary: 'List the FAQ entries, oldest change first (moving an entry changes the positions of others)',
    query: ListQuery,
    responses: { 200: { description: 'A page of FAQ entries', schema: listOf(FaqEntry) } },
    async handle({ query }, ctx) {
      const page = pageWhere(query);
      const rows = await ctx.services.faq.pageForApi(page);
      return { status: 200, body: pageOf(rows, query, present) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/faq/{id}',
    operationId: 'getFaqEntry',
    tag: 'FAQ',
    scope: 'read',
    summary: 'Read one FAQ entry',
    params: IdParam,
    responses: {
      200: { description: 'The entry (ETag header: its version)', schema: FaqEntry },
      404: { description: 'No such entry' },
    },
    async handle({ params }, ctx) {
      return answer(ctx, params.id, 200);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/faq',
    operationId: 'createFaqEntry',
    tag: 'FAQ',
    scope: 'content:write',
    body: FaqBody,
    summary: 'Add a question and answer to the FAQ',
    responses: { 201: { description: 'Added', schema: FaqEntry }, 422: { description: 'Invalid entry' } },
    async handle({ body }, ctx) {
      const e = await ctx.services.faq.add(
        { api: ctx.actor.name },
        { ...body, questionEn: body.questionEn ?? null, answerEn: body.answerEn ?? null },
      );
      return answer(ctx, e.id, 201);
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/faq/{id}',
    operationId: 'updateFaqEntry',
    tag: 'FAQ',
    scope: 'content:write',
    summary: 'Change a FAQ entry (only the fields given) or move it with position',
    params: IdParam,
    body: FaqPatchBody,
    ifMatch: 'optional',
    responses: {
      200: { description: 'Changed (or unchanged)', schema: FaqEntry },
      404: { description: 'No such entry' },
      412: { description: 'If-Match did not match' },
      422: { description: 'Invalid change' },
    },
    async handle({ params, body }, ctx) {
      await ctx.services.faq
        .update({ api: ctx.actor.name }, params.id, body, { precondition: ifMatch(ctx) })
        .catch(missing(params.id));
      return answer(ctx, params.id, 200);
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/faq/{id}',
    operationId: 'deleteFaqEntry',
    tag: 'FAQ',
    scope: 'content:write',
    summary: 'Remove a FAQ entry (the entries below move up)',
    params: IdParam,
    ifMatch: 'optional',
    responses: {
      204: { description: 'Removed' },
      404: { description: 'No such entry' },
      412: { description: 'If-Match did not match' },
    },
    async handle({ params }, ctx) {
      await ctx.services.faq
        .remove({ api: ctx.actor.name }, params.id, { precondition: ifMatch(ctx) })
        .catch(missing(params.id));
      return { status: 204 };
    },
  }),
];
