import type { Actor } from './actor.js';
import { Role } from './roles.js';
import { ACCESS, PAGE, holdsAny, requireAnyRole, requireMainContact, requireRole, type Guard } from './access.js';

/** One page of the portal: where it lives, the role it needs, and where it sits in the menu. */
export interface Page {
  path: string;
  /** The role it needs; a list means any one of them (guard: requireAnyRole). */
  role: Role | Role[];
  /** Locale key of the menu label; pages without one are not in the menu. */
  menu?: string;
  /** Locale key of the menu group heading ("Mijn gegevens"). */
  group?: string;
  /** Only the organisation's main contact sees it (guard: requireMainContact). */
  mainContactOnly?: boolean;
}

/**
 * The permission table. Routes take their guard from here (`guardFor`), and the menu is
 * drawn from here, so a hidden menu item and a refused URL can never disagree. Feature
 * issues add their pages to this table.
 */
export const PAGES = {
  dashboard: { path: '/', role: Role.PORTAL_ACCESS, menu: 'menu.dashboard' },

  // Mijn gegevens (group 'menu.myData'): organisation, contacts, personal page.
  organisations: {
    path: '/organisations',
    role: Role.VIEW_ORGANIZATION,
    menu: 'organisations.menu',
    group: 'menu.myData',
  },
  contacts: { path: '/contacts', role: Role.MANAGE_CONTACTS, menu: 'contacts.menu', group: 'menu.myData' },
  contactRolesEdit: { path: '/contacts/:id/roles/edit', role: Role.ASSIGN_ROLES },
  profile: { path: '/profile', role: Role.MANAGE_PERSONAL_DATA, menu: 'profile.menu', group: 'menu.myData' },
  /** Beveiliging: password, two-step login, passkeys, sessions. */
  security: { path: '/profile/security', role: Role.MANAGE_PERSONAL_DATA, menu: 'security.menu', group: 'menu.myData' },
  activity: {
    path: '/activity',
    role: Role.PORTAL_ACCESS,
    menu: 'activity.menu',
    group: 'menu.myData',
    mainContactOnly: true,
  },

  // Administratie (group 'menu.administration'): invoices.
  invoices: { path: '/invoices', role: Role.VIEW_INVOICES, menu: 'invoices.menu', group: 'menu.administration' },
  invoiceCsv: { path: '/invoices/export.csv', role: Role.VIEW_INVOICES },
  invoiceZip: { path: '/invoices/export.zip', role: Role.VIEW_INVOICES },
  invoicePdf: { path: '/invoices/:id/pdf', role: Role.VIEW_INVOICES },
  invoiceUbl: { path: '/invoices/:id/ubl', role: Role.VIEW_INVOICES },

  // Downloads (group 'menu.downloads'): manuals, product information, reports.
  manuals: {
    path: '/downloads/manuals',
    role: Role.VIEW_MANUALS,
    menu: 'downloads.menu.manuals',
    group: 'menu.downloads',
  },
  productInformation: {
    path: '/downloads/product-information',
    role: Role.PORTAL_ACCESS,
    menu: 'downloads.menu.productInformation',
    group: 'menu.downloads',
  },
  reports: {
    path: '/downloads/reports',
    role: Role.VIEW_REPORTS,
    menu: 'downloads.menu.reports',
    group: 'menu.downloads',
  },
  /** Any document; the service decides per document (kind, organisation, contract), 404 otherwise. */
  document: { path: '/documents/:id', role: Role.PORTAL_ACCESS },

  // Service & Support (group 'menu.support'): tickets, FAQ, remote support.
  tickets: {
    path: '/tickets',
    role: [Role.MANAGE_OWN_TICKETS, Role.MANAGE_ORG_TICKETS],
    menu: 'tickets.menu.tickets',
    group: 'menu.support',
  },
  ticketNew: { path: '/tickets/new', role: [Role.MANAGE_OWN_TICKETS, Role.MANAGE_ORG_TICKETS] },
  /** A file on a ticket; the service decides by the ticket's scope, 404 otherwise. */
  ticketAttachment: {
    path: '/tickets/:id/attachments/:fileId',
    role: [Role.MANAGE_OWN_TICKETS, Role.MANAGE_ORG_TICKETS],
  },
  faq: { path: '/faq', role: Role.PORTAL_ACCESS, menu: 'support.menu.faq', group: 'menu.support' },
  /** FAQ matches for a ticket title being typed (JSON for public/js/faq-suggest.js). */
  faqSuggest: { path: '/faq/suggest', role: Role.PORTAL_ACCESS },
  remoteSupport: {
    path: '/support/remote',
    role: Role.PORTAL_ACCESS,
    menu: 'support.menu.remote',
    group: 'menu.support',
  },

  // Single sign-on: the personal page's linked logins (reached from the personal page, not the menu).
  profileLogins: { path: '/profile/logins', role: Role.MANAGE_PERSONAL_DATA },
  /** Persoonlijk › Meldingen: which mails, in which language (reached from the personal page). */
  notifications: { path: '/profile/notifications', role: Role.MANAGE_PERSONAL_DATA },
} satisfies Record<string, Page>;

export type PageName = keyof typeof PAGES;

/**
 * The guard of a page, from the table: a route never picks its role by hand, so the menu and
 * the guard cannot disagree. Routes below a page (its details, forms, POSTs) use the page's guard.
 */
export function guardFor(name: PageName): Guard {
  const page: Page = PAGES[name];
  const base = page.mainContactOnly
    ? requireMainContact
    : Array.isArray(page.role)
      ? requireAnyRole(...page.role)
      : requireRole(page.role);
  const guard = ((req, res, next) => base(req, res, next)) as Guard;
  guard[ACCESS] = base[ACCESS];
  guard[PAGE] = name;
  return guard;
}

/** The menu for one person: groups in table order, only the pages their roles allow. */
export function menuFor(
  actor: Actor,
  currentPath: string,
): { label: string; group?: string; path: string; current: boolean }[] {
  const items = Object.values(PAGES as Record<string, Page>).filter(
    (p) => p.menu && holdsAny(actor, p.role) && (!p.mainContactOnly || actor.isMainContact),
  );
  const matches = (p: Page) =>
    p.path === '/' ? currentPath === '/' : currentPath === p.path || currentPath.startsWith(`${p.path}/`);
  // The deepest matching entry is the current one (/profile/security is Beveiliging, not Persoonlijk).
  const current = items.filter(matches).sort((a, b) => b.path.length - a.path.length)[0];
  return items.map((p) => ({ label: p.menu!, group: p.group, path: p.path, current: p === current }));
}
