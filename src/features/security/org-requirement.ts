import { Router } from 'express';
import type { BuiltDeps } from '../../deps.js';
import { actorOf } from '../../auth/access.js';
import { guardFor } from '../../auth/pages.js';
import { flash } from '../../http/locals.js';
import { idParam } from '../../http/params.js';
import { formBody, str } from '../../http/validation.js';

/** The Organisatie page's switch: require two-step login for this organisation and its subsidiaries. */
export function orgRequirementRoutes(deps: BuiltDeps): Router {
  const { services } = deps;
  const r = Router();

  // Below the Organisatie page, so its guard; who may switch it is the service's rule (403 otherwise).
  r.post('/organisations/:id/two-step', guardFor('organisations'), async (req, res) => {
    const wanted = str(formBody(req).required) === 'on';
    // The box is ticked by default; a form without it (unticked) leaves open sessions alone.
    const endSessions = wanted && str(formBody(req).endSessions) === 'on' ? { keepSid: req.sessionID } : null;
    const r = await services.security.requireTwoStep(
      actorOf(req),
      idParam(req.params.id),
      wanted,
      req.ip ?? '',
      endSessions,
    );
    if (!wanted) flash(req, 'success', 'security.org.notRequired');
    else if (r.passwordOnlySessionsEnded === null) flash(req, 'success', 'security.org.nowRequired');
    else flash(req, 'success', 'security.org.nowRequiredEnded', { count: String(r.passwordOnlySessionsEnded) });
    res.redirect(`/organisations/${r.org.id}`);
  });

  return r;
}
