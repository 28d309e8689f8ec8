import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { PrismaClient, Tx } from './db/client.js';
import type { FileStorage } from './storage/types.js';
import { invoiceServices } from './features/invoices/services.js';
import { integrationServices } from './features/integration/services.js';
import { mailServices } from './features/mail/services.js';
import { healthServices } from './features/health/services.js';
import { demoServices } from './demo/services.js';

/**
 * What the domain is built from. `db` is the client, or a transaction when a door makes the
 * service one step of a larger unit (an API write with its idempotency key): services run their
 * own transactions through `inTransaction`, which joins the caller's.
 */
export interface ServiceDeps {
  db: PrismaClient | Tx;
  clock: Clock;
  storage: FileStorage;
  config: Config;
  /** The portal's public URL for links in mails (the staff tool may know a better one than the configuration). */
  baseUrl: string;
  /** Asks the outbox worker to send now rather than at its next tick. */
  kickMail?: () => void;
}

/**
 * The domain, built once and handed to all three doors: the pages (`deps.services`), the API
 * (`ctx.services`, over the request's transaction for writes) and the staff tool
 * (`ctx.services`). Each model's reads take the actor and scope themselves through
 * `src/auth/scope.ts`; its commands take who acts (a person, staff, an API token) and write with
 * one audit path. Only services touch the database (tests/unit/doors.test.ts).
 */
export function createServices(deps: ServiceDeps) {
  return {
    // -- people: contacts, roles, profile, security, login, single sign-on ------------------

    // -- support and content: tickets, FAQ, announcements, documents, activity --------------

    // -- billing and organisations: invoices, organisations, integration, mail -------------
    invoices: invoiceServices(deps),
    integration: integrationServices(deps),
    mail: mailServices(deps),
    health: healthServices(deps),
    demo: demoServices(deps),

    deps,
  };
}

/** The domain as the doors see it. */
export type Services = ReturnType<typeof createServices>;
