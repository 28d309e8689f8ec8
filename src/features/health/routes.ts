import { Router } from 'express';
import type { BuiltDeps } from '../../deps.js';
import { publicRoute } from '../../auth/access.js';

/** Liveness (/healthz: the process answers) and readiness (/readyz: the database answers, not shutting down). */
export function healthRoutes({ services, lifecycle }: BuiltDeps): Router {
  const r = Router();
  r.get('/healthz', publicRoute, (_req, res) => {
    res.type('text/plain').send('ok');
  });
  r.get('/readyz', publicRoute, async (_req, res) => {
    // Shutting down: a load balancer should send new requests elsewhere from now on.
    if (lifecycle?.draining) return res.status(503).type('text/plain').send('shutting down');
    if (await services.health.databaseAnswers()) return res.type('text/plain').send('ready');
    res.status(503).type('text/plain').send('database unavailable');
  });
  return r;
}
