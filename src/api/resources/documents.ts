import { z } from 'zod';
import { FILE_TYPES, MAX_DOCUMENT_BYTES } from '../../features/downloads/files.js';
import { DOCUMENT_KINDS, documentFileName } from '../../features/downloads/staff.js';
import { amsterdamToday } from '../../calendar.js';
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

const MAX_ID = 2_147_483_647;
const organizationId = z.coerce.number().int().min(1).max(MAX_ID);
const date = z.iso.date('a date YYYY-MM-DD');
/**
 * What the file may be sent as: its own type, or application/octet-stream (the type is recognised from name and
 * content either way).
 */
const FILE_MEDIA = [...new Set(FILE_TYPES.map((f) => f.contentType)), 'application/octet-stream'];
const uploadNote =
  `Body: the file itself (at most ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB) as its own Content-Type or application/octet-stream; ` +
  `its type is recognised from the name's extension and the first bytes (${FILE_TYPES.map((f) => f.ext.join('/')).join(', ')}; a report only PDF), which must agree.`;

/** A new document's details, in the query string (the body is the file). */
export const DocumentUploadQuery = z
  .object({
    kind: z
      .enum(DOCUMENT_KINDS)
      .describe('MANUAL (Handleidingen), PRODUCT_INFO (Productinformatie) or REPORT (Rapportages)'),
    fileName: documentFileName.describe('The name shown and downloaded, with its extension (1-200 characters)'),
    organizationId: organizationId
      .optional()
      .describe('Only for this organisation (required for a report); default: every customer'),
    date: date.optional().describe('The document date, YYYY-MM-DD; default: today in Amsterdam'),
  })
  .strict();

/** A change to a document's details: only the fields given change. */
export const DocumentPatchBody = z
  .object({
    kind: z.enum(DOCUMENT_KINDS).optional(),
    fileName: documentFileName.optional().describe('Must still agree with the content'),
    organizationId: z.number().int().nullable().optional().describe('null: every customer (not for a report)'),
    date: date.optional(),
  })
  .strict()
  .meta({ id: 'DocumentPatch' });

