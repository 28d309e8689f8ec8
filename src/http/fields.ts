import { z } from 'zod';

/**
 * Field rules shared by the staff tool and the integration API (one rule, every door): the
 * messages are plain English, as both speak to staff and developers.
 */

/** Non-empty trimmed text of at most `max` characters. */
export const text = (max = 200) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
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
