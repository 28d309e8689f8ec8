import type { Request } from 'express';
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

/** The request's parsed form body (Express types it `any`); empty when there is none, as on a GET. */
export function formBody(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
}

/** A value from JSON or a form as String() writes it, but an object as JSON rather than "[object Object]". */
export function textOf(v: unknown): string {
  if (Array.isArray(v)) return v.map((x) => (x === null || x === undefined ? '' : textOf(x))).join(',');
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  switch (typeof v) {
    case 'string':
      return v;
    case 'function':
      return 'function';
    default:
      return String(v);
  }
}

/** A form value as a trimmed string (HTML forms send strings or arrays). */
export function str(v: unknown): string {
  if (Array.isArray(v)) return str(v[0]);
  return typeof v === 'string' ? v.trim() : '';
}
