import type { ZodError } from 'zod';

/** Field name -> locale key of its first problem, for re-rendering a form with 422. */
export type FieldErrors = Record<string, string>;

/**
 * Turns a zod error into field errors. Schemas use locale keys as their messages; a
 * built-in zod message (no key) becomes the generic "invalid value" key.
 */
export function fieldErrors(error: ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? '_form');
    if (out[field]) continue;
    out[field] = /^[a-z][\w]*\.[\w.]+$/.test(issue.message) ? issue.message : 'validation.invalid';
  }
  return out;
}

/** A form value as a trimmed string (HTML forms send strings or arrays). */
export function str(v: unknown): string {
  if (Array.isArray(v)) return str(v[0]);
  return typeof v === 'string' ? v.trim() : '';
}
