import session from 'express-session';
import connectPgSimple from 'connect-pg-simple';
import type pg from 'pg';
import type { RequestHandler } from 'express';
import type { Clock } from '../clock.js';

/** Cookie name: `__Host-` when cookies are Secure (HTTPS only, no Domain, Path=/). */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-pim.sid' : 'pim.sid';
}

/**
 * Sessions in PostgreSQL (connect-pg-simple; the table comes from a migration), so every
 * app instance behind a load balancer sees the same sessions.
 */
export function sessionMiddleware(opts: { pool: pg.Pool; secret: string; secure: boolean; idleMs: number; prune: boolean }): RequestHandler {
  const PgStore = connectPgSimple(session);
  return session({
    store: new PgStore({
      pool: opts.pool,
      tableName: 'session',
      createTableIfMissing: false,
      pruneSessionInterval: opts.prune ? 15 * 60 : false,
    }),
    name: sessionCookieName(opts.secure),
    secret: opts.secret,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    unset: 'destroy',
    proxy: undefined,
    cookie: { httpOnly: true, sameSite: 'lax', secure: opts.secure, path: '/', maxAge: opts.idleMs },
  });
}

const TOUCH_EVERY_MS = 60_000;

/**
 * Ends a logged-in session after `idleMs` without a request or `absoluteMs` after login,
 * by the app's clock. The last-seen time is written at most once a minute, so an ordinary
 * request costs no session write.
 */
export function sessionLifetime(clock: Clock, idleMs: number, absoluteMs: number): RequestHandler {
  return (req, res, next) => {
    const s = req.session as typeof req.session & { passport?: { user?: unknown } };
    if (!s?.passport?.user) return next();
    const now = clock.now().getTime();
    const created = s.createdAt ?? 0;
    const lastSeen = s.lastSeenAt ?? 0;
    if (now - created > absoluteMs || now - lastSeen > idleMs) {
      const lang = s.lang;
      return s.regenerate((err) => {
        if (err) return next(err);
        if (lang) req.session.lang = lang;
        req.session.flash = [{ type: 'info', key: 'login.expired' }];
        res.locals.sessionExpired = true;
        next();
      });
    }
    if (now - lastSeen > TOUCH_EVERY_MS) {
      s.lastSeenAt = now;
      // The cookie and the store row live as long as the session may still be used.
      s.cookie.maxAge = Math.max(1_000, Math.min(idleMs + TOUCH_EVERY_MS, created + absoluteMs - now));
    }
    next();
  };
}

/**
 * Saves the session before a redirect goes out. express-session saves at the end of the
 * response but sends the headers first, and a browser follows a redirect as soon as it has
 * the headers: the next page could read the session before the save (a flash message or a
 * fresh login lost). A session with nothing in it is not saved (no row for every visitor).
 */
export const saveBeforeRedirect: RequestHandler = (req, res, next) => {
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = ((...args: unknown[]) => {
    const s = req.session as (typeof req.session & Record<string, unknown>) | undefined;
    if (!s || !Object.keys(s).some((k) => k !== 'cookie')) return redirect(...args);
    s.save((err) => (err ? next(err) : redirect(...args)));
  }) as typeof res.redirect;
  next();
};
