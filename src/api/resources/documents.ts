import { z } from 'zod';
import type { Prisma, Tx } from '../../db/client.js';
import { scope } from '../../auth/scope.js';
import { documentContentStream, FILE_TYPES, MAX_DOCUMENT_BYTES } from '../../features/downloads/files.js';
import { addDocument, DOCUMENT_KINDS, documentFileName, removeDocument, updateDocument } from '../../features/downloads/staff.js';
import { amsterdamToday } from '../../calendar.js';
import { FieldRefusal } from '../../http/fields.js';
import { ApiProblem } from '../problem.js';
import { checkIfMatch, day, defineRoute, etagOf, idParam, listOf, ListQuery, pageOf, pageWhere, type ApiContext } from '../define.js';

const MAX_ID = 2_147_483_647;
const organizationId = z.coerce.number().int().min(1).max(MAX_ID);
const date = z.iso.date('a date YYYY-MM-DD');
/** What the file may be sent as: its own type, or application/octet-stream (the type is recognised from name and content either way). */
const FILE_MEDIA = [...new Set(FILE_TYPES.map((f) => f.contentType)), 'application/octet-stream'];
const uploadNote = `Body: the file itself (at most ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB) as its own Content-Type or application/octet-stream; ` +
  `its type is recognised from the name's extension and the first bytes (${FILE_TYPES.map((f) => f.ext.join('/')).join(', ')}; a report only PDF), which must agree.`;

