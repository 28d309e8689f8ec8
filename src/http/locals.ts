import type { RequestHandler } from 'express';
import { pickLocale, translate, type Locale } from '../i18n/index.js';
import { menuFor } from '../auth/pages.js';
import { urlWith } from './list.js';
import { translateIsolated } from './views.js';

declare module 'express-session' {
  interface SessionData {
    lang?: Locale;
    flash?: { type: 'success' | 'info' | 'error'; key: string; params?: Record<string, string> }[];
    createdAt?: number;
    lastSeenAt?: number;
    /** How this session was opened (password, passkey, Microsoft, Google). */
    loginMethod?: import('../auth/actor.js').LoginMethod;
    /** True when this login passed a second step (or was a passkey): ending password-only sessions spares it. */
    secondStep?: boolean;
    returnTo?: string;
    /** Where the session was opened (user agent) and last used from (ip); listed on Beveiliging. */
    client?: { ip: string; ua: string };
    /** Password checked, second step still to come: not logged in (src/auth/two-step.ts). */
    twoStep?: import('../auth/two-step.js').PendingTwoStep;
    /** When the authenticator-app secret this browser is being shown was made: only this browser sees it again. */
    totpSetupAt?: number;
    /** When the person last confirmed their password or a second step (changing security settings). */
    reauthAt?: number;
    /** The WebAuthn challenge this browser was given, and what for. */
    webauthn?: {
      challenge: string;
      purpose: 'register' | 'login' | 'second-step' | 'confirm';
      at: number;
      handle?: string;
    };
  }
}

/** Chooses the language (remembering ?lang= in the session) and fills what every page needs. */
export const pageLocals: RequestHandler = (req, res, next) => {
  const lang = pickLocale(req.query.lang, req.session?.lang, req.headers['accept-language']);
  if (typeof req.query.lang === 'string' && req.session && req.session.lang !== lang) req.session.lang = lang;
  req.lang = lang;
  res.locals.lang = lang;
  res.locals.t = (key: string, params?: Record<string, string | number>) => translate(lang, key, params);
  // The same sentence with its parameters in <bdi> (headings that name a person or a title).
  res.locals.tb = (key: string, params: Record<string, string | number>) =>
    translateIsolated(translate(lang, key), params);
  res.locals.actor = req.user ?? null;
  res.locals.currentPath = req.path;
  res.locals.menu = req.user ? menuFor(req.user, req.path) : [];
  // Messages are taken when a page is rendered, not here: a request that ends in a redirect
  // (an expired session sent to the login page) leaves them for the page it leads to.
  res.locals.takeFlash = () => {
    const messages = req.session?.flash ?? [];
    if (req.session?.flash) delete req.session.flash;
    return messages;
  };
  next();
};

/** Shows a message on the next page (post/redirect/get). */
export function flash(
  req: Parameters<RequestHandler>[0],
  type: 'success' | 'info' | 'error',
  key: string,
  params?: Record<string, string>,
): void {
  (req.session.flash ??= []).push({ type, key, params });
}

/** The language of this request. */
export function langOf(req: Parameters<RequestHandler>[0]): Locale {
  return req.lang ?? 'nl';
}

/** List helpers every page gets: `urlWith({ sort: 'name' })` keeps the other query parameters. */
export const listLocals: RequestHandler = (req, res, next) => {
  res.locals.urlWith = (changes: Record<string, string | number | null | undefined>) =>
    urlWith(req.path, req.query, changes);
  res.locals.urlWithParam = (name: string, value: string | number) => urlWith(req.path, req.query, { [name]: value });
  res.locals.query = req.query;
  next();
};
