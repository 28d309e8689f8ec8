import { Router } from 'express';
import type { AppDeps } from '../../deps.js';
import { publicRoute } from '../../auth/access.js';

/** Liveness (/healthz: the process answers) and readiness (/readyz: the database answers). */
export function healthRoutes({ prisma }: AppDeps): Router {
  const r = Router();
  r.get('/healthz', publicRoute, (_req, res) => {
    res.type('text/plain').send('ok');
  });
  r.get('/readyz', publicRoute, async (_req, res) => {
    try {
      await prisma.$queryRaw`SELECT 1`;
      res.type('text/plain').send('ready');
    } catch {
      res.status(503).type('text/plain').send('database unavailable');
    }
  });
  return r;
}