/** A new document's details, in the query string (the body is the file). */
export const DocumentUploadQuery = z
  .object({
    kind: z.enum(DOCUMENT_KINDS).describe('MANUAL (Handleidingen), PRODUCT_INFO (Productinformatie) or REPORT (Rapportages)'),
    fileName: documentFileName.describe('The name shown and downloaded, with its extension (1-200 characters)'),
    organizationId: organizationId.optional().describe('Only for this organisation (required for a report); default: every customer'),
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

// Never the content: a list of documents must not read megabytes per row.
const select = { id: true, kind: true, organizationId: true, fileName: true, contentType: true, size: true, documentDate: true, version: true, createdAt: true, updatedAt: true } satisfies Prisma.DocumentSelect;
type Row = Prisma.DocumentGetPayload<{ select: typeof select }>;

function present(d: Row): z.output<typeof Document> {
  return {
    id: d.id, kind: d.kind, organizationId: d.organizationId, fileName: d.fileName, contentType: d.contentType, size: d.size,
    date: day(d.documentDate)!, createdAt: d.createdAt.toISOString(), updatedAt: d.updatedAt.toISOString(),
  };
}

async function load(db: ApiContext['db'], id: number): Promise<Row> {
  const d = await db.document.findFirst({ where: { id, ...scope.api.documents() }, select });
  if (!d) throw new ApiProblem(404, `No document ${id}`);
  return d;
}

/** A service refusal as a problem, each field at its place in the request: the details (query or body) or the file (the body). */
function refused(where: 'query' | 'body') {
  const names: Record<string, string> = { documentDate: 'date' };
  return (e: unknown): never => {
    if (!(e instanceof FieldRefusal)) throw e;
    if (e.opts.notFound) throw new ApiProblem(404, e.message);
    const field = names[e.field] ?? e.field;
    const at = e.field === 'file' ? '#' : where === 'query' ? `#/query/${field}` : `#/${field}`;
    throw new ApiProblem(422, `${e.field === 'file' ? 'file' : field}: ${e.message}`, [{ pointer: at, detail: e.message }]);
  };
}

/** A sent Content-Type other than octet-stream must be the type the name and content are recognised as. */
function checkDeclaredType(ctx: ApiContext, stored: string): void {
  if (ctx.rawType && ctx.rawType !== 'application/octet-stream' && ctx.rawType !== stored) {
    throw new ApiProblem(422, `The file was sent as ${ctx.rawType} but is ${stored}`, [{ pointer: '#/headers/Content-Type', detail: `the content is ${stored}` }]);
  }
}

/** Locks a document and checks If-Match against it. */
async function lockAndMatch(ctx: ApiContext, id: number): Promise<void> {
  const rows = await (ctx.db as Tx).$queryRaw<{ version: number; updated_at: Date }[]>`SELECT version, updated_at FROM documents WHERE id = ${id} FOR UPDATE`;
  if (!rows[0]) throw new ApiProblem(404, `No document ${id}`);
  checkIfMatch(ctx, etagOf({ version: rows[0].version, updatedAt: rows[0].updated_at }));
}

const IdParam = z.object({ id: idParam });
const answer = async (ctx: ApiContext, id: number, status: number) => {
  const d = await load(ctx.db, id);
  return { status, body: present(d), etag: etagOf(d), location: `/api/v1/documents/${id}` };
};

/** The document routes: list, read, download, upload, change details, replace the file, remove. */
export const documentRoutes = [
  defineRoute({
    method: 'get', path: '/documents', operationId: 'listDocuments', tag: 'Documents', scope: 'read',
    summary: 'List documents (manuals, product information, reports), oldest change first', query: ListQuery,
    description: 'A removed document leaves the list; webhooks report it (document.removed).',
    responses: { 200: { description: 'A page of documents (details only)', schema: listOf(Document) } },
    async handle({ query }, ctx) {
      const page = pageWhere(query);
      const rows = await ctx.db.document.findMany({ ...page, where: { AND: [...page.where.AND, scope.api.documents()] }, select });
      return { status: 200, body: pageOf(rows, query, present) };
    },
  }),
  defineRoute({
    method: 'get', path: '/documents/{id}', operationId: 'getDocument', tag: 'Documents', scope: 'read',
    summary: "Read one document's details", params: IdParam,
    responses: { 200: { description: 'The document (ETag header: its version)', schema: Document }, 404: { description: 'No such document' } },
    async handle({ params }, ctx) {
      return answer(ctx, params.id, 200);
    },
  }),
  defineRoute({
    method: 'get', path: '/documents/{id}/file', operationId: 'getDocumentFile', tag: 'Documents', scope: 'read',
    summary: "Download a document's file", params: IdParam,
    responses: { 200: { description: 'The file, with its own Content-Type', binary: FILE_TYPES.map((f) => f.contentType).filter((t, i, all) => all.indexOf(t) === i) }, 404: { description: 'No such document' } },
    async handle({ params }, ctx) {
      const d = await ctx.db.document.findFirst({ where: { id: params.id, ...scope.api.documents() }, select: { id: true, fileName: true, contentType: true, size: true, storageKey: true } });
      const stream = d && (await documentContentStream(ctx.deps.storage, d.storageKey));
      if (!d || !stream) throw new ApiProblem(404, `No document ${params.id}`);
      return { status: 200, download: { fileName: d.fileName, contentType: d.contentType, size: d.size, stream } };
    },
  }),
  defineRoute({
    method: 'post', path: '/documents', operationId: 'createDocument', tag: 'Documents', scope: 'documents:write',
    summary: 'Add a document: the file as the body, its details in the query string',
    description: `${uploadNote} A report mails everyone who opted in and may see it (as \`document:add\` does). Send an Idempotency-Key so a retry cannot add it twice.`,
    query: DocumentUploadQuery, raw: { contentType: FILE_MEDIA, maxBytes: MAX_DOCUMENT_BYTES },
    responses: { 201: { description: 'Added', schema: Document }, 413: { description: 'Larger than 20 MB' }, 415: { description: 'No file, or not one of the allowed types' }, 422: { description: 'The details or the file are refused' } },
    async handle({ query }, ctx) {
      const input = { kind: query.kind, organizationId: query.organizationId ?? null, fileName: query.fileName, documentDate: query.date ? new Date(`${query.date}T00:00:00Z`) : amsterdamToday(ctx.now), content: ctx.raw! };
      const created = await addDocument(ctx.db, input, { api: ctx.actor.name }, { baseUrl: ctx.deps.config.baseUrl, linkSecret: ctx.deps.config.tickets.linkSecret, storage: ctx.deps.storage }).catch(refused('query'));
      const d = await load(ctx.db, created.id);
      checkDeclaredType(ctx, d.contentType);
      return { status: 201, body: present(d), etag: etagOf(d), location: `/api/v1/documents/${d.id}` };
    },
  }),
  defineRoute({
    method: 'patch', path: '/documents/{id}', operationId: 'updateDocument', tag: 'Documents', scope: 'documents:write',
    summary: "Change a document's details (only the fields given)", params: IdParam, body: DocumentPatchBody, ifMatch: 'optional',
    description: 'The rules of adding hold for the result: a new name must agree with the content, a report is a PDF of one organisation. Nobody is mailed.',
    responses: { 200: { description: 'Changed (or unchanged)', schema: Document }, 404: { description: 'No such document' }, 412: { description: 'If-Match did not match' }, 422: { description: 'Invalid change' } },
    async handle({ params, body }, ctx) {
      await lockAndMatch(ctx, params.id);
      const patch = { kind: body.kind, fileName: body.fileName, organizationId: body.organizationId, documentDate: body.date ? new Date(`${body.date}T00:00:00Z`) : undefined };
      await updateDocument(ctx.db as Tx, params.id, patch, { api: ctx.actor.name }, ctx.deps.storage).catch(refused('body'));
      return answer(ctx, params.id, 200);
    },
  }),
  defineRoute({
    method: 'put', path: '/documents/{id}/file', operationId: 'putDocumentFile', tag: 'Documents', scope: 'documents:write',
    summary: "Replace a document's file (optionally under a new name)",
    description: `${uploadNote} The same file again changes nothing.`,
    params: IdParam, query: z.object({ fileName: documentFileName.optional().describe('A new name (e.g. another extension); default: the current one') }).strict(),
    raw: { contentType: FILE_MEDIA, maxBytes: MAX_DOCUMENT_BYTES }, ifMatch: 'optional',
    responses: { 200: { description: 'Replaced (or unchanged)', schema: Document }, 404: { description: 'No such document' }, 412: { description: 'If-Match did not match' }, 413: { description: 'Larger than 20 MB' }, 422: { description: 'The file is refused' } },
    async handle({ params, query }, ctx) {
      await lockAndMatch(ctx, params.id);
      await updateDocument(ctx.db as Tx, params.id, { content: ctx.raw!, fileName: query.fileName }, { api: ctx.actor.name }, ctx.deps.storage).catch(refused('query'));
      const out = await answer(ctx, params.id, 200);
      checkDeclaredType(ctx, out.body.contentType);
      return out;
    },
  }),
  defineRoute({
    method: 'delete', path: '/documents/{id}', operationId: 'deleteDocument', tag: 'Documents', scope: 'documents:write',
    summary: 'Remove a document', params: IdParam, ifMatch: 'optional',
    responses: { 204: { description: 'Removed' }, 404: { description: 'No such document' }, 412: { description: 'If-Match did not match' } },
    async handle({ params }, ctx) {
      await lockAndMatch(ctx, params.id);
      await removeDocument(ctx.db, params.id, { api: ctx.actor.name }, ctx.deps.storage).catch(refused('body'));
      return { status: 204 };
    },
  }),
];
