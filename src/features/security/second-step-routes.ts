import { Router, type Request, type Response } from 'express';
import type { BuiltDeps } from '../../deps.js';
import { publicRoute } from '../../auth/access.js';
import { browserId } from '../../auth/browsers.js';
import { completeLogin } from '../../auth/login.js';
import { RECOVERY_CODES_LOW } from '../../auth/recovery-codes.js';
import { pendingTwoStep, secondStepRules, type PendingTwoStep } from '../../auth/two-step.js';
import { flash, langOf } from '../../http/locals.js';
import { formBody, str } from '../../http/validation.js';
import { formatDateTime } from '../../i18n/index.js';
import { changeContext, keyOf } from './context.js';
import { totpSetupView } from './totp-view.js';
import { renderRecoveryCodes } from './totp-routes.js';

/**
 * /login/second-step: after the password, the code from the app, a recovery code or a passkey;
 * or, for a person whose organisation requires two-step login and who has none yet, setting
 * up the app. Until this is done the session is not logged in. The pages name nobody: no
 * name, no address, nothing of the account beyond what the password already proved.
 */
export function secondStepRoutes(deps: BuiltDeps): Router {
  const { clock } = deps;
  const { auth, security } = deps.services;
  const r = Router();
  const path = '/login/second-step';

  /** The pending person, still allowed to log in with the epoch the password was checked at. */
  const pendingActor = async (pending: PendingTwoStep) => auth.actor(pending.contactId, pending.epoch, pending.method);

  const renderCode = async (
    req: Request,
    res: Response,
    pending: PendingTwoStep,
    status: number,
    extra: Record<string, unknown> = {},
  ) => {
    const step = await security.secondStep(pending.contactId);
    res.status(status).render('security/second-step', { hasTotp: step.totp, hasPasskey: step.passkeys > 0, ...extra });
  };

  const renderSetup = async (
    req: Request,
    res: Response,
    pending: PendingTwoStep,
    status: number,
    errors?: Record<string, string>,
  ) => {
    const actor = await pendingActor(pending);
    if (!actor) return restart(req, res);
    const made = await security.totpSetupSecret(keyOf(deps), actor, { madeAt: req.session.totpSetupAt });
    if (!made) {
      // Set up meanwhile (another browser): ask for the code instead.
      pending.setup = false;
      return renderCode(req, res, pending, status);
    }
    req.session.totpSetupAt = made.madeAt;
    res.set('Cache-Control', 'no-store');
    res.status(status).render('security/second-step-setup', {
      ...(await totpSetupView(made.secret, actor.email)),
      action: `${path}/setup`,
      errors,
    });
  };

  const restart = (req: Request, res: Response) => {
    delete req.session.twoStep;
    flash(req, 'info', 'security.secondStep.expired');
    res.redirect('/login');
  };

  r.get(path, publicRoute, async (req, res) => {
    const pending = pendingTwoStep(req, clock);
    if (!pending) return res.redirect('/login');
    if (pending.setup) return renderSetup(req, res, pending, 200);
    return renderCode(req, res, pending, 200);
  });

  r.post(path, publicRoute, async (req, res) => {
    const pending = pendingTwoStep(req, clock);
    if (!pending || pending.setup) return restart(req, res);
    const code = str(formBody(req).code).slice(0, 64);
    if (!code) return renderCode(req, res, pending, 422, { error: 'security.secondStep.missing' });
    const browser = browserId(req, deps.sessionSecret);
    const known = (await security.knowsBrowser(pending.contactId, browser)) ? browser : null;
    const rules = secondStepRules(pending.contactId, known, req.ip ?? 'unknown');
    const attempt = await auth.takeAttempt(rules);
    const locked = (until: Date | null) =>
      renderCode(req, res, pending, 429, {
        error: 'security.secondStep.locked',
        lockedUntil: formatDateTime(langOf(req), until ?? clock.now()),
      });
    if (!attempt.allowed) return locked(attempt.lockedUntil);
    const used = await security.useSecondStepCode(keyOf(deps), pending.contactId, code);
    if (!used) {
      if (attempt.lockedUntil) return locked(attempt.lockedUntil);
      return renderCode(req, res, pending, 401, { error: 'security.secondStep.wrong' });
    }
    await auth.clearKeys(rules.map((x) => x.key));
    const actor = await pendingActor(pending);
    if (!actor) return restart(req, res);
    if (used === 'recovery') {
      await security.recoveryCodeUsed(actor, req.ip ?? '');
    }
    const returnTo = pending.returnTo;
    await completeLogin(deps, req, res, actor, pending.method, { secondStep: true });
    const left = (await security.secondStep(actor.id)).recoveryLeft;
    if (used === 'recovery' && left <= RECOVERY_CODES_LOW)
      flash(req, 'error', 'security.recovery.low', { count: String(left) });
    res.redirect(returnTo);
  });

  r.post(`${path}/setup`, publicRoute, async (req, res) => {
    const pending = pendingTwoStep(req, clock);
    if (!pending?.setup) return restart(req, res);
    const code = str(formBody(req).code).replace(/\s/g, '');
    if (!/^\d{6}$/.test(code)) return renderSetup(req, res, pending, 422, { code: 'security.totp.codeFormat' });
    const actor = await pendingActor(pending);
    if (!actor) return restart(req, res);
    const codes = await security.confirmTotp(keyOf(deps), actor, code, changeContext(deps, req));
    if (!codes) return renderSetup(req, res, pending, 422, { code: 'security.totp.codeWrong' });
    const returnTo = pending.returnTo;
    await completeLogin(deps, req, res, actor, pending.method, { secondStep: true });
    deps.kickMail?.();
    flash(req, 'success', 'security.totp.on');
    renderRecoveryCodes(req, res, codes, returnTo);
  });

  return r;
}
