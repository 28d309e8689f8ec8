import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { logContext } from '../log.js';

/** A request id a proxy may pass on: short, and only characters that are safe in a log line. */
const SANE_ID = /^[A-Za-z0-9._:@-]{8,100}$/;

/**
 * Gives every request an id: the proxy's `X-Request-Id` when it is sane, else a new UUID. It
 * is echoed in the response header, written in every log line of the request, and shown on
 * the 5xx page, so a person's "reference" finds the log lines.
 */
export const requestId: RequestHandler = (req, res, next) => {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && SANE_ID.test(given) ? given : randomUUID();
  res.locals.requestId = id;
  res.setHeader('X-Request-Id', id);
  logContext.run({ requestId: id }, next);
};
