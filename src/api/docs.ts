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
  body?: { mediaType: string; schema: string };
  responses: { status: string; description: string; schema?: string }[];
}

const pretty = (v: unknown) => JSON.stringify(v, null, 2);
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
        body: mediaType ? { mediaType, schema: pretty(media!.schema) } : undefined,
        responses: Object.entries(
          op.responses as Record<string, { description: string; content?: Record<string, { schema: unknown }> }>,
        ).map(([status, r]) => ({
          status,
          description: r.description,
          schema: r.content ? pretty(Object.values(r.content)[0]!.schema) : undefined,
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
    json: pretty(schema),
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
