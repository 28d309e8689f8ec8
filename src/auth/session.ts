import session from 'express-session';
import connectPgSimple from 'connect-pg-simple';
import type pg from 'pg';
import type { Request, RequestHandler } from 'express';
import type { Clock } from '../clock.js';
import { actorSql, type ActorRow } from './actor.js';

/** Cookie name: `__Host-` when cookies are Secure (HTTPS only, no Domain, Path=/). */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-pim.sid' : 'pim.sid';
}

const PgStore = connectPgSimple(session);
const PRELOADED = Symbol('pim.preloadedActor');
const LOADED = Symbol('pim.loadedSession');

/** The session's content as express-session compares it (everything but the cookie). */
function contentOf(sess: object): string {
  return JSON.stringify(sess, function (this: unknown, key: string, value: unknown) {
    return this === sess && key === 'cookie' ? undefined : value;
  });
}

/** The session's row joined with its person's actor row: what one request needs to know who asks. */
const SESSION_SQL = actorSql({
  ctes: `s AS (SELECT sess FROM session WHERE sid = $1 AND expire >= to_timestamp($2)),
         uid AS (SELECT CASE WHEN s.sess #>> '{passport,user,id}' ~ '^[0-9]{1,9}$'
                             THEN (s.sess #>> '{passport,user,id}')::int END AS id FROM s),`,
  contactId: '(SELECT id FROM uid)',
  select: '(SELECT sess FROM s) AS sess,',
  // One row even without a person, so that an anonymous session still comes back.
  from: '(SELECT 1) one LEFT JOIN me ON true',
});

type SessionRow = Partial<ActorRow> & { sess: session.SessionData | null; id: number | null };

/**
 * Writes the session with what the Beveiliging page lists of it (whose it is, from where,
 * how and when), taken from the session itself. An ended session (expire '-infinity', see
 * src/auth/sessions.ts) is never written back: a request that was under way on another
 * instance when the person signed it out cannot bring it back to life.
 */
const SET_SQL = `
  INSERT INTO session (sess, expire, sid, contact_id, ip, user_agent, login_method, created_at, last_active_at)
  VALUES ($1, to_timestamp($2), $3, $4, $5, $6, $7, to_timestamp($8::float8 / 1000), to_timestamp($9::float8 / 1000))
  ON CONFLICT (sid) DO UPDATE SET sess = EXCLUDED.sess, expire = EXCLUDED.expire, contact_id = EXCLUDED.contact_id,
    ip = EXCLUDED.ip, user_agent = EXCLUDED.user_agent, login_method = EXCLUDED.login_method,
    created_at = EXCLUDED.created_at, last_active_at = EXCLUDED.last_active_at
  WHERE session.expire <> '-infinity'`;

/** The columns of a session row beside its JSON; null for an anonymous session. */
function sessionColumns(
  sess: session.SessionData,
): [number | null, string | null, string | null, string | null, number | null, number | null] {
  const user = (sess as { passport?: { user?: { id?: unknown } } }).passport?.user;
  const id = typeof user?.id === 'number' && Number.isInteger(user.id) ? user.id : null;
  if (id === null) return [null, null, null, null, null, null];
  return [
    id,
    sess.client?.ip ?? null,
    sess.client?.ua ?? null,
    sess.loginMethod ?? null,
    sess.createdAt ?? null,
    sess.lastSeenAt ?? null,
  ];
}

/**
 * connect-pg-simple with one change on the hot path: reading a session also reads the
 * actor of its logged-in person in the same statement (handed to passport through the
 * request), and touching is off (sessionLifetime saves at most once a minute instead).
 * A failed read is an error, never "no session": the request fails (503) and the session
 * survives a database restart.
 */
