import type { ApiRoute } from './define.js';
import { invoiceRoutes } from './resources/invoices.js';

/** Every route of the API, in the order of the reference pages. */
export const API_ROUTES: readonly ApiRoute[] = [...invoiceRoutes];