/** A document as the API shows it (its file is at /documents/{id}/file). */
export const Document = z
  .object({
    id: z.number().int(),
    kind: z.enum(DOCUMENT_KINDS),
    organizationId: z.number().int().nullable().describe('null: for every customer'),
    fileName: z.string(),
    contentType: z.string(),
    size: z.number().int().describe('Bytes'),
    date: z.string().describe('The document date, YYYY-MM-DD'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Document' });

type Row = Awaited<ReturnType<Services['documents']['getForApi']>>;

function present(d: Row): z.output<typeof Document> {
  return {
    id: d.id,
    kind: d.kind,
    organizationId: d.organizationId,
    fileName: d.fileName,
    contentType: d.contentType,
    size: d.size,
    date: day(d.documentDate)!,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}

/**
 * A service refusal as a problem, each field at its place in the request: the details (query or body) or the file (the
 * body).
 */
function refused(where: 'query' | 'body', id?: number) {
  const names: Record<string, string> = { documentDate: 'date' };
  return (e: unknown): never => {
    if (!(e instanceof AppError) || !e.field) throw e;
    const detail = e.detail ?? '';
    if (e.code === 'NOT_FOUND') throw new ApiProblem(404, id !== undefined ? `No document ${id}` : detail);
    const field = names[e.field] ?? e.field;
    const at = e.field === 'file' ? '#' : where === 'query' ? `#/query/${field}` : `#/${field}`;
    throw new ApiProblem(422, `${e.field === 'file' ? 'file' : field}: ${detail}`, [{ pointer: at, detail }]);
  };
}

/** A sent Content-Type other than octet-stream must be the type the name and content are recognised as. */
function checkDeclaredType(ctx: ApiContext, stored: string): void {
  if (ctx.rawType && ctx.rawType !== 'application/octet-stream' && ctx.rawType !== stored) {
    throw new ApiProblem(422, `The file was sent as ${ctx.rawType} but is ${stored}`, [
      { pointer: '#/headers/Content-Type', detail: `the content is ${stored}` },
    ]);
  }
}

/** The API's If-Match, checked by the service against the locked document. */
const ifMatch = (ctx: ApiContext) => ({
  precondition: (cur: { version: number; updatedAt: Date }) => checkIfMatch(ctx, etagOf(cur)),
});

const IdParam = z.object({ id: idParam });
const answer = async (ctx: ApiContext, id: number, status: number) => {
  const d = await ctx.services.documents.getForApi(id);
  return { status, body: present(d), etag: etagOf(d), location: `/api/v1/documents/${id}` };
};

/** The document routes: list, read, download, upload, change details, replace the file, remove. */
export const documentRoutes = [
  defineRoute({
    method: 'get',
    path: '/documents',
    operationId: 'listDocuments',
    tag: 'Documents',
    scope: 'read',
    summary: 'List documents (manuals, product information, reports), oldest change first',
    query: ListQuery,
    description: 'A removed document leaves the list; webhooks report it (document.removed).',
    responses: { 200: { description: 'A page of documents (details only)', schema: listOf(Document) } },
    async handle({ query }, ctx) {
      const page = pageWhere(query);
      const rows = await ctx.services.documents.pageForApi(page);
      return { status: 200, body: pageOf(rows, query, present) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/documents/{id}',
    operationId: 'getDocument',
    tag: 'Documents',
    scope: 'read',
    summary: "Read one document's details",
    params: IdParam,
    responses: {
      200: { description: 'The document (ETag header: its version)', schema: Document },
      404: { description: 'No such document' },
    },
    async handle({ params }, ctx) {
      return answer(ctx, params.id, 200);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/documents/{id}/file',
    operationId: 'getDocumentFile',
    tag: 'Documents',
    scope: 'read',
    summary: "Download a document's file",
    params: IdParam,
    responses: {
      200: {
        description: 'The file, with its own Content-Type',
        binary: FILE_TYPES.map((f) => f.contentType).filter((t, i, all) => all.indexOf(t) === i),
      },
      404: { description: 'No such document' },
    },
    async handle({ params }, ctx) {
      return { status: 200, download: await ctx.services.documents.fileForApi(params.id) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/documents',
    operationId: 'createDocument',
    tag: 'Documents',
    scope: 'documents:write',
    summary: 'Add a document: the file as the body, its details in the query string',
    description: `${uploadNote} A report mails everyone who opted in and may see it (as \`document:add\` does). Send an Idempotency-Key so a retry cannot add it twice.`,
    query: DocumentUploadQuery,
    raw: { contentType: FILE_MEDIA, maxBytes: MAX_DOCUMENT_BYTES },
    responses: {
      201: { description: 'Added', schema: Document },
      413: { description: 'Larger than 20 MB' },
      415: { description: 'No file, or not one of the allowed types' },
      422: { description: 'The details or the file are refused' },
    },
    async handle({ query }, ctx) {
      const input = {
        kind: query.kind,
        organizationId: query.organizationId ?? null,
        fileName: query.fileName,
        documentDate: query.date ? new Date(`${query.date}T00:00:00Z`) : amsterdamToday(ctx.now),
        content: ctx.raw!,
      };
      const created = await ctx.services.documents.add({ api: ctx.actor.name }, input).catch(refused('query'));
      const d = await ctx.services.documents.getForApi(created.id);
      checkDeclaredType(ctx, d.contentType);
      return { status: 201, body: present(d), etag: etagOf(d), location: `/api/v1/documents/${d.id}` };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/documents/{id}',
    operationId: 'updateDocument',
    tag: 'Documents',
    scope: 'documents:write',
    summary: "Change a document's details (only the fields given)",
    params: IdParam,
    body: DocumentPatchBody,
    ifMatch: 'optional',
    description:
      'The rules of adding hold for the result: a new name must agree with the content, a report is a PDF of one organisation. Nobody is mailed.',
    responses: {
      200: { description: 'Changed (or unchanged)', schema: Document },
      404: { description: 'No such document' },
      412: { description: 'If-Match did not match' },
      422: { description: 'Invalid change' },
    },
    async handle({ params, body }, ctx) {
      const patch = {
        kind: body.kind,
        fileName: body.fileName,
        organizationId: body.organizationId,
        documentDate: body.date ? new Date(`${body.date}T00:00:00Z`) : undefined,
      };
      await ctx.services.documents
        .update({ api: ctx.actor.name }, params.id, patch, ifMatch(ctx))
        .catch(refused('body', params.id));
      return answer(ctx, params.id, 200);
    },
  }),
  defineRoute({
    method: 'put',
    path: '/documents/{id}/file',
    operationId: 'putDocumentFile',
    tag: 'Documents',
    scope: 'documents:write',
    summary: "Replace a document's file (optionally under a new name)",
    description: `${uploadNote} The same file again changes nothing.`,
    params: IdParam,
    query: z
      .object({
        fileName: documentFileName.optional().describe('A new name (e.g. another extension); default: the current one'),
      })
      .strict(),
    raw: { contentType: FILE_MEDIA, maxBytes: MAX_DOCUMENT_BYTES },
    ifMatch: 'optional',
    responses: {
      200: { description: 'Replaced (or unchanged)', schema: Document },
      404: { description: 'No such document' },
      412: { description: 'If-Match did not match' },
      413: { description: 'Larger than 20 MB' },
      422: { description: 'The file is refused' },
    },
    async handle({ params, query }, ctx) {
      await ctx.services.documents
        .update({ api: ctx.actor.name }, params.id, { content: ctx.raw!, fileName: query.fileName }, ifMatch(ctx))
        .catch(refused('query', params.id));
      const out = await answer(ctx, params.id, 200);
      checkDeclaredType(ctx, out.body.contentType);
      return out;
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/documents/{id}',
    operationId: 'deleteDocument',
    tag: 'Documents',
    scope: 'documents:write',
    summary: 'Remove a document',
    params: IdParam,
    ifMatch: 'optional',
    responses: {
      204: { description: 'Removed' },
      404: { description: 'No such document' },
      412: { description: 'If-Match did not match' },
    },
    async handle({ params }, ctx) {
      await ctx.services.documents
        .remove({ api: ctx.actor.name }, params.id, ifMatch(ctx))
        .catch(refused('body', params.id));
      return { status: 204 };
    },
  }),
];
