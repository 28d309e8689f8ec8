import { z } from 'zod';
import { parseIsoDateTime } from '../cli/time.js';

/**
 * Field rules shared by the staff tool and the integration API (one rule, every door): the
 * messages are plain English, as both speak to staff and developers.
 */

/** Non-empty trimmed text of at most `max` characters. */
export const text = (max = 200) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
/** An e-mail address, trimmed and lower-cased. */
export const email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email('not a valid e-mail address').max(254, 'not a valid e-mail address'));
/** A phone or fax number: digits, spaces, +, -, parentheses. */
export const phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9][0-9 ()-]{4,24}$/, 'not a valid phone number (digits, spaces, +, -, parentheses)');
/** An ISO 8601 date or date-time, Amsterdam time unless it has an offset (what staff type). */
export const dateTime = z.string().transform((v, ctx) => {
  const date = parseIsoDateTime(v);
  if (!date) {
    ctx.addIssue({
      code: 'custom',
      message: `not an ISO date-time: "${v}" (e.g. 2019-05-23T09:19, Amsterdam time, or 2019-05-23T09:19+02:00)`,
    });
    return z.NEVER;
  }
  return date;
});

/** An application code such as OPERATOR, upper-cased. */
export const appCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9_]{1,40}$/, 'not an application code (e.g. OPERATOR)');
