import express, { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { BuiltDeps } from '../deps.js';
import { createServices, type Services } from '../services.js';
import type { Tx } from '../db/client.js';
import { ACCESS } from '../auth/access.js';
import { checkToken, hashToken, type ApiActor } from '../auth/api-tokens.js';
import { apiAuthRule } from '../auth/throttle.js';
import { ApiProblem, problemHandler, zodProblems, type FieldProblem } from './problem.js';
import type { ApiContext, ApiRoute } from './define.js';
import { answerOf, claimKey, fingerprint, idempotencyKey, type StoredAnswer } from './idempotency.js';
import { API_ROUTES } from './routes.js';
import { openApiDocument } from './openapi.js';
import { forbiddenChars, nestsDeeperThan, rangeProblems } from './input.js';
import { pipeline } from 'node:stream/promises';
import { startDownload } from '../http/download.js';

/** The domain over one request's transaction. */
function servicesWithin(deps: BuiltDeps, tx: Tx): Services {
  return createServices({ ...deps.services.deps, db: tx });
}

/** Marks the API router with its mount path, so the route listing in tests can give full paths. */
export const MOUNT_PATH = Symbol('pim.mountPath');
/** Where the API lives. */
export const API_BASE = '/api/v1';

const JSON_LIMIT = '1mb';

/**
 * The integration API. Mounted before the session: it reads no cookie at all (so it needs no
 * CSRF token), only `Authorization: Bearer <token>`. Every failure is a problem document.
 */
export function apiRoutes(deps: BuiltDeps): Router {
  const r = Router();
  const base = deps.config.baseUrl;
  const doc = openApiDocument(deps.config.baseUrlConfigured ? base : null);

  // The document itself is public (it holds no data): generators and the reference pages read it.
  r.get('/openapi.json', apiPublic, (_req, res) => {
    res.json(doc);
  });

  r.use(authenticate(deps));
  for (const route of API_ROUTES) {
    const path = route.path.replace(/\{(\w+)\}/g, ':$1');
    const body: RequestHandler = route.raw
      ? express.raw({ type: () => true, limit: route.raw.maxBytes })
      : express.json({ limit: JSON_LIMIT, strict: true, type: () => true });
    r[route.method](path, scopeGuard(route), body, handler(route, deps, documented(doc, route)));
  }
  r.use(otherMethods(API_ROUTES));
  r.use(problemHandler(base));
  Object.assign(r, { [MOUNT_PATH]: API_BASE });
  return r;
}

const apiPublic: RequestHandler = Object.assign(
  ((_req: Request, _res: Response, next: NextFunction) => next()) as RequestHandler,
  { [ACCESS]: 'PUBLIC' as const },
);

/**
 * Reads the Bearer token, refuses an unknown, revoked or expired one (401), a token past its rate (429) and,
 * without looking the token up, an address past its failed authentications (429, apiAuthRule).
 */
function authenticate(deps: BuiltDeps): RequestHandler {
  const limit = deps.config.api.rateLimitPerMinute;
  const recentlyValid = validTokenMemo();
  return async (req, res, next) => {
    try {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
      res.setHeader('cache-control', 'no-store');
      if (!m)
        throw new ApiProblem(401, 'Send Authorization: Bearer <token> (cookies are not accepted here)', undefined, {
          'www-authenticate': 'Bearer realm="pim"',
        });
      const now = deps.clock.now();
      const token = m[1]!;
      // Taken before the look-up: a burst of wrong tokens from one address gets at most the limit
      // checked. A token this instance found valid a moment ago is not counted at all (the look-up
      // below still refuses it if it has been revoked since), so a busy integration is not held.
      const rules = recentlyValid.has(token, now) ? [] : [apiAuthRule(req.ip ?? 'unknown')];
      const attempt = await deps.services.auth.takeAttempt(rules, now);
      if (!attempt.allowed) {
        const wait = Math.max(1, Math.ceil(((attempt.lockedUntil ?? now).getTime() - now.getTime()) / 1000));
        throw new ApiProblem(429, 'Too many failed authentications from this address', undefined, {
          'retry-after': String(wait),
        });
      }
      const check = await checkToken(deps.prisma, token, now);
      if (check.ok) {
        recentlyValid.add(token, now);
        await deps.services.auth.releaseAttempt(rules);
      } else {
        recentlyValid.forget(token);
        throw new ApiProblem(
          401,
          check.reason === 'unknown' ? 'Unknown API token' : `The API token is ${check.reason}`,
          undefined,
          {
            'www-authenticate': `Bearer realm="pim", error="invalid_token"`,
          },
        );
      }
      const remaining = Math.max(0, limit - check.hits);
      const reset = Math.max(1, Math.ceil((check.windowEnd.getTime() - now.getTime()) / 1000));
      res.setHeader('ratelimit-limit', String(limit));
      res.setHeader('ratelimit-remaining', String(remaining));
      res.setHeader('ratelimit-reset', String(reset));
      if (check.hits > limit)
        throw new ApiProblem(429, `At most ${limit} requests a minute per token`, undefined, {
          'retry-after': String(reset),
        });
      res.locals.apiActor = check.actor;
      next();
    } catch (e) {
      next(e);
    }
  };
}

/**
 * The tokens (by hash) this instance found valid within the last minute, at most 1,000 of them:
 * their requests skip the failed-authentication counter. Only a valid token can get in here.
 */
function validTokenMemo() {
  const seen = new Map<string, number>();
  const TTL_MS = 60_000;
  return {
    has: (token: string, now: Date) => (seen.get(hashToken(token)) ?? -Infinity) > now.getTime() - TTL_MS,
    add(token: string, now: Date) {
      const h = hashToken(token);
      seen.delete(h);
      seen.set(h, now.getTime());
      // A Map keeps insertion order: the first key is the one seen longest ago.
      if (seen.size > 1_000) seen.delete(seen.keys().next().value!);
    },
    forget: (token: string) => void seen.delete(hashToken(token)),
  };
}

/** The route's scope; a token without it gets 403 before anything else runs. */
function scopeGuard(route: ApiRoute): RequestHandler {
  const guard = ((_req: Request, res: Response, next: NextFunction) => {
    const actor = res.locals.apiActor as ApiActor;
    if (!actor.scopes.has(route.scope)) return next(new ApiProblem(403, `This request needs the scope ${route.scope}`));
    next();
  }) as RequestHandler & { [ACCESS]: string };
  guard[ACCESS] = `api:${route.scope}`;
  return guard;
}

/**
 * The answer to a path the API has, with a method it does not have: 405 with `Allow` (OPTIONS: 204 with `Allow`).
 * A path the API does not have is a 404.
 */
function otherMethods(routes: readonly ApiRoute[]): RequestHandler {
  const paths = new Map<string, { pattern: RegExp; methods: Set<string> }>();
  for (const route of routes) {
    const entry = paths.get(route.path) ?? {
      // Express matches paths case-insensitively and with an optional trailing slash; so does this.
      pattern: new RegExp(`^${route.path.replace(/\{\w+\}/g, '[^/]+')}/?$`, 'i'),
      methods: new Set<string>(),
    };
    entry.methods.add(route.method.toUpperCase());
    if (route.method === 'get') entry.methods.add('HEAD');
    paths.set(route.path, entry);
  }
  return (req, res, next) => {
    const found = [...paths.values()].find((p) => p.pattern.test(req.path));
    if (!found) return next(new ApiProblem(404, 'No such API route'));
    const allow = [...found.methods, 'OPTIONS'].join(', ');
    if (req.method === 'OPTIONS') return void res.setHeader('allow', allow).status(204).end();
    next(
      new ApiProblem(405, `${req.method} is not a method of this resource; it allows ${allow}`, undefined, { allow }),
    );
  };
}

type Json = Record<string, unknown>;

/** A route's input schemas as the OpenAPI document states them (with their integer bounds), for `rangeProblems`. */
interface Documented {
  path: Json;
  query: Json;
  body: Json | undefined;
  components: Json;
}

function documented(doc: Json, route: ApiRoute): Documented {
  const op = (doc.paths as Record<string, Record<string, Json>>)[route.path]![route.method]!;
  const params = op.parameters as { name: string; in: string; schema: Json }[];
  const of = (where: string): Json => ({
    type: 'object',
    properties: Object.fromEntries(params.filter((p) => p.in === where).map((p) => [p.name, p.schema])),
  });
  const body = (op.requestBody as { content: Record<string, { schema: Json }> } | undefined)?.content[
    'application/json'
  ]?.schema;
  return { path: of('path'), query: of('query'), body, components: (doc.components as { schemas: Json }).schemas };
}

/** How deep a JSON body may nest: far more than any schema of this API, far less than a stack overflow. */
const MAX_DEPTH = 32;

/**
 * Parses one part of the input with its zod schema. `outOfRange`: the part's integers the document's bounds refuse,
 * reported with zod's problems (one per pointer).
 */
function parse<T>(
  schema:
    | { safeParse(v: unknown): { success: true; data: T } | { success: false; error: import('zod').ZodError } }
    | undefined,
  value: unknown,
  where: string,
  outOfRange: FieldProblem[],
): T | undefined {
  if (!schema) return undefined;
  const r = schema.safeParse(value);
  if (!r.success || outOfRange.length) {
    const seen = new Set(outOfRange.map((p) => p.pointer));
    const rest = r.success
      ? []
      : zodProblems(r.error, where === 'body' ? [] : [where]).filter((p) => !seen.has(p.pointer));
    throw new ApiProblem(where === 'body' ? 422 : 400, `The ${where} is not valid`, [...outOfRange, ...rest]);
  }
  return r.data;
}

/** A file upload must have a body, of one of the route's media types. */
function checkUpload(req: Request, types: string[]): void {
  const sent = (req.get('content-type') ?? '').split(';')[0]!.trim();
  if (!Buffer.isBuffer(req.body) || req.body.length === 0)
    throw new ApiProblem(415, `The body is empty: send the file itself as ${types.join(' or ')}`);
  if (!req.is(types))
    throw new ApiProblem(
      415,
      `${sent ? `A file sent as ${sent} is not taken here` : 'The file has no Content-Type'}: send it as ${types.join(' or ')}`,
    );
}

function sendAnswer(res: Response, a: StoredAnswer, replayed: boolean): void {
  for (const [k, v] of Object.entries(a.headers)) res.setHeader(k, v);
  if (replayed) res.setHeader('idempotent-replayed', 'true');
  res.status(a.status).send(a.body === '' ? undefined : a.body);
}

/** Parses the input, runs the handler (writes in one transaction with the idempotency key) and answers. */
function handler(route: ApiRoute, deps: BuiltDeps, doc: Documented): RequestHandler {
  const base = deps.config.baseUrl;
  return async (req, res, next) => {
    try {
      const badQuery = forbiddenChars(req.query, ['query'], false);
      if (badQuery.length) throw new ApiProblem(400, 'The query holds a control character', badQuery);
      if (!route.raw && nestsDeeperThan(req.body, MAX_DEPTH))
        throw new ApiProblem(400, `The body nests deeper than ${MAX_DEPTH} levels`);
      const badBody = route.raw ? [] : forbiddenChars(req.body, [], true);
      if (badBody.length) throw new ApiProblem(422, 'The body holds a control character', badBody);
      const ranges = (schema: Json | undefined, value: unknown, at: string[], fromText: boolean) =>
        rangeProblems(schema, value, at, doc.components, fromText);
      const input = {
        params: parse(route.params, req.params, 'path', ranges(doc.path, req.params, ['path'], true)),
        query: parse(route.query, req.query, 'query', ranges(doc.query, req.query, ['query'], true)),
        body: route.raw ? undefined : parse(route.body, req.body, 'body', ranges(doc.body, req.body, [], false)),
      };
      if (route.raw) checkUpload(req, [route.raw.contentType].flat());
      const ifMatch = req.get('if-match');
      const ctx: Omit<ApiContext, 'services'> = {
        actor: res.locals.apiActor as ApiActor,
        now: deps.clock.now(),
        deps,
        ifMatch: ifMatch
          ? ifMatch
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean)
          : null,
        raw: route.raw ? (req.body as Buffer) : undefined,
        rawType: route.raw ? (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase() : undefined,
      };
      if (route.method === 'get') {
        const reply = await route.handle(input, { ...ctx, services: deps.services });
        if (reply.download) {
          // Streamed in slices, as the portal's own download does: a 20 MB file is never held whole.
          startDownload(res.status(reply.status), reply.download.fileName, reply.download.contentType);
          res.setHeader('Content-Length', String(reply.download.size));
          await pipeline(reply.download.stream, res);
          return;
        }
        if (reply.body instanceof Buffer) {
          res
            .status(reply.status)
            .type([route.responses[reply.status]?.binary ?? 'application/octet-stream'].flat()[0]!)
            .send(reply.body);
          return;
        }
        sendAnswer(res, answerOf(reply, base), false);
        return;
      }
      const key = route.method === 'post' ? idempotencyKey(req.get('idempotency-key')) : null;
      const print = key ? fingerprint(req.method, req.originalUrl, req.body) : '';
      const out = await deps.prisma.$transaction(
        async (tx) => {
          const services = servicesWithin(deps, tx);
          const prior = key ? await claimKey(services, ctx.actor.tokenId, key, print, ctx.now) : null;
          if (prior) return { answer: prior, replayed: true };
          const answer = answerOf(await route.handle(input, { ...ctx, services }), base);
          if (key) await services.integration.storeIdempotentAnswer(ctx.actor.tokenId, key, answer);
          return { answer, replayed: false };
        },
        { timeout: 60_000, maxWait: 15_000 },
      );
      sendAnswer(res, out.answer, out.replayed);
    } catch (e) {
      next(e);
    }
  };
}
