import express, { type Request, type RequestHandler } from 'express';
import { AppError } from './errors.js';
import { cleanField, edgeField, hasForbiddenChars } from './text.js';
import { markRefusedFields, type FieldErrors } from './validation.js';
import { log } from '../log.js';

/** Longest query parameter value anything in the portal reads (searches take 200). */
export const MAX_QUERY_VALUE = 1_000;

/** How the edge is set up: the form body's limits, the cookies the app reads, and what to count. */
export interface EdgeOptions {
  bodyLimit: string;
  parameterLimit: number;
  /** Names of the cookies the app reads: a damaged one is refused and cleared. */
  cookies: readonly string[];
  secureCookies: boolean;
  /** Called for every refused request before the 4xx goes out (login throttles count them). */
  onRefused?: (req: Request, reason: string) => Promise<unknown>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

/** decodeURIComponent that answers null for malformed percent-encoding or invalid UTF-8. */
function decode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** The problem (a locale key) with a `k=v&k=v` string, or null. */
function formProblem(encoded: string, multilineAllowed: boolean): string | null {
  if (!encoded) return null;
  for (const part of encoded.split('&')) {
    const eq = part.indexOf('=');
    const key = decode((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '));
    const value = eq < 0 ? '' : decode(part.slice(eq + 1).replace(/\+/g, ' '));
    if (key === null || value === null) return 'errors.badEncoding';
    if (!multilineAllowed && value.length > MAX_QUERY_VALUE) return 'errors.tooLong';
    if (hasForbiddenChars(key, false) || hasForbiddenChars(value, multilineAllowed)) return 'errors.badCharacters';
  }
  return null;
}

/** The problem with the request target (path and query string), or null. */
function urlProblem(url: string): string | null {
  // Only printable ASCII belongs in a request target; anything else is sent percent-encoded.
  if (/[^\x21-\x7e]/.test(url)) return 'errors.badEncoding';
  const q = url.indexOf('?');
  const path = decode(q < 0 ? url : url.slice(0, q));
  if (path === null) return 'errors.badEncoding';
  if (hasForbiddenChars(path, false)) return 'errors.badCharacters';
  return q < 0 ? null : formProblem(url.slice(q + 1), false);
}

/** Names of the app's cookies whose value is damaged (not a cookie value, or bad encoding). */
function damagedCookies(header: string | undefined, names: readonly string[]): string[] {
  const bad: string[] = [];
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    const name = (i < 0 ? part : part.slice(0, i)).trim();
    if (!names.includes(name)) continue;
    const raw = part
      .slice(i + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    const value = decode(raw);
    if (!/^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/.test(raw) || value === null || hasForbiddenChars(value, false))
      bad.push(name);
  }
  return bad;
}

/**
 * Reads and discards a body nobody will parse (a request refused before its form was read), so
 * the answer does not reach a client still sending: it would see a reset connection instead of
 * the 400 page. A body larger than a form may be is not read: that connection just closes.
 */
function drainBody(req: Request): Promise<void> {
  if (req.complete || req.readableEnded || Number(req.headers['content-length'] ?? 0) > 1_048_576)
    return Promise.resolve();
  return new Promise((resolve) => {
    req.once('end', () => resolve());
    req.once('close', () => resolve());
    req.once('error', () => resolve());
    req.resume();
  });
}

const BAD_VALUES = Symbol('badFormValues');
type WithBadValues = Request & { [BAD_VALUES]?: Map<string, string[]> };

/** Percent-decodes a form's key or value (`+` is a space) to its bytes; null when an escape is malformed. */
function formBytes(raw: string): Buffer | null {
  const s = raw.replace(/\+/g, ' ');
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x25) {
      out.push(c);
      continue;
    }
    const hex = s.slice(i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) return null;
    out.push(parseInt(hex, 16));
    i += 2;
  }
  return Buffer.from(out);
}

/**
 * body-parser's verify hook. A key must be UTF-8 and well-formed percent-encoding (a bad one is
 * a forged form: 400). A value that is not is remembered, decoded leniently (U+FFFD for what
 * cannot be read), so the edge can hand it to the form as a refused field instead.
 */
function verifyForm(req: Request, _res: unknown, buf: Buffer): void {
  const bad = new Map<string, string[]>();
  // latin1 keeps every byte as one character, so a raw (unencoded) byte is judged like an escaped one.
  for (const part of buf.toString('latin1').split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const keyBytes = formBytes(eq < 0 ? part : part.slice(0, eq));
    if (!keyBytes) throw new AppError('BAD_REQUEST', 'errors.badEncoding');
    let key: string;
    try {
      key = utf8.decode(keyBytes);
    } catch {
      throw new AppError('BAD_REQUEST', 'errors.badEncoding');
    }
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    const valueBytes = formBytes(rawValue) ?? Buffer.from(rawValue, 'latin1');
    let ok = formBytes(rawValue) !== null;
    try {
      utf8.decode(valueBytes);
    } catch {
      ok = false;
    }
    if (!ok) bad.set(key, [...(bad.get(key) ?? []), lenient.decode(valueBytes)]);
  }
  if (bad.size) (req as WithBadValues)[BAD_VALUES] = bad;
}

/**
 * The portal's edge: every input passes one rule before any route or the session sees it.
 * Request target, form body and the app's cookies must be well-formed (percent-encoding, UTF-8)
 * and free of control characters (tab and line breaks only in multi-line form fields; in other
 * fields they become a space). A refusal is a 400 page in the person's language, counted by
 * `onRefused` (login and reset throttles), and nothing behind it runs: nothing is half-saved.
 * A form value that breaks the rule is the exception: it is cleaned and its field marked
 * (markRefusedFields), so a form that takes the marks (edgeErrors) shows itself again with the
 * message and everything else typed; any other route meets the same 400 when it reads the body.
 * A multipart form (a form with files) passes unparsed: src/http/uploads.ts applies the same
 * field rule (edgeField) and its own size limits while it streams.
 */
export function edgeInput(opts: EdgeOptions): RequestHandler {
  const parseForm = express.urlencoded({
    extended: false,
    limit: opts.bodyLimit,
    parameterLimit: opts.parameterLimit,
    verify: verifyForm,
  });
  return (req, res, next) => {
    const refuse = (err: Error) => {
      const reason =
        err instanceof AppError
          ? (err.messageKey ?? 'badRequest').replace(/^errors\./, '')
          : String((err as { type?: string }).type ?? 'badRequest');
      const counted = opts.onRefused
        ? opts.onRefused(req, reason).catch((e: unknown) => log.warn('counting a refused request failed', e))
        : Promise.resolve();
      void Promise.all([counted, drainBody(req)]).then(() => next(err));
    };
    const url = urlProblem(req.originalUrl);
    if (url) return refuse(new AppError('BAD_REQUEST', url));
    const cookies = damagedCookies(req.headers.cookie, opts.cookies);
    if (cookies.length) {
      for (const name of cookies) {
        res.clearCookie(name, {
          path: '/',
          httpOnly: true,
          sameSite: 'lax',
          secure: opts.secureCookies || name.startsWith('__Host-'),
        });
      }
      // The request must not reach the session with the damaged cookie.
      delete req.headers.cookie;
      return refuse(new AppError('BAD_REQUEST', 'errors.badCookie'));
    }
    parseForm(req, res, (err?: unknown) => {
      if (err) return refuse(err instanceof Error ? err : new AppError('BAD_REQUEST'));
      const body = req.body as Record<string, unknown> | undefined;
      const badValues = (req as WithBadValues)[BAD_VALUES];
      const refused: FieldErrors = {};
      if (body && typeof body === 'object') {
        for (const [key, value] of Object.entries(body)) {
          if (hasForbiddenChars(key, false)) return refuse(new AppError('BAD_REQUEST', 'errors.badCharacters'));
          // A broken value is replaced by its lenient reading (body-parser would keep the escapes).
          const given = badValues?.get(key);
          const raw = given ? (given.length === 1 && !Array.isArray(value) ? given[0]! : given) : value;
          const list = (Array.isArray(raw) ? raw : [raw]).map((v) => String(v));
          const checked = list.map((v) => edgeField(key, v));
          if (given) refused[key] = 'validation.badEncoding';
          else if (checked.some((v) => v === null)) refused[key] = 'validation.controlChars';
          const kept = checked.map((v, i) => v ?? cleanField(key, list[i]!));
          const cleaned = refused[key] ? list.map((v) => cleanField(key, v)) : kept;
          body[key] = Array.isArray(raw) ? cleaned : cleaned[0];
        }
      }
      // The person's other values stay: the form shows itself again with the refused fields marked
      // (a route that does not take them answers the 400 page: see formBody). Still counted.
      if (Object.keys(refused).length) {
        markRefusedFields(req, refused);
        const reason = Object.values(refused).includes('validation.badEncoding') ? 'badEncoding' : 'badCharacters';
        const counted = opts.onRefused
          ? opts.onRefused(req, reason).catch((e: unknown) => log.warn('counting a refused request failed', e))
          : Promise.resolve();
        return void counted.then(() => next());
      }
      next();
    });
  };
}
