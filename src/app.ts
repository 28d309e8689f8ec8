import express, { type Express, type RequestHandler } from 'express';
import { csrfSync } from 'csrf-sync';
import path from 'node:path';
import type { AppDeps, BuiltDeps } from './deps.js';
import { createServices } from './services.js';
import { cspNonce, securityHeaders } from './http/security.js';
import { saveBeforeRedirect, sessionCookieName, sessionMiddleware, sessionLifetime } from './auth/session.js';
import { DEVICE_COOKIE } from './auth/device.js';
import { BROWSER_COOKIE } from './auth/browsers.js';
import { countRefusedAttempt } from './auth/throttle.js';
import { edgeInput } from './http/edge.js';
import { createPassport } from './auth/passport.js';
import { listLocals, pageLocals } from './http/locals.js';
import { useViews } from './http/views.js';
import { errorHandler, notFound } from './http/error-handler.js';
import { requestId } from './http/request-id.js';
import { closeWhileDraining } from './http/drain.js';
import { createMetrics, metricsEndpoint } from './http/metrics.js';
import { csrfDeferred } from './http/uploads.js';
import { createStorage } from './storage/index.js';
import { healthRoutes } from './features/health/routes.js';
import { authRoutes } from './features/auth/routes.js';
import { dashboardRoutes } from './features/dashboard/routes.js';
import { ssoRoutes } from './features/sso/routes.js';
import { organisationRoutes } from './features/organisations/routes.js';
import { profileRoutes } from './features/profile/routes.js';
import { activityRoutes } from './features/activity/routes.js';
import { invoiceRoutes } from './features/invoices/routes.js';
import { downloadRoutes } from './features/downloads/routes.js';
import { ticketRoutes } from './features/tickets/routes.js';
import { supportRoutes } from './features/support/routes.js';
import { contactsRoutes } from './features/contacts/routes.js';
import { API_BASE, apiRoutes } from './api/router.js';
import { apiDocsRoutes } from './api/docs.js';
import { notificationRoutes } from './features/notifications/routes.js';
import { securityRoutes } from './features/security/routes.js';
import { secondStepRoutes } from './features/security/second-step-routes.js';
import { colleagueRoutes } from './features/security/colleague-routes.js';
import { orgRequirementRoutes } from './features/security/org-requirement.js';
import { passkeyRoutes } from './features/security/passkey-routes.js';
import { uncheckedBody } from './http/validation.js';
import { ladderRoutes } from './http/ladder.js';

const PUBLIC_DIR = path.resolve(import.meta.dirname, '../public');

