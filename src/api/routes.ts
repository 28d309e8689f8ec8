import type { ApiRoute } from './define.js';
import { invoiceRoutes } from './resources/invoices.js';
import { ticketRoutes } from './resources/tickets.js';
import { organizationRoutes } from './resources/organizations.js';
import { contactRoutes } from './resources/contacts.js';
import { applicationRoutes } from './resources/applications.js';
import { documentRoutes } from './resources/documents.js';
import { productInformationRoutes } from './resources/product-information.js';
import { faqRoutes } from './resources/faq.js';
import { announcementRoutes } from './resources/announcements.js';

/** Every route of the API, in the order of the reference pages. */
export const API_ROUTES: readonly ApiRoute[] = [
  ...organizationRoutes,
  ...contactRoutes,
  ...applicationRoutes,
  ...invoiceRoutes,
  ...ticketRoutes,
  ...documentRoutes,
  ...productInformationRoutes,
  ...faqRoutes,
  ...announcementRoutes,
];
