import type { Request } from 'express';
import type { ZodError } from 'zod';
import { AppError } from './errors.js';

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

const REFUSED = Symbol('edgeRefusedFields');
type Refusals = { errors: FieldErrors; taken: boolean };
type WithRefusals = Request & { [REFUSED]?: Refusals };

/**
 * Called by the edge: these fields held a control character or broken encoding; their values in
 * the body are cleaned copies (the bad characters gone), kept so the form can show them again.
 */
export function markRefusedFields(req: Request, errors: FieldErrors): void {
  (req as WithRefusals)[REFUSED] = { errors, taken: false };
}

/**
 * The fields the edge refused, as field errors (locale keys), for a form that re-shows itself
 * with them (422) instead of saving. Taking them is that promise: a route that reads the body
 * with formBody without taking them first gets the edge's 400 page instead, so no route can
 * save a cleaned value by mistake.
 */
export function edgeErrors(req: Request): FieldErrors {
  const r = (req as WithRefusals)[REFUSED];
  if (!r) return {};
  r.taken = true;
  return r.errors;
}

/**
 * The request's parsed form body (Express types it `any`); empty when there is none, as on a GET.
 * Refuses (400) a body with fields the edge refused, unless the route took them (edgeErrors).
 */
export function formBody(req: Request): Record<string, unknown> {
  const r = (req as WithRefusals)[REFUSED];
  if (r && !r.taken) {
    const encoding = Object.values(r.errors).includes('validation.badEncoding');
    throw new AppError('BAD_REQUEST', encoding ? 'errors.badEncoding' : 'errors.badCharacters');
  }
  return uncheckedBody(req);
}

/** The form body without the edge's refusals checked: for middleware that reads a token (CSRF), never for a save. */
export function uncheckedBody(req: Request): Record<string, unknown> {
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
