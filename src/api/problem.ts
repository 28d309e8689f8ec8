import type { ErrorRequestHandler, Response } from 'express';
import type { ZodError } from 'zod';
import { AppError } from '../http/errors.js';
import { log } from '../log.js';

/** One invalid field: a JSON Pointer into the request body (RFC 6901, as `#/lines/0/quantity`) and why. */
export interface FieldProblem {
  pointer: string;
  detail: string;
}

/** The problem types the API answers with; each has a section on /api/docs. */
export const PROBLEMS = {
  400: { slug: 'bad-request', title: 'Bad request' },
  401: { slug: 'unauthenticated', title: 'Missing, unknown, expired or revoked API token' },
  403: { slug: 'forbidden', title: 'The token lacks the scope this request needs' },
  404: { slug: 'not-found', title: 'No such resource' },
  405: { slug: 'method-not-allowed', title: 'The resource does not take this method (see the Allow header)' },
  409: { slug: 'conflict', title: 'Conflict with the current state of the resource' },
  412: { slug: 'precondition-failed', title: 'The resource changed since you read it (If-Match)' },
  413: { slug: 'too-large', title: 'Request body too large' },
  415: { slug: 'unsupported-media-type', title: 'Unsupported content type' },
  422: { slug: 'validation', title: 'The request is not valid' },
  428: { slug: 'precondition-required', title: 'This request needs an If-Match header' },
  429: { slug: 'rate-limited', title: 'Too many requests for this token, or failed authentications from this address' },
  500: { slug: 'internal', title: 'Internal error' },
} as const;
export type ProblemStatus = keyof typeof PROBLEMS;

/** An API failure: the status, a sentence for the developer, and the invalid fields if any. */
export class ApiProblem extends Error {
  constructor(
    readonly status: ProblemStatus,
    readonly detail?: string,
    readonly errors?: FieldProblem[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail ?? PROBLEMS[status].title);
  }
}

/** A JSON Pointer (RFC 6901) for a path of keys and indexes, as a URI fragment. */
export function pointer(path: readonly PropertyKey[]): string {
  return `#/${path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

/** A zod error as field problems, each with its pointer (below `prefix`, e.g. the body or the query). */
export function zodProblems(error: ZodError, prefix: readonly PropertyKey[] = []): FieldProblem[] {
  return error.issues.flatMap((i) =>
    // An unknown field is named by its own pointer, so a typo is found at once.
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ pointer: pointer([...prefix, ...i.path, k]), detail: 'unknown field' }))
      : [{ pointer: pointer([...prefix, ...i.path]), detail: i.message }],
  );
}

/** Sends an RFC 9457 problem document. `base` is the docs URL the type links to. */
export function sendProblem(res: Response, base: string, p: ApiProblem): void {
  const { slug, title } = PROBLEMS[p.status];
  for (const [k, v] of Object.entries(p.headers ?? {})) res.setHeader(k, v);
  res
    .status(p.status)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        type: `${base}/api/docs#problem-${slug}`,
        title,
        status: p.status,
        detail: p.detail ?? title,
        ...(p.errors ? { errors: p.errors } : {}),
      }),
    );
}

/** The API's error handler: every failure is a problem document, never an HTML page. */
export function problemHandler(base: string): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    sendProblem(res, base, toProblem(err, `${req.method} ${req.originalUrl}`));
  };
}

function toProblem(err: unknown, where: string): ApiProblem {
  if (err instanceof ApiProblem) return err;
  if (err instanceof AppError) {
    const status = (err.status in PROBLEMS ? err.status : 500) as ProblemStatus;
    if (status === 500) log.error(where, err);
    const { field, detail } = err.info;
    if (!detail) return new ApiProblem(status);
    if (!field || status === 404) return new ApiProblem(status, detail);
    return new ApiProblem(status, `${field}: ${detail}`, [{ pointer: pointer(field.split('.')), detail }]);
  }
  const e = err as { type?: string; status?: number; message?: string };
  if (e.type === 'entity.too.large') return new ApiProblem(413);
  if (e.type === 'entity.parse.failed') return new ApiProblem(400, 'The body is not valid JSON');
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') return new ApiProblem(415, e.message);
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500 && e.status in PROBLEMS)
    return new ApiProblem(e.status as ProblemStatus);
  log.error(where, err);
  return new ApiProblem(500);
}
