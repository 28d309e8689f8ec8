import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { publicRoute } from '../auth/access.js';
import { EVENT_TYPES } from '../webhooks/events.js';
import { openApiDocument, scopeUses } from './openapi.js';
import { PROBLEMS } from './problem.js';
import { textOf } from '../http/validation.js';

type Json = Record<string, unknown>;

/** One operation as the reference page lists it. */
interface OperationView {
  id: string;
  method: string;
  path: string;
  summary: string;
  description?: string;
  scope: string;
  parameters: { name: string; in: string; required: boolean; description?: string; type: string }[];
  body?: { mediaType: string; schemaHtml: string };
  responses: { status: string; description: string; schemaHtml?: string }[];
}

const REF = /^#\/components\/schemas\/([A-Za-z0-9_.-]+)$/;
const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A schema as HTML for the page: JSON, with each `{"$ref": "#/components/schemas/X"}` a link to
 * X's own section further down (the same page), so a body reads as names one click from their fields.
 */
export function schemaHtml(v: unknown): string {
  const json = JSON.stringify(
    v,
    (_key, value: unknown) => {
      const ref = value && typeof value === 'object' ? (value as Json).$ref : undefined;
      const name = typeof ref === 'string' ? REF.exec(ref)?.[1] : undefined;
      return name ? `\u0001${name}\u0001` : value;
    },
    2,
  );
  // JSON writes the marker as the six characters \u0001; nothing else in a schema does.
  return escapeHtml(json).replace(
    /&quot;\\u0001([A-Za-z0-9_.-]+)\\u0001&quot;/g,
    (_m, name: string) => `<a href="#schema-${name}">${name}</a>`,
  );
}
const typeOf = (s: Json | undefined) => (s ? textOf(s.type ?? (s.anyOf ? 'one of several' : 'any')) : 'any');

/** The document's operations grouped by tag, in the document's order. */
function operations(doc: Json): { tag: string; operations: OperationView[] }[] {
  const groups = new Map<string, OperationView[]>();
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(item)) {
      const content = (op.requestBody as { content?: Record<string, { schema: unknown }> } | undefined)?.content;
      const [mediaType, media] = Object.entries(content ?? {})[0] ?? [];
      const view: OperationView = {
        id: String(op.operationId),
        method: method.toUpperCase(),
        path: `/api/v1${path}`,
        summary: String(op.summary),
        description: op.description as string | undefined,
        scope: String(op['x-scope']),
        parameters: (op.parameters as Json[]).map((p) => ({
          name: String(p.name),
          in: String(p.in),
          required: !!p.required,
          description: p.description as string | undefined,
          type: typeOf(p.schema as Json),
        })),
        body: mediaType ? { mediaType, schemaHtml: schemaHtml(media!.schema) } : undefined,
        responses: Object.entries(
          op.responses as Record<string, { description: string; content?: Record<string, { schema: unknown }> }>,
        ).map(([status, r]) => ({
          status,
          description: r.description,
          schemaHtml: r.content ? schemaHtml(Object.values(r.content)[0]!.schema) : undefined,
        })),
      };
      const tag = (op.tags as string[])[0]!;
      groups.set(tag, [...(groups.get(tag) ?? []), view]);
    }
  }
  return [...groups].map(([tag, ops]) => ({ tag, operations: ops }));
}

/** /api/docs: the API reference, rendered on the server from the OpenAPI document (no script, no CDN). */
export function apiDocsRoutes({ config }: AppDeps): Router {
  const r = Router();
  const doc = openApiDocument(config.baseUrlConfigured ? config.baseUrl : null);
  const groups = operations(doc);
  const schemas = Object.entries((doc.components as { schemas: Json }).schemas).map(([name, schema]) => ({
    name,
    html: schemaHtml(schema),
  }));
  const problems = Object.entries(PROBLEMS).map(([status, p]) => ({ status, ...p }));
  r.get('/api/docs', publicRoute, (_req, res) => {
    res.render('api/docs', {
      groups,
      schemas,
      problems,
      scopes: scopeUses(),
      events: EVENT_TYPES,
      baseUrl: config.baseUrl,
    });
  });
  return r;
}
