import { z } from 'zod';
import { API_SCOPES } from '../auth/api-tokens.js';
import type { ApiRoute } from './define.js';
import { PROBLEMS, type ProblemStatus } from './problem.js';
import { API_ROUTES } from './routes.js';
import { boundInteger } from './input.js';

type Json = Record<string, unknown>;

/**
 * Rewrites zod's `$defs` references to OpenAPI components, drops zod's own `id` keys, and bounds every integer to
 * PostgreSQL's integer (the input layer refuses what lies outside, before the database sees it).
 */
function relink(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(relink);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === 'id' && typeof v === 'string') continue;
    out[k] = k === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', '#/components/schemas/') : relink(v);
  }
  return boundInteger(out);
}

/** The JSON Schema of a zod schema (requests as input, answers as output); named ones go to components. */
function schemaOf(s: z.ZodType, io: 'input' | 'output', components: Json): Json {
  const json = z.toJSONSchema(s, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  const defs = (json.$defs ?? {}) as Json;
  delete json.$defs;
  delete json.$schema;
  for (const [name, def] of Object.entries(defs)) components[name] = relink(def);
  const id = typeof json.id === 'string' ? json.id : undefined;
  const body = relink(json) as Json;
  if (!id) return body;
  components[id] = body;
  return { $ref: `#/components/schemas/${id}` };
}

const Problem = {
  type: 'object',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['pointer', 'detail'],
        properties: {
          pointer: { type: 'string', description: 'JSON Pointer (RFC 6901) into the request, as a URI fragment' },
          detail: { type: 'string' },
        },
      },
    },
  },
};

function parameters(route: ApiRoute, components: Json): Json[] {
  const out: Json[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const json = schemaOf(schema, 'input', components) as { properties?: Json; required?: string[] };
    for (const [name, s] of Object.entries(json.properties ?? {})) {
      const { description, ...rest } = s as Json;
      out.push({
        name,
        in: where,
        required: where === 'path' || (json.required ?? []).includes(name),
        schema: rest,
        ...(description ? { description } : {}),
      });
    }
  }
  if (route.ifMatch)
    out.push({
      name: 'If-Match',
      in: 'header',
      required: route.ifMatch === 'required',
      description: 'The ETag you read; the write is refused with 412 when the record changed since',
      schema: { type: 'string' },
    });
  if (route.method === 'post')
    out.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Any unique string (a UUID); a repeat within 24 hours returns the first answer',
      schema: { type: 'string', maxLength: 255 },
    });
  return out;
}

/**
 * The refusals the API's own layers (token, scope, rate, input, If-Match, Idempotency-Key) can give a route, read
 * off its declaration, so the document lists every status the route can answer without each route repeating them.
 */
function inputAnswers(route: ApiRoute): [ProblemStatus, string][] {
  const out: [ProblemStatus, string][] = [
    [400, 'Malformed request: path, query, JSON syntax or nesting, cursor or Idempotency-Key'],
    [401, PROBLEMS[401].title],
    [403, PROBLEMS[403].title],
    [429, PROBLEMS[429].title],
  ];
  if (route.body || route.raw) {
    out.push([413, route.raw ? `Larger than ${route.raw.maxBytes / 1024 / 1024} MB` : 'Body larger than 1 MB']);
    out.push([
      415,
      route.raw
        ? 'No file (an empty body), or not one of the allowed types'
        : 'A charset other than UTF-8, or an unsupported Content-Encoding',
    ]);
  }
  if (route.body) out.push([422, 'The body is not valid: each invalid field is named by its pointer']);
  if (route.method === 'post') out.push([422, 'The Idempotency-Key was used for a different request']);
  if (route.ifMatch) out.push([412, 'If-Match did not match the current ETag (or * and there is no record)']);
  if (route.ifMatch === 'required') out.push([428, PROBLEMS[428].title]);
  return out;
}

/** Each scope and the groups of routes (tags) it opens, read off the route table so the two cannot disagree. */
export function scopeUses(routes: readonly ApiRoute[] = API_ROUTES): { scope: string; covers: string }[] {
  return API_SCOPES.map((scope) => ({
    scope,
    covers:
      scope === 'read'
        ? 'every GET'
        : [...new Set(routes.filter((r) => r.scope === scope).map((r) => r.tag))].join(', ') || 'nothing yet',
  }));
}

/** What each group of operations (tag) is, for the document's tag list. */
const TAGS: Record<string, string> = {
  Organizations: 'Customer organisations and their subsidiaries (the CRM)',
  Contacts: 'People at the organisations, their roles in the portal and their invitation',
  Applications: "The application tiles on a contact's dashboard",
  Invoices: 'Invoices by number, with their lines and PDF (the ERP)',
  Tickets: 'Support tickets: create or import, status, replies, deadline (the helpdesk)',
  Documents: 'Manuals, product information and reports, and the product-information text',
  FAQ: 'The questions and answers on the support page',
  Announcements: "News, maintenance and outage notices on the customers' dashboard",
};

/**
 * The OpenAPI 3.1 document, generated from the route table and its zod schemas. `baseUrl`: BASE_URL, which the
 * server URL names; null when it is not set, and the server URL is relative (to wherever the document was read).
 */
export function openApiDocument(baseUrl: string | null, routes: readonly ApiRoute[] = API_ROUTES): Json {
  const components: Json = { Problem };
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const responses: Json = {};
    for (const [status, doc] of Object.entries(route.responses)) {
      const content = doc.schema
        ? { 'application/json': { schema: schemaOf(doc.schema, 'output', components) } }
        : doc.binary
          ? Object.fromEntries(
              [doc.binary].flat().map((t) => [t, { schema: { type: 'string', contentEncoding: 'binary' } }]),
            )
          : Number(status) >= 400
            ? { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } }
            : undefined;
      responses[status] = { description: doc.description, ...(content ? { content } : {}) };
    }
    for (const [status, description] of inputAnswers(route)) {
      responses[String(status)] ??= {
        description,
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      };
    }
    const body = route.body
      ? { required: true, content: { 'application/json': { schema: schemaOf(route.body, 'input', components) } } }
      : route.raw
        ? {
            required: true,
            content: Object.fromEntries(
              [route.raw.contentType].flat().map((t) => [t, { schema: { type: 'string', contentEncoding: 'binary' } }]),
            ),
          }
        : undefined;
    paths[route.path] ??= {};
    paths[route.path]![route.method] = {
      operationId: route.operationId,
      tags: [route.tag],
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      security: [{ bearer: [route.scope] }],
      'x-scope': route.scope,
      parameters: parameters(route, components),
      ...(body ? { requestBody: body } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'PIM integration API',
      version: '1',
      description:
        "For Vcare's own systems (ERP, CRM, helpdesk). Authenticate with `Authorization: Bearer <token>` (tokens come from `pim api-token:create`). " +
        'Errors are RFC 9457 problem documents. POSTs take an Idempotency-Key; writes take If-Match. Lists are cursor pages in order of the last change.',
      // No licence is granted: the API is Vcare's own (SPDX's form for a licence its list does not hold).
      license: { name: 'Proprietary (Vcare)', identifier: 'LicenseRef-Vcare-Proprietary' },
    },
    servers: [{ url: `${baseUrl ?? ''}/api/v1` }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({
      name,
      ...(TAGS[name] ? { description: TAGS[name] } : {}),
    })),
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: `Scopes: ${scopeUses(routes)
            .map((u) => `${u.scope} (${u.covers})`)
            .join('; ')}`,
        },
      },
      schemas: components,
    },
    paths,
  };
}
