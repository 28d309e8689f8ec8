import type { ApiRoute } from './define.js';
import { invoiceRoutes } from './resources/invoices.js';
import { ticketRoutes } from './resources/tickets.js';
import { organizationRoutes } from './resources/organizations.js';
import { contactRoutes } from './resources/contacts.js';

/** Every route of the API, in the order of the reference pages. */
export const API_ROUTES: readonly ApiRoute[] = [...organizationRoutes, ...contactRoutes, ...invoiceRoutes, ...ticketRoutes];
