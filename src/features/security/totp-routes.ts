import { Router, type Request, type Response } from 'express';
import type { BuiltDeps } from '../../deps.js';
import { actorOf } from '../../auth/access.js';
import { PAGES, guardFor } from '../../auth/pages.js';
import { flash, langOf } from '../../http/locals.js';
import { formBody, str } from '../../http/validation.js';
import { translate } from '../../i18n/index.js';
import { requireRecentConfirmation } from './confirm-routes.js';
import { changeContext, keyOf } from './context.js';
import { recoveryCodesText, totpSetupView } from './totp-view.js';

/** Shows recovery codes once (never stored in a readable form), with the text file to keep. */
export function renderRecoveryCodes(req: Request, res: Response, codes: string[], continueTo: string): void {
  const text = recoveryCodesText(codes, translate(langOf(req), 'security.recovery.fileHeading'));
  res.set('Cache-Control', 'no-store');
  res.render('security/recovery-codes', {
    codes,
    download: `data:text/plain;charset=utf-8,${encodeURIComponent(text)}`,
    continueTo,
  });
}

/** The authenticator app (set up, confirm, switch off) and the recovery codes. */
export function totpRoutes(deps: BuiltDeps): Router {
  const { security } = deps.services;
  const r = Router();
  const guard = () => guardFor('security');
  const recent = requireRecentConfirmation(deps);
  const base = PAGES.security.path;

  const renderSetup = async (req: Request, res: Response, status: number, errors?: Record<string, string>) => {
    const actor = actorOf(req);
    const made = await security.totpSetupSecret(keyOf(deps), actor, {
      create: !errors,
      madeAt: req.session.totpSetupAt,
    });
    if (!made && errors) {
      // No code from a pending set-up (it expired, or there never was one): start again with a fresh code.
      flash(req, 'error', 'security.totp.expired');
      return res.redirect(303, `${base}/totp`);
    }
    if (!made) return res.redirect(base);
    req.session.totpSetupAt = made.madeAt;
    res.set('Cache-Control', 'no-store');
    res.status(status).render('security/totp-setup', {
      ...(await totpSetupView(made.secret, actor.email)),
      action: `${base}/totp`,
      errors,
    });
  };

  r.get(`${base}/totp`, guard(), recent, (req, res) => renderSetup(req, res, 200));

  r.post(`${base}/totp`, guard(), recent, async (req, res) => {
    const code = str(formBody(req).code).replace(/\s/g, '');
    if (!/^\d{6}$/.test(code)) return renderSetup(req, res, 422, { code: 'security.totp.codeFormat' });
    const codes = await security.confirmTotp(keyOf(deps), actorOf(req), code, changeContext(deps, req));
    if (!codes) return renderSetup(req, res, 422, { code: 'security.totp.codeWrong' });
    deps.kickMail?.();
    flash(req, 'success', 'security.totp.on');
    renderRecoveryCodes(req, res, codes, base);
  });

  r.post(`${base}/totp/off`, guard(), recent, async (req, res) => {
    const refused = await security.disableTotp(actorOf(req), changeContext(deps, req));
    if (refused === 'required') flash(req, 'error', 'security.totp.offRequired');
    else if (!refused) {
      deps.kickMail?.();
      flash(req, 'success', 'security.totp.off');
    }
    res.redirect(base);
  });

  // Asks first: new codes end the old ones. The button on Beveiliging only opens this page.
  r.get(`${base}/recovery-codes`, guard(), recent, async (req, res) => {
    const status = await security.status(actorOf(req));
    // Without a second step there are no codes to replace (the page says so; the POST makes none either).
    res.render('security/recovery-codes-confirm', {
      left: status.recoveryLeft,
      hasSecondStep: status.totp || status.passkeys > 0,
    });
  });

  r.post(`${base}/recovery-codes`, guard(), recent, async (req, res) => {
    const codes = await security.regenerateRecoveryCodes(actorOf(req), changeContext(deps, req));
    if (!codes) return res.redirect(base);
    deps.kickMail?.();
    renderRecoveryCodes(req, res, codes, base);
  });

  return r;
}
