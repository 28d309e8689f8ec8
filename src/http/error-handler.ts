import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { AppError } from './errors.js';
import { pageLocals } from './locals.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { log } from '../log.js';

/** Seconds a client is asked to wait before trying again during a database outage. */
export const RETRY_AFTER_SECONDS = 5;

/** Any URL no route answered: 404 page. */
export const notFound: RequestHandler = (_req, _res, next) => next(new AppError('NOT_FOUND'));

interface Answer {
  status: number;
  messageKey: string;
}

/** The status and message of an error; null when it was answered already (a redirect). */
function answerFor(err: unknown, req: Request, res: Response): Answer | null {
  if (err instanceof AppError) return { status: err.status, messageKey: err.messageKey ?? `errors.${err.status}` };
  const e = err as { code?: string; type?: string; status?: number };
  if (e.code === 'EBADCSRFTOKEN') {
    // A form sent after the session expired: the token went with the session. Say that the
    // session expired (the flash is set) and go to the login page, rather than a CSRF error.
    if (res.locals.sessionExpired) {
      res.redirect(303, '/login');
      return null;
    }
    return { status: 403, messageKey: 'errors.csrf' };
  }
  if (e.type === 'entity.too.large' || e.type === 'parameters.too.many')
    return { status: 413, messageKey: 'errors.413' };
  if (isDatabaseUnavailable(err)) {
    log.warn(`${req.method} ${req.path}: database unavailable (${(err as Error).message})`);
    res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    return { status: 503, messageKey: 'errors.503' };
  }
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500)
    return { status: e.status, messageKey: 'errors.400' };
  log.error(`${req.method} ${req.originalUrl}`, err);
  return { status: 500, messageKey: 'errors.500' };
}

/** Statuses with a heading of their own on the error page (`errors.heading.<status>`); others "Er ging iets mis". */
const HEADINGS = new Set([400, 401, 403, 404, 409, 410, 412, 413, 422, 429, 500, 503]);

/**
 * Maps errors to status and page; unexpected errors are logged and shown as 500 without
 * details but with the request id, so support can find the log lines. A database outage is
 * a 503 with Retry-After (the page says to try again in a moment), not a 500.
 */
export const errorHandler: ErrorRequestHandler = (err, req, res, next) => {
  if (res.headersSent) return next(err);
  const answer = answerFor(err, req, res);
  if (!answer) return;
  const { status, messageKey } = answer;
  res.status(status);
  if (status >= 500) res.setHeader('Cache-Control', 'no-store');
  // An error before the page locals (the session store failing, a refused request) still
  // gets a page in the person's language: the locals need no database.
  if (!res.locals.t) pageLocals(req, res, () => {});
  if (!res.locals.csrfToken) Object.assign(res.locals, { actor: null, menu: [] });
  res.render(
    'errors/error',
    {
      status,
      messageKey,
      headingKey: HEADINGS.has(status) ? `errors.heading.${status}` : 'errors.title',
      requestId: status >= 500 ? (res.locals.requestId as string | undefined) : undefined,
    },
    (renderErr: Error | null, html?: string) => {
      if (renderErr) {
        log.error('error page failed', renderErr);
        res.type('text/plain').send(`${status}${res.locals.requestId ? ` (${String(res.locals.requestId)})` : ''}`);
        return;
      }
      res.type('html').send(html);
    },
  );
};
