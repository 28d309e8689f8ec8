import type pg from 'pg';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { PrismaClient, Tx } from './db/client.js';
import type { FileStorage } from './storage/types.js';
import { authServices } from './features/auth/services.js';
import { contactServices } from './features/contacts/services.js';
import { notificationServices } from './features/notifications/services.js';
import { organisationServices } from './features/organisations/services.js';
import { profileServices } from './features/profile/services.js';
import { securityServices } from './features/security/services.js';
import { ssoServices } from './features/sso/services.js';
import type { pageWhere } from './api/define.js';
import { faqServices } from './features/support/services.js';
import { activityServices } from './features/activity/services.js';
import { documentServices, productInfoServices } from './features/downloads/services.js';
import { ticketServices } from './features/tickets/services.js';
import { announcementServices, dashboardServices } from './features/dashboard/services.js';
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
  /** The pg pool under `db`: the list pages' hot reads run on it as prepared statements (src/db/read.ts). */
  pool?: pg.Pool;
  clock: Clock;
  storage: FileStorage;
  config: Config;
  /** The portal's public URL for links in mails (the staff tool may know a better one than the configuration). */
  baseUrl: string;
  /** Asks the outbox worker to send now rather than at its next tick. */
  kickMail?: () => void;
}

/** A write's check against the row as it is, made with the row locked (the API's If-Match). */
export type Precondition = (current: { version: number; updatedAt: Date }) => void;

/**
 * The client itself, for services whose helpers open their own transactions (the pages' logins,
 * security settings): the pages and the staff tool build the services over the client; only
 * the API builds them over a transaction, and its resources never call these.
 */
export function clientOf(db: PrismaClient | Tx): PrismaClient {
  // A transaction client has $transaction too (Prisma's nested transactions), but never $disconnect.
  if (!('$disconnect' in db))
    throw new Error('this service runs its own transactions: build it over the database client');
  return db;
}

/**
 * The domain, built once and handed to all three doors: the pages (`deps.services`), the API
 * (`ctx.services`, over the request's transaction for writes) and the staff tool
 * (`ctx.services`). Each model's reads take the actor and scope themselves through
 * `src/auth/scope.ts`; its commands take who acts (a person, staff, an API token) and write with
 * one audit path. Only services touch the database (tests/unit/doors.test.ts).
 */
export function createServices(deps: ServiceDeps) {
  // People: single sign-on and the organisation's settings first, as login and security use them.
  const sso = ssoServices(deps);
  const organisations = organisationServices(deps);
  const auth = authServices(deps, { sso });
  const security = securityServices(deps, { organisations });
  return {
    // -- people: contacts, roles, profile, security, login, single sign-on ------------------
    sso,
    organisations,
    auth,
    security,
    contacts: contactServices(deps),
    profile: profileServices(deps),
    notifications: notificationServices(deps),

    // -- support and content: tickets, FAQ, announcements, documents, activity --------------
    tickets: ticketServices(deps),
    faq: faqServices(deps),
    dashboard: dashboardServices(deps),
    documents: documentServices(deps),
    productInfo: productInfoServices(deps),
    activity: activityServices(deps),
    announcements: announcementServices(deps),

    // -- billing and organisations: invoices, organisations, integration, mail -------------
    invoices: invoiceServices(deps),
    integration: integrationServices(deps),
    mail: mailServices(deps),
    health: healthServices(deps),
    demo: demoServices(deps),

    deps,
  };
}

/** The `where`, order and size of one page of an API list (src/api/define.ts pageWhere). */
export type ApiPage = ReturnType<typeof pageWhere>;

/** The domain as the doors see it. */
export type Services = ReturnType<typeof createServices>;
