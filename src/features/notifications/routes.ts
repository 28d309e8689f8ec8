import { Router } from 'express';
import type { BuiltDeps } from '../../deps.js';
import { actorOf, publicRoute } from '../../auth/access.js';
import { PAGES, guardFor } from '../../auth/pages.js';
import { AppError } from '../../http/errors.js';
import { flash } from '../../http/locals.js';
import { formBody, str } from '../../http/validation.js';
import { MAIL_KINDS, mailKindsFor, readUnsubscribeToken, type MailPreferences } from '../../mail/preferences.js';

/** Persoonlijk › Meldingen (which mails, in which language) and the one-click unsubscribe links of mails. */
export function notificationRoutes({ services, config }: BuiltDeps): Router {
  const r = Router();
  const secret = config.tickets.linkSecret;

  r.get(PAGES.notifications.path, guardFor('notifications'), async (req, res) => {
    res.render('notifications/edit', {
      prefs: await services.notifications.preferences(actorOf(req).id),
      kinds: mailKindsFor(actorOf(req)),
    });
  });

  r.post(PAGES.notifications.path, guardFor('notifications'), async (req, res) => {
    const actor = actorOf(req);
    const on = new Set(([] as unknown[]).concat(formBody(req).kinds ?? []).map(String));
    // A kind the form did not offer keeps its stored choice (it would not be sent now, but may be again with a role).
    const offered = new Set(mailKindsFor(actor));
    const before = await services.notifications.preferences(actor.id);
    const prefs: MailPreferences = {
      language: str(formBody(req).language) === 'en' ? 'en' : 'nl',
      kinds: Object.fromEntries(
        MAIL_KINDS.map((k) => [k, offered.has(k) ? on.has(k) : before.kinds[k]]),
      ) as MailPreferences['kinds'],
    };
    await services.notifications.change(actor, prefs);
    flash(req, 'success', 'notifications.saved');
    res.redirect(303, PAGES.profile.path);
  });

  // A link scanner or preview may GET the link: that only shows the question.
  // Opened again after unsubscribing, it says so instead of asking again.
  r.get('/mail/unsubscribe/:token', publicRoute, async (req, res) => {
    const target = readUnsubscribeToken(secret, String(req.params.token));
    if (!target) throw new AppError('NOT_FOUND');
    const already = (await services.notifications.stillSubscribed(target)) === false;
    res.render('notifications/unsubscribe', { token: req.params.token, kind: target.kind, done: false, already });
  });

  // RFC 8058 one-click (the mail program POSTs "List-Unsubscribe=One-Click") or the page's button.
  r.post('/mail/unsubscribe/:token', publicRoute, async (req, res) => {
    const target = readUnsubscribeToken(secret, String(req.params.token));
    if (!target) throw new AppError('NOT_FOUND');
    await services.notifications.unsubscribe(target);
    if (str(formBody(req)['List-Unsubscribe']) === 'One-Click') return void res.type('text/plain').send('unsubscribed');
    res.render('notifications/unsubscribe', { token: req.params.token, kind: target.kind, done: true });
  });

  return r;
}