/** Builds the Express app; the middleware order reads top to bottom. */
export function createApp(given: AppDeps): Express {
  const { config } = given;
  const metrics = given.metrics ?? (config.metrics.enabled ? createMetrics(given) : undefined);
  const storage = given.storage ?? createStorage(config.tickets.s3, given.prisma);
  const services =
    given.services ??
    createServices({
      db: given.prisma,
      clock: given.clock,
      storage,
      config,
      baseUrl: config.baseUrl,
      kickMail: given.kickMail,
    });
  const deps: BuiltDeps = { ...given, metrics, storage, services };
  const app = express();
  app.disable('x-powered-by');
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
  useViews(app);
  // One support address on every page (the footer too): the helpdesk's, as the FAQ and the tickets pages say.
  app.locals.supportEmail = config.tickets.helpdeskEmail;

  // Every request gets an id first: every log line and the 5xx page carry it.
  app.use(requestId);
  // No answer is read as another type than it says, static files and probes included.
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  if (deps.lifecycle) app.use(closeWhileDraining(deps.lifecycle));
  if (metrics) app.use(metrics.track);

  // Probes and static files first: they need no session, so they cost no database round trip.
  app.use(healthRoutes(deps));
  // Never public: only with its token, and not at all here when it has a port of its own.
  if (metrics && config.metrics.token && !config.metrics.port) app.use(metricsEndpoint(metrics, config.metrics.token));
  // Mounted per folder, so an ordinary page costs no file-system look-up.
  for (const dir of ['css', 'js', 'img']) {
    app.use(
      `/${dir}`,
      express.static(path.join(PUBLIC_DIR, dir), {
        maxAge: config.production ? '1d' : 0,
        index: false,
        fallthrough: true,
      }),
    );
  }

  // The pipeline's layers, named so the benchmark's ladder (src/http/ladder.ts) can price each one.
  const security = [
    cspNonce,
    securityHeaders({ production: config.production, https: config.baseUrl.startsWith('https:') }),
  ];
  // Every input at the edge: well-formed encoding, no control characters, the app's cookies
  // intact; a refusal is a 400 page, and one at the login or reset form counts as an attempt.
  const edge = edgeInput({
    bodyLimit: '200kb',
    parameterLimit: 200,
    cookies: [sessionCookieName(config.secureCookies), DEVICE_COOKIE, BROWSER_COOKIE],
    secureCookies: config.secureCookies,
    onRefused: async (req, reason) => {
      metrics?.refusedRequests.inc({ reason });
      if (await countRefusedAttempt(deps.prisma, req.method, req.path, req.ip ?? 'unknown', deps.clock.now()))
        metrics?.loginLocks.inc();
    },
  });
  // Every answer from here on is about a person or carries their CSRF token: no browser or proxy keeps it.
  const noStore: RequestHandler = (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
  const session = [
    sessionMiddleware({
      pool: deps.pool,
      secret: deps.sessionSecret,
      secure: config.secureCookies,
      idleMs: config.sessionIdleMs,
    }),
    saveBeforeRedirect,
    sessionLifetime(deps.clock, config.sessionIdleMs, config.sessionAbsoluteMs),
  ];
  // Who is logged in (roles re-read on every request).
  const passport = createPassport(deps.prisma);
  const actor = [passport.initialize() as RequestHandler, passport.session() as RequestHandler];
  const locals = [pageLocals, listLocals];
  // CSRF on every state-changing request, login included; the token sits in each form.
  const { csrfSynchronisedProtection, generateToken, isRequestValid } = csrfSync({
    getTokenFromRequest: (req) =>
      (uncheckedBody(req)._csrf as string | undefined) ?? (req.headers['x-csrf-token'] as string | undefined),
  });
  const csrf: RequestHandler[] = [
    (req, res, next) => {
      res.locals.csrfToken = () => generateToken(req);
      res.locals.csrfValid = (token: string) =>
        isRequestValid(Object.assign(Object.create(req) as typeof req, { body: { _csrf: token } }));
      next();
    },
    // An upload form's token is checked by its route as the first field streams in (src/http/uploads.ts);
    // a signed mail link's one-click POST carries its proof in the URL (RFC 8058: no session, no form).
    (req, res, next) => (csrfDeferred(req) ? next() : csrfSynchronisedProtection(req, res, next)),
  ];
  if (config.benchLadder) app.use(ladderRoutes(deps, { edge, noStore, session, actor, security, csrf, locals }));

  // Security headers with a per-response CSP nonce.
  app.use(security);

  // The integration API, before the session: it accepts no cookie at all, only a Bearer token,
  // so a browser's session can never act through it (and it needs no CSRF token).
  app.use(API_BASE, apiRoutes(deps));

  app.use(edge, noStore);
  // Session, then who is logged in.
  app.use(session);
  app.use(actor);
  app.use(locals);
  app.use(csrf);

  // Features; each route declares its role (tests/integration/routes.test.ts checks).
  app.use(authRoutes(deps, passport));
  app.use(secondStepRoutes(deps));
  app.use(passkeyRoutes(deps));
  app.use(dashboardRoutes(deps));

  // Mijn gegevens
  app.use(organisationRoutes(deps));
  app.use(contactsRoutes(deps));
  app.use(profileRoutes(deps));
  app.use(securityRoutes(deps));
  app.use(colleagueRoutes(deps));
  app.use(orgRequirementRoutes(deps));
  app.use(activityRoutes(deps));
  app.use(notificationRoutes(deps));

  // Administratie and Downloads
  app.use(invoiceRoutes(deps));
  app.use(downloadRoutes(deps));

  // Service & Support
  app.use(ticketRoutes(deps));
  app.use(supportRoutes(deps));

  // Single sign-on
  app.use(ssoRoutes(deps, passport));

  // The integration API's reference pages (the API itself is mounted before the session).
  app.use(apiDocsRoutes(deps));

  app.use(notFound);
  app.use(errorHandler);
  return app;
}
