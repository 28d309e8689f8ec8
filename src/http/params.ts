import { AppError } from './errors.js';

/**
 * A record id from the URL (`req.params.id`): a positive integer that fits PostgreSQL's
 * integer. Anything else is a page that does not exist (404), never a database error.
 */
export function idParam(raw: unknown): number {
  if (typeof raw !== 'string' || !/^[1-9]\d{0,8}$/.test(raw)) throw new AppError('NOT_FOUND');
  return Number(raw);
}
