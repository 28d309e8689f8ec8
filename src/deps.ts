import type pg from 'pg';
import type { Config } from './config.js';
import type { PrismaClient } from './db/client.js';
import type { Clock } from './clock.js';
import type { Lifecycle } from './http/drain.js';
import type { Metrics } from './http/metrics.js';
import type { FileStorage } from './storage/types.js';
import type { Services } from './services.js';

/** What the app is built from; tests pass their own database, clock and secret. */
export interface AppDeps {
  config: Config;
  prisma: PrismaClient;
  pool: pg.Pool;
  clock: Clock;
  sessionSecret: string;
  /** Which single-sign-on buttons to show (wired by the SSO feature). */
  sso?: { microsoft: boolean; google: boolean };
  /** Tests only: the SSO providers' HTTP calls go through this fetch (to a provider on loopback). */
  ssoFetch?: typeof fetch;
  /** Prometheus metrics (when enabled); the server passes them so its metrics port shares them. */
  metrics?: Metrics;
  /** Set by the server while it shuts down: /readyz answers 503 and responses close their connection. */
  lifecycle?: Lifecycle;
  /** Asks the outbox worker to send now rather than at its next tick. */
  kickMail?: () => void;
  /**
   * Runs work after the response, off the request path (default: detached, errors logged).
   * Used where the answer's timing must not depend on the work (password reset requests).
   */
  defer?: (work: () => Promise<void>) => void;
  /** Where attachments live; default: from the configuration (S3 when set, else PostgreSQL). */
  storage?: FileStorage;
  /** The domain (src/services.ts); built by createApp from the above when not given. */
  services?: Services;
}

/** The dependencies once createApp has filled in what it builds itself. */
export type BuiltDeps = AppDeps & { storage: FileStorage; services: Services };
