import { Router } from 'express';
import type { BuiltDeps } from '../../deps.js';
import { actorOf } from '../../auth/access.js';
import { PAGES, guardFor } from '../../auth/pages.js';

/** The dashboard: application tiles and announcements. */
export function dashboardRoutes({ services }: BuiltDeps): Router {
  const r = Router();
  r.get(PAGES.dashboard.path, guardFor('dashboard'), async (req, res) => {
    res.render('dashboard/index', await services.dashboard.forPerson(actorOf(req)));
  });
  return r;
}
