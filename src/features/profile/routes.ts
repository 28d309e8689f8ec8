import { Router, type Request, type Response } from 'express';
import { mailKindsFor } from '../../mail/preferences.js';
import type { BuiltDeps } from '../../deps.js';
import { actorOf } from '../../auth/access.js';
import type { Actor } from '../../auth/actor.js';
import { PAGES, guardFor } from '../../auth/pages.js';
import { textOf, edgeErrors, formBody, fieldErrors, str } from '../../http/validation.js';
import { flash, langOf } from '../../http/locals.js';
import { formatDateTime } from '../../i18n/index.js';
import { PasswordForm, parseProfileForm } from './schema.js';
import { CONTACT_MAX } from '../../http/contact-fields.js';
import type { Profile } from './service.js';

/** The four newsletters and outage notices, in the manual's order. */
export const SUBSCRIPTIONS = ['subscribeUpdate', 'subscribeCare', 'subscribeBusiness', 'subscribeFlash'] as const;

/**
 * Wrong current passwords (password change, e-mail change) are counted per person: five in
 * fifteen minutes lock these forms for fifteen minutes, so a session left open cannot be
 * used to guess the password.
 */
const MINUTE = 60_000;
const passwordCheckRules = (actor: Actor) => [
  { key: `pwcheck:${actor.id}`, limit: 5, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE },
];

/** Form values as the edit form shows them (from the database or from the refused post). */
function formValues(src: Profile | Record<string, unknown>): Record<string, unknown> {
  const v: Record<string, unknown> = {};
  for (const k of [
    'lastName',
    'firstName',
    'initials',
    'infix',
    'gender',
    'email',
    'phone',
    'mobile',
    'privateStreet',
    'privatePostcode',
    'privateCity',
    'privateCountry',
    'language',
    'version',
  ]) {
    const x = (src as Record<string, unknown>)[k];
    v[k] = x === null || x === undefined ? '' : typeof x === 'string' ? x : textOf(x);
  }
  for (const k of SUBSCRIPTIONS) {
    const x = (src as Record<string, unknown>)[k];
    v[k] = x === true || x === 'on';
  }
  return v;
}

