import { Router } from 'express';
import type { BuiltDeps } from '../../deps.js';
import { actorOf } from '../../auth/access.js';
import { guardFor } from '../../auth/pages.js';
import { flash } from '../../http/locals.js';
import { idParam } from '../../http/params.js';
import { AppError } from '../../http/errors.js';
import { changeContext } from './context.js';

/** A contact manager's security actions on a colleague's page: "Overal uitloggen" and resetting two-step login. */
export function colleagueRoutes(deps: BuiltDeps): Router {
  const { security } = deps.services;
  const r = Router();
  const guard = () => guardFor('contacts');

  r.post('/contacts/:id/sessions/end', guard(), async (req, res) => {
    const id = idParam(req.params.id);
    const n = await security.signOutColleague(actorOf(req), id, changeContext(deps, req));
    deps.kickMail?.();
    flash(req, 'success', 'security.colleague.signedOut', { count: String(n) });
    res.redirect(`/contacts/${id}`);
  });

  // Asks first, naming what goes (as deleting a contact does): the link on the contact page only opens this page.
  r.get('/contacts/:id/two-step/reset', guard(), async (req, res) => {
    const id = idParam(req.params.id);
    const colleague = await security.colleague(actorOf(req), id);
    if (colleague.refusal) throw new AppError('FORBIDDEN', colleague.refusal);
    res.render('security/colleague-reset', { contactId: id, colleague });
  });

  r.post('/contacts/:id/two-step/reset', guard(), async (req, res) => {
    const id = idParam(req.params.id);
    const done = await security.resetColleagueTwoStep(actorOf(req), id, changeContext(deps, req));
    if (done) deps.kickMail?.();
    flash(req, done ? 'success' : 'info', done ? 'security.colleague.resetDone' : 'security.colleague.nothingToReset');
    res.redirect(`/contacts/${id}`);
  });

  return r;
}
