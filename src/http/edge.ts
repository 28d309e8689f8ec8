import express, { type Request, type RequestHandler } from 'express';
import { AppError } from './errors.js';
import { edgeField, hasForbiddenChars } from './text.js';
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

/** body-parser's verify hook: the raw form body must be UTF-8 and well-formed percent-encoding. */
function verifyForm(_req: unknown, _res: unknown, buf: Buffer): void {
  let text: string;
  try {
    text = utf8.decode(buf);
  } catch {
    throw new AppError('BAD_REQUEST', 'errors.badEncoding');
  }
  for (const part of text.split('&')) {
    if (decode(part.replace(/\+/g, ' ')) === null) throw new AppError('BAD_REQUEST', 'errors.badEncoding');
  }
}

/**
 * The portal's edge: every input passes one rule before any route or the session sees it.
 * Request target, form body and the app's cookies must be well-formed (percent-encoding, UTF-8)
 * and free of control characters (tab and line breaks only in multi-line form fields; in other
 * fields they become a space). A refusal is a 400 page in the person's language, counted by
 * `onRefused` (login and reset throttles), and nothing behind it runs: nothing is half-saved.
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
      if (body && typeof body === 'object') {
        for (const [key, value] of Object.entries(body)) {
          const values = Array.isArray(value)
            ? value.map((v) => edgeField(key, String(v)))
            : edgeField(key, String(value));
          if ([values].flat().some((v) => v === null))
            return refuse(new AppError('BAD_REQUEST', 'errors.badCharacters'));
          body[key] = values;
        }
      }
      next();
    });
  };
}
