import { Router, type Request, type Response } from 'express';
import type { BuiltDeps } from '../../deps.js';
import { actorOf } from '../../auth/access.js';
import { PAGES, guardFor } from '../../auth/pages.js';
import { RECOVERY_CODES_LOW } from '../../auth/recovery-codes.js';
import { flash } from '../../http/locals.js';
import { pageInfo, parseListQuery } from '../../http/list.js';
import { str } from '../../http/validation.js';
import { AppError } from '../../http/errors.js';
import { changeContext } from './context.js';
import { totpRoutes } from './totp-routes.js';
import { confirmRoutes } from './confirm-routes.js';

const SESSIONS_PER_PAGE = 20;

/** Mijn gegevens › Beveiliging: two-step login, passkeys, password and sessions. */
export function securityRoutes(deps: BuiltDeps): Router {
  const { security } = deps.services;
  const r = Router();
  const guard = () => guardFor('security');
  const path = PAGES.security.path;

  const renderPage = async (req: Request, res: Response) => {
    const actor = actorOf(req);
    const list = parseListQuery(req.query, {
      sorts: ['lastActive'] as const,
      defaultSort: 'lastActive',
      perPage: SESSIONS_PER_PAGE,
    });
    const [status, passkeys, sessions] = await Promise.all([
      security.status(actor),
      security.passkeys(actor),
      security.sessions(actor.id, req.sessionID, { take: list.perPage, skip: list.skip }),
    ]);
    res.render('security/index', {
      status,
      passkeys,
      lowCodes: (status.totp || status.passkeys > 0) && status.recoveryLeft <= RECOVERY_CODES_LOW,
      sessions: sessions.rows,
      info: pageInfo(sessions.total, list),
    });
  };

  r.get(path, guard(), renderPage);

  r.post(`${path}/sessions/:handle/end`, guard(), async (req, res) => {
    const actor = actorOf(req);
    const handle = str(req.params.handle);
    // Another person's session, or one that already ended, does not exist for this person.
    if (!(await security.endSession(actor.id, handle))) throw new AppError('NOT_FOUND');
    flash(req, 'success', 'security.sessions.ended');
    res.redirect(`${path}#sessions`);
  });

  r.post(`${path}/sessions/end-others`, guard(), async (req, res) => {
    const n = await security.endOtherSessions(actorOf(req), changeContext(deps, req));
    flash(req, 'success', 'security.sessions.endedOthers', { count: String(n) });
    res.redirect(`${path}#sessions`);
  });

  r.use(confirmRoutes(deps));
  r.use(totpRoutes(deps));
  return r;
}
