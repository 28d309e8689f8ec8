import { Router, type NextFunction, type Request, type Response } from 'express';
import type { AppDeps, BuiltDeps } from '../../deps.js';
import { actorOf } from '../../auth/access.js';
import { PAGES, guardFor } from '../../auth/pages.js';
import type { Rule } from '../../auth/throttle.js';
import { recentlyConfirmed } from '../../auth/two-step.js';
import { formatDateTime } from '../../i18n/index.js';
import { langOf } from '../../http/locals.js';
import { str, formBody } from '../../http/validation.js';
import { keyOf } from './context.js';

const MINUTE = 60_000;
/** The same counter as the personal page's password checks: five wrong in fifteen minutes lock both. */
const checkRules = (contactId: number): Rule[] => [
  { key: `pwcheck:${contactId}`, limit: 5, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE },
];

/** Only Beveiliging's own pages are places to return to after confirming. */
function safeNext(v: unknown): string {
  const s = str(v);
  return /^\/profile\/security(\/[a-z-]+)?$/.test(s) ? s : PAGES.security.path;
}

/**
 * Changing security settings needs a recent login or confirmation: without one, GETs are
 * sent to the confirmation page and POSTs refused with the same redirect (nothing changes).
 */
export function requireRecentConfirmation(deps: AppDeps) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (recentlyConfirmed(req, deps.clock)) return next();
    const back = req.method === 'GET' ? req.path : PAGES.security.path;
    res.redirect(`${PAGES.security.path}/confirm?next=${encodeURIComponent(back)}`);
  };
}

/** "Bevestig dat u het bent": the password, an app code or a recovery code, before a security change. */
export function confirmRoutes(deps: BuiltDeps): Router {
  const { clock } = deps;
  const { auth, security } = deps.services;
  const r = Router();
  const guard = () => guardFor('security');
  const path = `${PAGES.security.path}/confirm`;

  const render = async (req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) => {
    const step = await security.secondStep(actorOf(req).id);
    res.status(status).render('security/confirm', {
      next: safeNext(formBody(req).next ?? req.query.next),
      hasCode: step.totp || step.recoveryLeft > 0,
      ...extra,
    });
  };

  r.get(path, guard(), (req, res) => render(req, res, 200));

  r.post(path, guard(), async (req, res) => {
    const actor = actorOf(req);
    const body = formBody(req);
    const password = typeof body.password === 'string' ? body.password : '';
    const code = str(body.code);
    if (!password && !code) return render(req, res, 422, { errors: { password: 'security.confirm.missing' } });
    const rules = checkRules(actor.id);
    const attempt = await auth.takeAttempt(rules);
    if (!attempt.allowed)
      return render(req, res, 429, { lockedUntil: formatDateTime(langOf(req), attempt.lockedUntil ?? clock.now()) });
    const ok = password
      ? await security.verifyOwnPassword(actor, password.slice(0, 1024))
      : (await security.useSecondStepCode(keyOf(deps), actor.id, code.slice(0, 64))) !== null;
    if (!ok) {
      if (attempt.lockedUntil)
        return render(req, res, 429, { lockedUntil: formatDateTime(langOf(req), attempt.lockedUntil) });
      return render(req, res, 422, {
        errors: password ? { password: 'security.confirm.wrongPassword' } : { code: 'security.confirm.wrongCode' },
      });
    }
    await auth.clearKeys(rules.map((x) => x.key));
    req.session.reauthAt = clock.now().getTime();
    res.redirect(safeNext(formBody(req).next));
  });

  return r;
}
