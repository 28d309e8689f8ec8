import type { Actor } from './actor.js';
import { Role } from './roles.js';

/** One page of the portal: where it lives, the role it needs, and where it sits in the menu. */
export interface Page {
  path: string;
  role: Role;
  /** Locale key of the menu label; pages without one are not in the menu. */
  menu?: string;
  /** Locale key of the menu group heading ("Mijn gegevens"). */
  group?: string;
}

/**
 * The permission table. Routes take their guard from here (`guardFor`), and the menu is
 * drawn from here, so a hidden menu item and a refused URL can never disagree. Feature
 * issues add their pages to this table.
 */
export const PAGES = {
  dashboard: { path: '/', role: Role.PORTAL_ACCESS, menu: 'menu.dashboard' },

  // Mijn gegevens (group 'menu.myData'): organisation, contacts, personal page.

  contacts: { path: '/contacts', role: Role.MANAGE_CONTACTS, menu: 'contacts.menu', group: 'menu.myData' },
  contactRolesEdit: { path: '/contacts/:id/roles/edit', role: Role.ASSIGN_ROLES },

  // Administratie (group 'menu.administration'): invoices.

  // Downloads (group 'menu.downloads'): manuals, product information, reports.

  // Service & Support (group 'menu.support'): tickets, FAQ, remote support.
} satisfies Record<string, Page>;

export type PageName = keyof typeof PAGES;

/** The menu for one person: groups in table order, only the pages their roles allow. */
export function menuFor(actor: Actor, currentPath: string): { label: string; group?: string; path: string; current: boolean }[] {
  return Object.values(PAGES as Record<string, Page>)
    .filter((p) => p.menu && actor.roles.has(p.role))
    .map((p) => ({
      label: p.menu!,
      group: p.group,
      path: p.path,
      current: p.path === '/' ? currentPath === '/' : currentPath === p.path || currentPath.startsWith(`${p.path}/`),
    }));
}