/** Mijn gegevens › Persoonlijk: the own data, editing it, and "PIM Wachtwoord wijzigen". */
export function profileRoutes(deps: BuiltDeps): Router {
  const { services, clock, config } = deps;
  const { auth, profile } = services;
  const securityContext = (req: Request) => ({
    ip: req.ip ?? '',
    now: clock.now(),
    lang: langOf(req),
    baseUrl: config.baseUrl,
    keepSid: req.sessionID ?? null,
  });
  const r = Router();
  const guard = () => guardFor('profile');
  const path = PAGES.profile.path;

  r.get(path, guard(), async (req, res) => {
    const actor = actorOf(req);
    const [me, linkedLogins, mailPrefs] = await Promise.all([
      profile.get(actor),
      services.sso.linkedLogins(actor),
      services.notifications.preferences(actor.id),
    ]);
    res.render('profile/show', {
      me,
      linkedLogins,
      // The linked-logins part names only the providers this instance offers (as the login page does).
      sso: deps.sso ?? services.sso.buttons(),
      mailPrefs,
      mailKinds: mailKindsFor(actor),
      showEmpty: str(req.query.empty) === '1',
      subscriptions: SUBSCRIPTIONS,
    });
  });

  const renderEdit = (
    res: Response,
    status: number,
    values: Record<string, unknown>,
    errors?: Record<string, string>,
    extra: Record<string, unknown> = {},
  ) =>
    res
      .status(status)
      .render('profile/edit', { values, errors, subscriptions: SUBSCRIPTIONS, max: CONTACT_MAX, ...extra });

  r.get(`${path}/edit`, guard(), async (req, res) => {
    renderEdit(res, 200, formValues(await profile.get(actorOf(req))));
  });

  r.post(`${path}/edit`, guard(), async (req, res, next) => {
    const actor = actorOf(req);
    const refused = edgeErrors(req);
    const body = formBody(req);
    const values = formValues(body);
    const form = parseProfileForm(body, refused);
    if (!form.data) return renderEdit(res, 422, values, form.errors);
    const emailChanged = form.data.email !== actor.email;
    // A new address needs the current password: the check's attempt is taken before it runs.
    const attempt = emailChanged ? await auth.takeAttempt(passwordCheckRules(actor)) : null;
    const lockedPage = (until: Date | null) =>
      renderEdit(
        res,
        429,
        values,
        { currentPassword: 'profile.errors.locked' },
        { lockedUntil: formatDateTime(langOf(req), until ?? clock.now()) },
      );
    if (attempt && !attempt.allowed) return lockedPage(attempt.lockedUntil);
    const result = await profile.update(actor, form.data, securityContext(req));
    // Only a wrong password keeps its attempt counted.
    if (attempt && !result.ok && result.reason !== 'wrongPassword')
      await auth.releaseAttempt(passwordCheckRules(actor));
    if (result.ok) {
      if (emailChanged) await auth.clearKeys(passwordCheckRules(actor).map((x) => x.key));
      flash(req, 'success', result.changed ? 'profile.saved' : 'profile.unchanged');
      if (result.epoch === undefined) return res.redirect(path);
      deps.kickMail?.();
      // The other sessions ended with the old username; this one moves onto the new epoch.
      const fresh = await auth.actor(actor.id, result.epoch);
      if (!fresh) return res.redirect('/login');
      return req.login(fresh, { session: true, keepSessionInfo: true }, (err) =>
        err ? next(err) : res.redirect(path),
      );
    }
    switch (result.reason) {
      case 'conflict':
        return renderEdit(res, 409, formValues(await profile.get(actor)), undefined, { conflict: true });
      case 'emailTaken':
        return renderEdit(res, 422, values, { email: 'profile.errors.emailTaken' });
      case 'passwordRequired':
        return renderEdit(res, 422, values, { currentPassword: 'profile.errors.currentForEmail' });
      case 'wrongPassword': {
        if (attempt?.lockedUntil) return lockedPage(attempt.lockedUntil);
        return renderEdit(res, 422, values, { currentPassword: 'profile.errors.wrongPassword' });
      }
    }
  });

  const renderPassword = (
    req: Request,
    res: Response,
    status: number,
    errors?: Record<string, string>,
    extra: Record<string, unknown> = {},
  ) => res.status(status).render('profile/password', { username: actorOf(req).email, errors, ...extra });

  r.get(`${path}/password`, guard(), (req, res) => renderPassword(req, res, 200));

  r.post(`${path}/password`, guard(), async (req, res, next) => {
    const actor = actorOf(req);
    const refused = edgeErrors(req);
    const form = PasswordForm.safeParse({
      current: formBody(req).current ?? '',
      password: formBody(req).password ?? '',
      confirm: formBody(req).confirm ?? '',
    });
    if (!form.success || Object.keys(refused).length)
      return renderPassword(req, res, 422, { ...(form.success ? {} : fieldErrors(form.error)), ...refused });
    const rules = passwordCheckRules(actor);
    const attempt = await auth.takeAttempt(rules);
    const lockedPage = (until: Date | null) =>
      renderPassword(
        req,
        res,
        429,
        { current: 'profile.errors.locked' },
        { lockedUntil: formatDateTime(langOf(req), until ?? clock.now()) },
      );
    if (!attempt.allowed) return lockedPage(attempt.lockedUntil);
    const done = await profile.changePassword(actor, {
      ...securityContext(req),
      current: form.data.current,
      password: form.data.password,
    });
    if (!done) {
      if (attempt.lockedUntil) return lockedPage(attempt.lockedUntil);
      return renderPassword(req, res, 422, { current: 'profile.errors.wrongPassword' });
    }
    await auth.clearKeys(rules.map((x) => x.key));
    deps.kickMail?.();
    // The bumped epoch ends every other session; this one moves onto the new epoch, with a
    // new session id (as after a login) and its language, flash and lifetime kept.
    const fresh = await auth.actor(actor.id, done.epoch);
    if (!fresh) return res.redirect('/login');
    req.login(fresh, { session: true, keepSessionInfo: true }, (err) => {
      if (err) return next(err);
      flash(req, 'success', 'profile.passwordChanged');
      res.redirect(PAGES.security.path);
    });
  });

  return r;
}
