import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type pg from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PrismaClient } from '../db/client.js';
import { log } from '../log.js';

/** The app's Prometheus metrics: one registry per app (tests build several apps in a process). */
export interface Metrics {
  registry: Registry;
  /** Times and counts every request by its route pattern (never the raw URL). */
  track: RequestHandler;
  /** Answers a scrape (text exposition format). */
  scrape: RequestHandler;
  loginFailures: Counter;
  loginLocks: Counter;
  refusedRequests: Counter<'reason'>;
}

/** The label of a request: its route pattern, a static folder, or "unmatched" (so a URL scan adds no series). */
function routeLabel(req: Parameters<RequestHandler>[0]): string {
  const route = (req as { route?: { path?: unknown } }).route;
  if (route && typeof route.path === 'string') return route.path;
  const dir = /^\/(css|js|img)\//.exec(req.path);
  return dir ? `/${dir[1]}/*` : 'unmatched';
}

/** Creates the metrics on their own registry; `process` adds Node's own (heap, event loop, CPU). */
export function createMetrics(deps: { prisma: PrismaClient; pool: pg.Pool; process?: boolean }): Metrics {
  const registry = new Registry();
  const registers = [registry];
  if (deps.process) collectDefaultMetrics({ register: registry, prefix: 'pim_' });
  const requests = new Counter({
    name: 'pim_http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'pim_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const loginFailures = new Counter({
    name: 'pim_login_failures_total',
    help: 'Failed password logins (wrong address or password, or refused input)',
    registers,
  });
  const loginLocks = new Counter({
    name: 'pim_login_locks_total',
    help: 'Login throttle locks set (an account, account and address, or address locked for 15 minutes)',
    registers,
  });
  const refusedRequests = new Counter({
    name: 'pim_refused_requests_total',
    help: 'Requests refused at the edge (bad encoding, control characters, damaged cookie, too large)',
    labelNames: ['reason'] as const,
    registers,
  });

  const outbox = { pending: 0, failed: 0, oldest: 0 };
  const readOutbox = async () => {
    try {
      const [row] = await deps.prisma.$queryRaw<{ pending: number; failed: number; oldest: number | null }[]>`
        SELECT count(*) FILTER (WHERE failed_at IS NULL)::int AS pending, count(*) FILTER (WHERE failed_at IS NOT NULL)::int AS failed,
               extract(epoch FROM now() - min(created_at) FILTER (WHERE failed_at IS NULL))::float8 AS oldest
        FROM mail_outbox WHERE sent_at IS NULL`;
      Object.assign(outbox, { pending: row!.pending, failed: row!.failed, oldest: row!.oldest ?? 0 });
    } catch (err) {
      log.warn('metrics: outbox not readable', (err as Error).message);
    }
  };
  new Gauge({
    name: 'pim_outbox_pending',
    help: 'Mails waiting to be sent',
    registers,
    collect: async function () {
      await readOutbox();
      this.set(outbox.pending);
    },
  });
  new Gauge({
    name: 'pim_outbox_failed',
    help: 'Mails given up (retry with pim mail:retry)',
    registers,
    collect() {
      this.set(outbox.failed);
    },
  });
  new Gauge({
    name: 'pim_outbox_oldest_pending_seconds',
    help: 'Age of the oldest mail waiting to be sent',
    registers,
    collect() {
      this.set(outbox.oldest);
    },
  });
  new Gauge({
    name: 'pim_db_pool_connections',
    help: 'Database pool connections by state (total open, idle, requests waiting for one)',
    labelNames: ['state'] as const,
    registers,
    collect() {
      this.set({ state: 'total' }, deps.pool.totalCount);
      this.set({ state: 'idle' }, deps.pool.idleCount);
      this.set({ state: 'waiting' }, deps.pool.waitingCount);
    },
  });
  new Gauge({
    name: 'pim_db_pool_max',
    help: 'Largest number of connections the pool opens',
    registers,
    collect() {
      this.set(deps.pool.options.max ?? 10);
    },
  });

  const track: RequestHandler = (req, res, next) => {
    const end = duration.startTimer();
    res.once('finish', () => {
      const route = routeLabel(req);
      end({ method: req.method, route });
      requests.inc({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
  const scrape: RequestHandler = (_req, res, next) => {
    registry.metrics().then((text) => res.type(registry.contentType).send(text), next);
  };
  return { registry, track, scrape, loginFailures, loginLocks, refusedRequests };
}

/** The separate metrics listener's app (METRICS_PORT): only `/metrics`, with the token when one is set. */
export function metricsOnlyApp(metrics: Metrics, token: string | undefined): RequestHandler {
  const guarded = metricsEndpoint(metrics, token);
  return (req, res, next) => {
    if (token) return guarded(req, res, () => res.status(404).type('text/plain').send('not found'));
    if (req.path !== '/metrics' || req.method !== 'GET') return res.status(404).type('text/plain').send('not found');
    metrics.scrape(req, res, next);
  };
}

/**
 * `/metrics` on the app's own port: only with METRICS_TOKEN, and only for a request that
 * carries it (`Authorization: Bearer <token>`); otherwise the page does not exist.
 */
export function metricsEndpoint(metrics: Metrics, token: string | undefined): RequestHandler {
  const expected = token ? Buffer.from(`Bearer ${token}`) : undefined;
  return (req, res, next) => {
    if (req.path !== '/metrics' || req.method !== 'GET') return next();
    const given = Buffer.from(req.headers.authorization ?? '');
    if (!expected || given.length !== expected.length || !timingSafeEqual(given, expected)) return next();
    res.setHeader('Cache-Control', 'no-store');
    metrics.scrape(req, res, next);
  };
}
