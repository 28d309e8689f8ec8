import type { Readable } from 'node:stream';
import { z } from 'zod';
import type { BuiltDeps } from '../deps.js';
import type { ApiActor, ApiScope } from '../auth/api-tokens.js';
import { ApiProblem } from './problem.js';
import { INT_RANGE } from './input.js';
import type { Services } from '../services.js';

/**
 * What a handler gets besides its input: who calls, when, and the domain (over the request's transaction for writes).
 */
export interface ApiContext {
  actor: ApiActor;
  now: Date;
  deps: BuiltDeps;
  /** The domain, over the request's transaction for writes (so the idempotency key commits with the change). */
  services: Services;
  /** The If-Match header's entity tags (null without the header). */
  ifMatch: string[] | null;
  /** The raw body of a binary upload. */
  raw?: Buffer;
  /** Its media type as sent (lower case, without parameters). */
  rawType?: string;
}

/** A handler's answer; the router adds the headers. */
export interface Reply {
  status: number;
  body?: unknown;
  etag?: string;
  location?: string;
  /** A file streamed as a download under this name and type (a document's file), instead of a body. */
  download?: { fileName: string; contentType: string; size: number; stream: Readable };
}

/** One response of a route, for the OpenAPI document (and the test that checks answers against it). */
export interface ResponseDoc {
  description: string;
  schema?: z.ZodType;
  /** A binary answer's media type(s) (a PDF, or each type a document may have). */
  binary?: string | readonly string[];
}

/** A route of the API, declared once: the router, the OpenAPI document and the reference pages read it. */
export interface ApiRoute {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI path template under /api/v1, e.g. `/invoices/{number}`. */
  path: string;
  operationId: string;
  tag: string;
  scope: ApiScope;
  summary: string;
  description?: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** A binary body instead of JSON, of one of these media types. */
  raw?: { contentType: string | readonly string[]; maxBytes: number };
  /** Whether the route reads If-Match (optional: checked when given; required: 428 without it). */
  ifMatch?: 'optional' | 'required';
  responses: Record<number, ResponseDoc>;
  handle(input: { params: unknown; query: unknown; body: unknown }, ctx: ApiContext): Promise<Reply>;
}

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;

/** Declares a route with its handler typed by its schemas. */
export function defineRoute<
  P extends z.ZodObject | undefined = undefined,
  Q extends z.ZodObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(
  r: Omit<ApiRoute, 'handle' | 'params' | 'query' | 'body'> & {
    params?: P;
    query?: Q;
    body?: B;
    handle(input: { params: Out<P>; query: Out<Q>; body: Out<B> }, ctx: ApiContext): Promise<Reply>;
  },
): ApiRoute {
  return r;
}

/** The entity tag of a record: its version and last change, so any write (from any door) changes it. */
export function etagOf(r: { version: number; updatedAt: Date }): string {
  return `"${r.version}-${r.updatedAt.getTime().toString(36)}"`;
}

/**
 * Optimistic concurrency: with If-Match, the record's current tag must be one of those given, and `*` matches any
 * current record (RFC 9110 13.1.1); 412 otherwise, also for `*` where there is no record (`current` null). Call
 * with the row locked, so two writers with the same tag cannot both pass.
 */
export function checkIfMatch(ctx: ApiContext, current: string | null, required = false): void {
  if (!ctx.ifMatch) {
    if (required) throw new ApiProblem(428, 'Send If-Match with the ETag you read, or * to replace whatever is there');
    return;
  }
  const matches = current !== null && (ctx.ifMatch.includes('*') || ctx.ifMatch.includes(current));
  if (!matches) {
    throw new ApiProblem(
      412,
      current ? `The current ETag is ${current}` : 'The resource does not exist (If-Match: * matches only a record)',
    );
  }
}

/** A positive database id in a path. */
export const idParam = z.coerce.number().int().min(1).max(INT_RANGE.max);

// ---------------------------------------------------------------------------------------------
// Lists: cursor pages in the order of the last change, so a sync job can catch up.

/** The query of every list: a page size, the cursor of the previous page, and "changed since". */
export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('Items per page (1-500, default 100)'),
  cursor: z.string().max(200).optional().describe('The nextCursor of the previous page'),
  updated_since: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('Only records changed at or after this instant (ISO 8601 with offset)'),
});
export type ListQueryInput = z.output<typeof ListQuery>;

/** A page of a list: the items, and the cursor of the next page (null on the last one). */
export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), nextCursor: z.string().nullable() });
}

/** The `where` and order that read one page after the cursor, oldest change first. */
export function pageWhere(q: ListQueryInput): {
  where: { AND: object[] };
  orderBy: { updatedAt?: 'asc'; id?: 'asc' }[];
  take: number;
} {
  const and: object[] = [];
  // Nothing changed before 1970: an earlier instant (year 0 is valid ISO 8601, and out of PostgreSQL's
  // range in its time zone) means "everything", not a database error.
  if (q.updated_since) and.push({ updatedAt: { gte: new Date(Math.max(0, Date.parse(q.updated_since))) } });
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    and.push({ OR: [{ updatedAt: { gt: c.t } }, { updatedAt: c.t, id: { gt: c.id } }] });
  }
  return { where: { AND: and }, orderBy: [{ updatedAt: 'asc' }, { id: 'asc' }], take: q.limit + 1 };
}

/** Cuts the extra row read to learn whether a next page exists, and makes its cursor. */
export function pageOf<R extends { id: number; updatedAt: Date }, T>(
  rows: R[],
  q: ListQueryInput,
  present: (r: R) => T,
): { data: T[]; nextCursor: string | null } {
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  const last = page[page.length - 1];
  return { data: page.map(present), nextCursor: more && last ? encodeCursor(last.updatedAt, last.id) : null };
}

function encodeCursor(t: Date, id: number): string {
  return Buffer.from(`${t.getTime()}.${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { t: Date; id: number } {
  const m = /^(\d{1,15})\.(\d{1,10})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  // An id past PostgreSQL's integer was never given out (and would fail in the database, not here).
  if (!m || Number(m[2]) > INT_RANGE.max)
    throw new ApiProblem(400, 'The cursor is not one this API gave out', [
      { pointer: '#/cursor', detail: 'unknown cursor' },
    ]);
  return { t: new Date(Number(m[1])), id: Number(m[2]) };
}

/** A date (YYYY-MM-DD) or instant as JSON gives it. */
export const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);
