import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from './errors.js';
import { log } from '../log.js';

/** Any URL no route answered: 404 page. */
export const notFound: RequestHandler = (_req, _res, next) => next(new AppError('NOT_FOUND'));

/** Maps errors to status and page; unexpected errors are logged and shown as 500 without details. */
export const errorHandler: ErrorRequestHandler = (err, req, res, next) => {
  if (res.headersSent) return next(err);
  let status = 500;
  let messageKey = 'errors.500';
  if (err instanceof AppError) {
    status = err.status;
    messageKey = err.messageKey ?? `errors.${status}`;
  } else if ((err as { code?: string }).code === 'EBADCSRFTOKEN') {
    // A form sent after the session expired: the token went with the session. Say that the
    // session expired (the flash is set) and go to the login page, rather than a CSRF error.
    if (res.locals.sessionExpired) {
      res.redirect(303, '/login');
      return;
    }
    status = 403;
    messageKey = 'errors.csrf';
  } else if ((err as { type?: string }).type === 'entity.too.large') {
    status = 413;
    messageKey = 'errors.413';
  } else if (typeof (err as { status?: number }).status === 'number' && (err as { status: number }).status < 500) {
    status = (err as { status: number }).status;
    messageKey = 'errors.400';
  } else {
    log.error(`${req.method} ${req.originalUrl}`, err);
  }
  res.status(status);
  if (!res.locals.t) {
    res.type('text/plain').send(String(status));
    return;
  }
  res.render('errors/error', { status, messageKey });
};