class PimSessionStore extends PgStore {
  constructor(private readonly pool: pg.Pool) {
    // Expired sessions are removed by the retention job (src/jobs/retention.ts), by the app's clock,
    // in batches and by one instance at a time, not by this store's timer in every instance.
    super({
      pool,
      tableName: 'session',
      createTableIfMissing: false,
      pruneSessionInterval: false,
      disableTouch: true,
    });
  }

  override get(sid: string, cb: (err: unknown, sess?: session.SessionData | null) => void): void {
    this.pool
      .query<SessionRow>({ name: 'pim_session_actor', text: SESSION_SQL, values: [sid, Math.ceil(Date.now() / 1000)] })
      .then(
        ({ rows }) => {
          const row = rows[0];
          if (!row?.sess) return cb(null, null);
          const sess = row.sess as session.SessionData & { [PRELOADED]?: ActorRow | null };
          // A symbol key: express-session neither copies it into the session nor hashes it.
          sess[PRELOADED] = row.id == null ? null : (row as ActorRow);
          cb(null, sess);
        },
        (err: unknown) => cb(err),
      );
  }

  override set(sid: string, sess: session.SessionData, cb?: (err?: unknown) => void): void {
    const cookie = sess.cookie as { expires?: Date | string | null } | undefined;
    const expire = Math.ceil((cookie?.expires ? new Date(cookie.expires).getTime() : Date.now() + 86_400_000) / 1000);
    this.pool.query(SET_SQL, [sess, expire, sid, ...sessionColumns(sess)]).then(
      () => cb?.(),
      (err: unknown) => cb?.(err),
    );
  }

  override createSession(req: Request, sess: session.SessionData): session.Session & session.SessionData {
    const preloaded = (sess as { [PRELOADED]?: ActorRow | null })[PRELOADED];
    (req as Request & { [PRELOADED]?: ActorRow | null })[PRELOADED] = preloaded;
    // What was read, so a redirect need not write back a session it did not change.
    (req as Request & { [LOADED]?: { sid: string; content: string } })[LOADED] = {
      sid: req.sessionID,
      content: contentOf(sess),
    };
    return super.createSession(req, sess);
  }
}

/**
 * The actor row that the session read brought along: undefined when there was none (no
 * session, or a session read elsewhere), null when the session's person no longer exists.
 */
export function preloadedActor(req: Request): ActorRow | null | undefined {
  return (req as Request & { [PRELOADED]?: ActorRow | null })[PRELOADED];
}

/**
 * Sessions in PostgreSQL, so every app instance behind a load balancer sees the same
 * sessions; see PimSessionStore for what a request costs.
 */
export function sessionMiddleware(opts: {
  pool: pg.Pool;
  secret: string;
  secure: boolean;
  idleMs: number;
}): RequestHandler {
  return session({
    store: new PimSessionStore(opts.pool),
    name: sessionCookieName(opts.secure),
    secret: opts.secret,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    // 'keep', not 'destroy': when a read fails (database restarting) express-session leaves
    // req.session unset, and with 'destroy' it would delete the session at the end of that
    // very request once the database answers again. Logout and expiry destroy explicitly.
    unset: 'keep',
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
      // The address the session was last used from, as the Beveiliging page shows it.
      if (s.client) s.client.ip = req.ip ?? s.client.ip;
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
 * fresh login lost). A session with nothing in it is not saved (no row for every visitor), nor
 * one the request did not change (as express-session would not: `/login` while logged in
 * wrote the session on every visit).
 */
export const saveBeforeRedirect: RequestHandler = (req, res, next) => {
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = (...args: unknown[]) => {
    const s = req.session as (typeof req.session & Record<string, unknown>) | undefined;
    if (!s || !Object.keys(s).some((k) => k !== 'cookie')) return redirect(...args);
    const loaded = (req as Request & { [LOADED]?: { sid: string; content: string } })[LOADED];
    if (loaded && loaded.sid === req.sessionID && loaded.content === contentOf(s)) return redirect(...args);
    s.save((err) => (err ? next(err) : redirect(...args)));
  };
  next();
};
