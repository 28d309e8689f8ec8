import { Router, type Request, type Response, type NextFunction, type RequestHandler } from 'express';
import type { Passport } from 'passport';

type PassportInstance = InstanceType<typeof Passport>;
import { z } from 'zod';
import type { BuiltDeps } from '../../deps.js';
import { publicRoute } from '../../auth/access.js';
import type { Actor } from '../../auth/actor.js';
import { NewPassword } from '../../auth/passwords.js';
import { loginRules, resetIpRule, resetRules } from '../../auth/throttle.js';
import { knownDevice, rememberDevice } from '../../auth/device.js';
import { edgeErrors, fieldErrors, str, formBody } from '../../http/validation.js';
import { line, maxLengths } from '../../http/text.js';
import { flash, langOf } from '../../http/locals.js';
import { formatDateTime, translate } from '../../i18n/index.js';
import { safeReturnTo } from './return-to.js';
import { log } from '../../log.js';
import { normaliseEmail } from '../../auth/credentials.js';
import { completeLogin } from '../../auth/login.js';
import { beginTwoStep } from '../../auth/two-step.js';

/** The login form; its lengths are the page's maxlength (a longer name is no account anyway). */
const LoginForm = z.object({ username: line(254), password: z.string().max(128) });
/** The "forgot password" form: an address of at most 254 characters (RFC 5321), checked up front. */
const ForgotForm = z.object({ email: line(254, 'validation.email').toLowerCase().pipe(z.email('validation.email')) });
const LOGIN_MAX = maxLengths(LoginForm);
const FORGOT_MAX = maxLengths(ForgotForm);

const ResetForm = z
  .object({ password: NewPassword, confirm: z.string() })
  .refine((f) => f.password === f.confirm, { message: 'password.mismatch', path: ['confirm'] });

