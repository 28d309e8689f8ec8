import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Passport } from 'passport';
import type { BuiltDeps } from '../../deps.js';
import { actorOf, publicRoute } from '../../auth/access.js';
import { PAGES, guardFor } from '../../auth/pages.js';
import { completeLogin } from '../../auth/login.js';
import { flash } from '../../http/locals.js';
import { log } from '../../log.js';
import { microsoftStrategy, registerGoogle } from './providers.js';
import type { Provider, ProviderIdentity, SsoRefusal } from './service.js';
import { idParam } from '../../http/params.js';

type PassportInstance = InstanceType<typeof Passport>;

const PROVIDER: Record<'microsoft' | 'google', Provider> = { microsoft: 'MICROSOFT', google: 'GOOGLE' };

/**
 * Microsoft 365 and Google login (GET links, so CSP form-action 'self' never blocks the
 * redirect to the provider), and the personal page's linked logins.
 */
export function ssoRoutes(deps: BuiltDeps, passport: PassportInstance): Router {
  const { config, services } = deps;
  const r = Router();
  const ready: Partial<Record<'microsoft' | 'google', () => Promise<void>>> = {};
  if (config.microsoft) {
    ready.microsoft = microsoftStrategy(
      passport,
      config.microsoft,
      `${config.baseUrl}/auth/microsoft/callback`,
      deps.ssoFetch ? { fetch: deps.ssoFetch } : undefined,
    );
  }
  if (config.google) {
    registerGoogle(passport, config.google, `${config.baseUrl}/auth/google/callback`);
    ready.google = () => Promise.resolve();
  }

  const renderRefused = (res: Response, provider: Provider, reason: SsoRefusal) =>
    res.status(403).render('sso/refused', { provider, reason, sso: services.sso.buttons() });

  /** Readies the strategy; a provider that cannot be reached gets its own page, not a 500. */
  const withStrategy = (name: 'microsoft' | 'google') => async (req: Request, res: Response, next: NextFunction) => {
    try {
      await ready[name]!();
    } catch (e) {
      log.warn(`${name} sign-in unavailable: ${e instanceof Error ? e.message : String(e)}`);
      return res.status(503).render('sso/unavailable', { provider: PROVIDER[name] });
    }
    next();
  };

  for (const name of ['microsoft', 'google'] as const) {
    if (!ready[name]) continue;
    const provider = PROVIDER[name];

    r.get(`/auth/${name}`, publicRoute, withStrategy(name), (req, res, next) => {
      (passport.authenticate(name, { session: false }) as RequestHandler)(req, res, next);
    });

    r.get(`/auth/${name}/callback`, publicRoute, withStrategy(name), (req, res, next) => {
      const ip = req.ip ?? '';
      if (req.query.error === 'access_denied') {
        return void services.sso
          .refuse({ provider }, 'cancelled', ip)
          .then(() => renderRefused(res, provider, 'cancelled'), next);
      }
      (
        passport.authenticate(
          name,
          { session: false },
          (err: unknown, identity: ProviderIdentity | false, info: unknown) => {
            void (async () => {
              if (err || !identity) {
                // A bad state, a spent code, a token with the wrong nonce, audience or issuer...
                const detail = err
                  ? describeError(err)
                  : typeof info === 'object' && info && 'message' in info
                    ? String(info.message)
                    : 'no identity';
                await services.sso.refuse({ provider }, 'failed', ip, {}, detail);
                return renderRefused(res, provider, 'failed');
              }
              const outcome = await services.sso.resolveLogin(identity, ip);
              if ('refused' in outcome) return renderRefused(res, provider, outcome.refused);
              // Microsoft and Google ask their own second step: the portal does not ask again.
              await completeLogin(deps, req, res, outcome.actor, name);
              if (outcome.linked) flash(req, 'success', `sso.linkedNow.${provider}`);
              res.redirect('/');
            })().catch(next);
          },
        ) as RequestHandler
      )(req, res, next);
    });
  }

  // The personal page's part: the person's linked logins, with unlink.
  r.get(PAGES.profileLogins.path, guardFor('profileLogins'), async (req, res) => {
    const logins = await services.sso.linkedLogins(actorOf(req));
    res.render('sso/logins', { linkedLogins: logins, sso: deps.sso ?? services.sso.buttons() });
  });

  r.post('/profile/logins/:id/unlink', guardFor('profileLogins'), async (req, res) => {
    const id = idParam(req.params.id);
    const provider = await services.sso.unlinkOwn(actorOf(req), id, req.ip ?? '');
    flash(req, 'success', `sso.unlinked.${provider}`);
    res.redirect(PAGES.profileLogins.path);
  });

  return r;
}

/** The error and its causes in one line for the audit trail ("... > unexpected JWT "nonce" claim value"). */
function describeError(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && depth < 4; depth++) {
    if (e instanceof Error) {
      const code = (e as { error?: unknown }).error;
      parts.push(typeof code === 'string' ? `${e.message} (${code})` : e.message);
      e = e.cause;
    } else {
      if (typeof e === 'object' && 'error' in e) parts.push(String(e.error));
      break;
    }
  }
  return parts.join(' > ');
}
