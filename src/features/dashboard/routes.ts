import { Router } from 'express';
import type { AppDeps } from '../../deps.js';
import { actorOf } from '../../auth/access.js';
import { PAGES, guardFor } from '../../auth/pages.js';
import { listActivatedApplications, listCurrentAnnouncements } from './service.js';

/** The dashboard: application tiles and announcements. */
export function dashboardRoutes({ prisma, clock }: AppDeps): Router {
  const r = Router();
  r.get(PAGES.dashboard.path, guardFor('dashboard'), async (req, res) => {
    const actor = actorOf(req);
    const [applications, announcements] = await Promise.all([
      listActivatedApplications(prisma, actor),
      listCurrentAnnouncements(prisma, actor, clock.now()),
    ]);
    res.render('dashboard/index', { applications, announcements });
  });
  return r;
}
