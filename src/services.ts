import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { PrismaClient, Tx } from './db/client.js';
import type { FileStorage } from './storage/types.js';
import type { pageWhere } from './api/define.js';
import { faqServices } from './features/support/services.js';
import { activityServices } from './features/activity/services.js';
import { documentServices, productInfoServices } from './features/downloads/services.js';
import { ticketServices } from './features/tickets/services.js';
import { announcementServices, dashboardServices } from './features/dashboard/services.js';

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
    tickets: ticketServices(deps),
    faq: faqServices(deps),
    dashboard: dashboardServices(deps),
    documents: documentServices(deps),
    productInfo: productInfoServices(deps),
    activity: activityServices(deps),
    announcements: announcementServices(deps),

    // -- billing and organisations: invoices, organisations, integration, mail -------------

    deps,
  };
}

/** A write's check of the locked row before it changes it (the API's If-Match); it throws to refuse. */
export type Precondition = (current: { version: number; updatedAt: Date }) => void;

/** The `where`, order and size of one page of an API list (src/api/define.ts pageWhere). */
export type ApiPage = ReturnType<typeof pageWhere>;

/** The domain as the doors see it. */
export type Services = ReturnType<typeof createServices>;
