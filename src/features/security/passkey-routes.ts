import { Router, type Request, type Response } from 'express';
import type { BuiltDeps } from '../../deps.js';
import { actorOf, publicRoute } from '../../auth/access.js';
import { completeLogin } from '../../auth/login.js';
import { PAGES, guardFor } from '../../auth/pages.js';
import { relyingParty, takeChallenge } from '../../auth/passkeys.js';
import { pendingTwoStep } from '../../auth/two-step.js';
import { flash } from '../../http/locals.js';
import { idParam } from '../../http/params.js';
import { formBody, str } from '../../http/validation.js';
import { requireRecentConfirmation } from './confirm-routes.js';
import { changeContext } from './context.js';

/** The credential the browser script put in the form, parsed; null when absent or not JSON. */
function credentialOf(req: Request): unknown {
  const raw = str(formBody(req).credential);
  if (!raw || raw.length > 20_000) return null;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return null;
  }
}

/** A passkey's name: trimmed, 1 to 60 characters. */
function nameOf(req: Request): string | null {
  const name = str(formBody(req).name).trim();
  return name && name.length <= 60 ? name : null;
}

/**
 * Passkeys: adding, renaming and removing them on Beveiliging; the second step after the
 * password; and the whole login without a username ("Inloggen met een passkey"). The
 * browser asks for options as JSON (public/js/passkey.js), then posts the credential in an
 * ordinary form, so every outcome is an ordinary page.
 */
export function passkeyRoutes(deps: BuiltDeps): Router {
  const { clock, config } = deps;
  const { auth, security } = deps.services;
  const rp = relyingParty(config.baseUrl);
  const r = Router();
  const guard = () => guardFor('security');
  const recent = requireRecentConfirmation(deps);
  const base = `${PAGES.security.path}/passkeys`;

  r.post(`${base}/options`, guard(), recent, async (req, res) => {
    const actor = actorOf(req);
    res.json(await security.registrationOptions(req, rp, actor));
  });

  r.post(base, guard(), recent, async (req, res) => {
    const name = nameOf(req);
    const credential = credentialOf(req);
    const challenge = takeChallenge(req, clock, 'register');
    if (!name) flash(req, 'error', 'security.passkeys.nameRequired');
    else if (!credential || !challenge?.handle) flash(req, 'error', 'security.passkeys.needsBrowser');
    else {
      const added = await security.addPasskey(
        rp,
        actorOf(req),
        { challenge: challenge.challenge, handle: challenge.handle, response: credential, name },
        changeContext(deps, req),
      );
      if (!added) flash(req, 'error', 'security.passkeys.failed');
      else {
        deps.kickMail?.();
        // The other sessions ended: said, as the form said it would.
        flash(req, 'success', added.endedOthers ? 'security.passkeys.addedSignedOut' : 'security.passkeys.addedNow', {
          name,
        });
      }
    }
    res.redirect(`${PAGES.security.path}#passkeys`);
  });

  r.post(`${base}/:id/rename`, guard(), async (req, res) => {
    const id = idParam(req.params.id);
    const name = nameOf(req);
    if (!name) flash(req, 'error', 'security.passkeys.nameRequired');
    else {
      await security.renamePasskey(actorOf(req), id, name);
      flash(req, 'success', 'security.passkeys.renamed');
    }
    res.redirect(`${PAGES.security.path}#passkeys`);
  });

  r.post(`${base}/:id/remove`, guard(), recent, async (req, res) => {
    const removed = await security.removePasskey(actorOf(req), idParam(req.params.id), changeContext(deps, req));
    if (removed === 'required') flash(req, 'error', 'security.passkeys.removeRequired');
    else {
      deps.kickMail?.();
      flash(req, 'success', removed.endedOthers ? 'security.passkeys.removedSignedOut' : 'security.passkeys.removed');
    }
    res.redirect(`${PAGES.security.path}#passkeys`);
  });

  // The second step after the password.
  r.post('/login/second-step/passkey/options', publicRoute, async (req, res) => {
    const pending = pendingTwoStep(req, clock);
    if (!pending || pending.setup) return res.status(401).json({});
    res.json(await security.authenticationOptions(req, rp, 'second-step', pending.contactId));
  });

  r.post('/login/second-step/passkey', publicRoute, async (req, res) => {
    const pending = pendingTwoStep(req, clock);
    const challenge = takeChallenge(req, clock, 'second-step');
    const credential = credentialOf(req);
    if (!pending || pending.setup) return res.redirect('/login');
    const used =
      challenge && credential
        ? await security.verifyPasskey(rp, {
            challenge: challenge.challenge,
            response: credential,
            contactId: pending.contactId,
          })
        : null;
    const actor = used ? await auth.actor(pending.contactId, pending.epoch, pending.method) : null;
    if (!actor) {
      flash(req, 'error', 'security.passkeys.loginFailed');
      return res.redirect('/login/second-step');
    }
    const returnTo = pending.returnTo;
    await completeLogin(deps, req, res, actor, pending.method, { secondStep: true });
    res.redirect(returnTo);
  });

  // The whole login with a passkey (no username, no password).
  r.post('/login/passkey/options', publicRoute, async (req, res) => {
    res.json(await security.authenticationOptions(req, rp, 'login'));
  });

  r.post('/login/passkey', publicRoute, async (req: Request, res: Response) => {
    const challenge = takeChallenge(req, clock, 'login');
    const credential = credentialOf(req);
    const used =
      challenge && credential
        ? await security.verifyPasskey(rp, { challenge: challenge.challenge, response: credential })
        : null;
    // The same checks as every login: may log in, and not in an organisation that requires SSO.
    const actor = used ? await security.passkeyLogin(used.contactId, req.ip ?? '') : null;
    if (!actor) {
      flash(req, 'error', 'security.passkeys.loginFailed');
      return res.redirect('/login');
    }
    await completeLogin(deps, req, res, actor, 'passkey');
    res.redirect('/');
  });

  return r;
}