/** Login, logout, forgotten password and the reset / set-password page. */
export function authRoutes(deps: BuiltDeps, passport: PassportInstance): Router {
  const { services, clock, config } = deps;
  const { auth } = services;
  const defer =
    deps.defer ?? ((work: () => Promise<void>) => void work().catch((err: unknown) => log.error('deferred work', err)));
  const r = Router();

  const renderLogin = (req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) =>
    res.status(status).render('auth/login', {
      username: str(formBody(req).username).slice(0, LOGIN_MAX.username),
      max: LOGIN_MAX,
      returnTo: safeReturnTo(formBody(req).returnTo ?? req.query.returnTo),
      sso: deps.sso ?? services.sso.buttons(),
      ...extra,
    });

  r.get('/login', publicRoute, (req, res) => {
    if (req.user) return res.redirect(safeReturnTo(req.query.returnTo));
    renderLogin(req, res, 200);
  });

  r.post('/login', publicRoute, async (req: Request, res: Response, next: NextFunction) => {
    // A control character or broken UTF-8: the form again with the address kept (the edge counted it).
    const refused = Object.values(edgeErrors(req))[0];
    if (refused) return renderLogin(req, res, 422, { error: refused });
    const username = normaliseEmail(str(formBody(req).username));
    const password = typeof formBody(req).password === 'string' ? formBody(req).password : '';
    if (!username || !password) {
      return renderLogin(req, res, 422, { error: 'login.missing' });
    }
    const ip = req.ip ?? 'unknown';
    const device = knownDevice(req, deps.sessionSecret, username);
    const rules = loginRules(username, ip, device);
    const now = clock.now();
    // The attempt is taken and counted before argon2 runs: a burst gets no more checks than the limit.
    const attempt = await auth.takeAttempt(rules, now);
    const locked = (until: Date) =>
      renderLogin(req, res, 429, { error: 'login.locked', lockedUntil: formatDateTime(langOf(req), until) });
    if (!attempt.allowed) return locked(attempt.lockedUntil ?? now);
    const failed = () => {
      deps.metrics?.loginFailures.inc();
      if (!attempt.lockedUntil) return renderLogin(req, res, 401, { error: 'login.failed' });
      deps.metrics?.loginLocks.inc();
      locked(attempt.lockedUntil);
    };
    // Longer than the form allows cannot be anyone's: a failed attempt, counted like any other.
    if (!LoginForm.safeParse({ username, password }).success) return failed();

    (
      passport.authenticate('local', { session: false }, (err: unknown, actor: Actor | false) => {
        if (err) return next(err);
        if (!actor) {
          failed();
          return;
        }
        void (async () => {
          // Only after a correct password, so this says nothing to someone guessing addresses.
          if (await services.sso.requiredFor(actor.organizationId)) {
            await services.sso.refusePassword(actor, ip);
            return renderLogin(req, res, 403, { error: 'sso.passwordRefused' });
          }
          rememberDevice(res, deps.sessionSecret, username, config.secureCookies);
          await auth.clearKeys(rules.filter((x) => !x.key.startsWith('ip:')).map((x) => x.key));
          await auth.releaseAttempt(rules.filter((x) => x.key.startsWith('ip:')));
          const returnTo = safeReturnTo(formBody(req).returnTo);
          // A second step set up, or one the organisation requires: not logged in yet.
          const step = await services.security.secondStep(actor.id);
          if (step.totp || step.passkeys > 0 || step.required) {
            const setup = !step.totp && step.passkeys === 0;
            await beginTwoStep(req, {
              contactId: actor.id,
              epoch: actor.sessionEpoch,
              method: 'password',
              at: now.getTime(),
              setup,
              returnTo,
            });
            return res.redirect('/login/second-step');
          }
          await completeLogin(deps, req, res, actor, 'password');
          res.redirect(returnTo);
        })().catch(next);
      }) as RequestHandler
    )(req, res, next);
  });

  r.post('/logout', publicRoute, (req, res, next) => {
    const lang = req.session.lang;
    req.logout((err) => {
      if (err) return next(err);
      req.session.regenerate((err2) => {
        if (err2) return next(err2);
        if (lang) req.session.lang = lang;
        flash(req, 'info', 'login.loggedOut');
        res.redirect('/login');
      });
    });
  });

  r.get('/password/forgot', publicRoute, (_req, res) => res.render('auth/forgot', { email: '', max: FORGOT_MAX }));

  r.post('/password/forgot', publicRoute, async (req, res) => {
    const ip = req.ip ?? 'unknown';
    const now = clock.now();
    const refused = edgeErrors(req);
    const form = ForgotForm.safeParse({ email: str(formBody(req).email) });
    if (refused.email || !form.success) {
      // A malformed address is an attempt too: it counts on the client address's counter (the edge
      // already counted a refused character).
      if (!refused.email) await auth.takeAttempt([resetIpRule(ip)], now);
      return res.status(422).render('auth/forgot', {
        email: str(formBody(req).email).slice(0, FORGOT_MAX.email),
        max: FORGOT_MAX,
        errors: { email: refused.email ?? 'validation.email' },
      });
    }
    const email = form.data.email;
    res.render('auth/forgot-sent', { email });
    // The answer goes out first and is the same for every address; the work (which costs
    // more for a known address) happens after it, so neither text nor timing tells whether
    // an address is known. Over the limit nothing is sent: no flooding someone's mailbox.
    defer(async () => {
      const rules = resetRules(email, ip);
      if (!(await auth.takeAttempt(rules, now)).allowed) return;
      await auth.requestPasswordReset({ email, now, ip });
      deps.kickMail?.();
    });
  });

  r.get('/password/reset/:token', publicRoute, async (req, res) => {
    const token = await auth.usableToken(String(req.params.token));
    if (!token) return res.status(410).render('auth/reset-invalid');
    res.render('auth/reset', { purpose: token.purpose, email: token.contact.email });
  });

  r.post('/password/reset/:token', publicRoute, async (req, res) => {
    const token = await auth.usableToken(String(req.params.token));
    if (!token) return res.status(410).render('auth/reset-invalid');
    const refused = edgeErrors(req);
    const body = formBody(req);
    const form = ResetForm.safeParse({ password: body.password ?? '', confirm: body.confirm ?? '' });
    if (Object.keys(refused).length || !form.success) {
      const errors = { ...(form.success ? {} : fieldErrors(form.error)), ...refused };
      return res.status(422).render('auth/reset', { purpose: token.purpose, email: token.contact.email, errors });
    }
    const done = await auth.setPasswordWithToken({
      raw: String(req.params.token),
      password: form.data.password,
      ip: req.ip ?? '',
    });
    if (!done) return res.status(410).render('auth/reset-invalid');
    if (done.email) await auth.clearKeys([`acct:${done.email}`]);
    // Every session of this person ended with the new password, this browser's too.
    // "U kunt nu inloggen" only when the web-access rule lets the person in.
    req.logout(() => {
      if (done.blocker)
        flash(req, 'error', 'password.savedNoAccess', {
          reason: translate(langOf(req), `webAccess.blocker.${done.blocker}`),
        });
      else flash(req, 'success', 'password.changed');
      res.redirect('/login');
    });
  });

  return r;
}
