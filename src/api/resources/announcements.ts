import { z } from 'zod';
import { ANNOUNCEMENT_FIELDS, ANNOUNCEMENT_KINDS } from '../../features/dashboard/announcements-staff.js';
import { dateTime } from '../../http/fields.js';
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

const F = ANNOUNCEMENT_FIELDS;
const when = dateTime.describe('ISO 8601 date-time; without an offset Amsterdam time');

/** A new announcement: the rules of `news:add`. */
export const AnnouncementBody = z
  .object({
    kind: z.enum(ANNOUNCEMENT_KINDS).describe('NEWS, MAINTENANCE or OUTAGE (Storingsmeldingen)'),
    titleNl: F.titleNl.describe('1-200 characters'),
    bodyNl: F.bodyNl.describe('1-5,000 characters'),
    titleEn: F.titleEn.nullable().optional().describe('Together with bodyEn, or neither'),
    bodyEn: F.bodyEn.nullable().optional(),
    organizationId: z
      .number()
      .int()
      .nullable()
      .optional()
      .describe('Only for this organisation and its subsidiaries; default: everyone'),
    publishedAt: when.optional().describe('Shown from then on; default: now'),
    expiresAt: when.nullable().optional().describe('Gone from then on; later than publishedAt'),
  })
  .strict()
  .meta({ id: 'AnnouncementInput' });

/** A change to an announcement: only the fields given change; null clears an optional one. */
export const AnnouncementPatchBody = z
  .object({
    kind: z.enum(ANNOUNCEMENT_KINDS).optional(),
    titleNl: F.titleNl.optional(),
    bodyNl: F.bodyNl.optional(),
    titleEn: F.titleEn.nullable().optional(),
    bodyEn: F.bodyEn.nullable().optional(),
    organizationId: z.number().int().nullable().optional(),
    publishedAt: when.optional(),
    expiresAt: when.nullable().optional(),
  })
  .strict()
  .meta({ id: 'AnnouncementPatch' });

/** An announcement as the API shows it. */
export const Announcement = z
  .object({
    id: z.number().int(),
    kind: z.enum(ANNOUNCEMENT_KINDS),
    organizationId: z.number().int().nullable(),
    titleNl: z.string(),
    bodyNl: z.string(),
    titleEn: z.string().nullable(),
    bodyEn: z.string().nullable(),
    publishedAt: z.iso.datetime(),
    expiresAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Announcement' });

type Row = Awaited<ReturnType<Services['announcements']['getForApi']>>;

function present(a: Row): z.output<typeof Announcement> {
  return {
    id: a.id,
    kind: a.kind,
    organizationId: a.organizationId,
    titleNl: a.titleNl,
    bodyNl: a.bodyNl,
    titleEn: a.titleEn,
    bodyEn: a.bodyEn,
    publishedAt: a.publishedAt.toISOString(),
    expiresAt: a.expiresAt?.toISOString() ?? null,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

/** The service's "no such announcement" as this API has always said it. */
const missing =
  (id: number) =>
  (e: unknown): never => {
    if (e instanceof AppError && e.code === 'NOT_FOUND' && e.field === 'id')
      throw new ApiProblem(404, `No announcement ${id}`);
    throw e;
  };

const IdParam = z.object({ id: idParam });
const answer = async (ctx: ApiContext, id: number, status: number) => {
  const a = await ctx.services.announcements.getForApi(id);
  return { status, body: present(a), etag: etagOf(a), location: `/api/v1/announcements/${id}` };
};
const ifMatch = (ctx: ApiContext) => (cur: { version: number; updatedAt: Date }) => checkIfMatch(ctx, etagOf(cur));

/** The announcement routes (the dashboard's news, maintenance and outage notices): list, read, add, change, remove. */
export const announcementRoutes = [
  defineRoute({
    method: 'get',
    path: '/announcements',
    operationId: 'listAnnouncements',
    tag: 'Announcements',
    scope: 'read',
    summary: 'List announcements (also expired and future ones), oldest change first',
    query: ListQuery,
    responses: { 200: { description: 'A page of announcements', schema: listOf(Announcement) } },
    async handle({ query }, ctx) {
      const page = pageWhere(query);
      const rows = await ctx.services.announcements.pageForApi(page);
      return { status: 200, body: pageOf(rows, query, present) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/announcements/{id}',
    operationId: 'getAnnouncement',
    tag: 'Announcements',
    scope: 'read',
    summary: 'Read one announcement',
    params: IdParam,
    responses: {
      200: { description: 'The announcement (ETag header: its version)', schema: Announcement },
      404: { description: 'No such announcement' },
    },
    async handle({ params }, ctx) {
      return answer(ctx, params.id, 200);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/announcements',
    operationId: 'createAnnouncement',
    tag: 'Announcements',
    scope: 'content:write',
    body: AnnouncementBody,
    summary: 'Post an announcement on the dashboard (for everyone, or one organisation and its subsidiaries)',
    responses: { 201: { description: 'Posted', schema: Announcement }, 422: { description: 'Invalid announcement' } },
    async handle({ body }, ctx) {
      const input = {
        kind: body.kind,
        organizationId: body.organizationId ?? null,
        titleNl: body.titleNl,
        bodyNl: body.bodyNl,
        titleEn: body.titleEn ?? null,
        bodyEn: body.bodyEn ?? null,
        publishedAt: body.publishedAt ?? ctx.now,
        expiresAt: body.expiresAt ?? null,
      };
      const created = await ctx.services.announcements.add({ api: ctx.actor.name }, input);
      return answer(ctx, created.id, 201);
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/announcements/{id}',
    operationId: 'updateAnnouncement',
    tag: 'Announcements',
    scope: 'content:write',
    summary: 'Change an announcement (only the fields given); expiresAt ends it early',
    params: IdParam,
    body: AnnouncementPatchBody,
    ifMatch: 'optional',
    responses: {
      200: { description: 'Changed (or unchanged)', schema: Announcement },
      404: { description: 'No such announcement' },
      412: { description: 'If-Match did not match' },
      422: { description: 'Invalid change' },
    },
    async handle({ params, body }, ctx) {
      await ctx.services.announcements
        .update({ api: ctx.actor.name }, params.id, body, { precondition: ifMatch(ctx) })
        .catch(missing(params.id));
      return answer(ctx, params.id, 200);
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/announcements/{id}',
    operationId: 'deleteAnnouncement',
    tag: 'Announcements',
    scope: 'content:write',
    summary: 'Remove an announcement',
    params: IdParam,
    ifMatch: 'optional',
    responses: {
      204: { description: 'Removed' },
      404: { description: 'No such announcement' },
      412: { description: 'If-Match did not match' },
    },
    async handle({ params }, ctx) {
      await ctx.services.announcements
        .remove({ api: ctx.actor.name }, params.id, { precondition: ifMatch(ctx) })
        .catch(missing(params.id));
      return { status: 204 };
    },
  }),
];
