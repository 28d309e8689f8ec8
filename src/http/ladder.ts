import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { BuiltDeps } from '../deps.js';
import { actorOf } from '../auth/access.js';
import { PER_PAGE } from './list.js';

/** The pipeline's layers as src/app.ts builds them, each a list of middleware. */
export interface Layers {
  edge: RequestHandler;
  noStore: RequestHandler;
  session: RequestHandler[];
  actor: RequestHandler[];
  security: RequestHandler[];
  csrf: RequestHandler[];
  locals: RequestHandler[];
}

/** The rungs in order: each is the previous one plus one layer; the last is a real page. */
export const LADDER: readonly { label: string; path: string }[] = [
  { label: 'bare route (the limit page)', path: '/_ladder/bare' },
  { label: '+ cookie and session read', path: '/_ladder/session' },
  { label: '+ actor (passport)', path: '/_ladder/actor' },
  { label: '+ CSRF and security headers', path: '/_ladder/csrf' },
  { label: '+ layout, menu, translations', path: '/_ladder/layout' },
  { label: '+ one list query (contacts)', path: '/_ladder/query' },
  { label: 'the real page', path: '/contacts' },
];

// The render limit's data (scripts/bench/render-limit/server.mjs): the same 50 rows.
const CITIES = ['Enschede', 'Hengelo', 'Almelo', 'Zwolle', 'Deventer', 'Utrecht'];
const ROWS = Array.from({ length: 50 }, (_, i) => ({
  id: 1000 + i,
  name: `Jansen & Zn. ${i + 1}`,
  email: `medewerker${i + 1}@organisatie.example.nl`,
  city: CITIES[i % CITIES.length],
  date: new Date(Date.UTC(2017, 6, 1 + (i % 28))),
  amount: (i * 104.729).toFixed(2),
  active: i % 7 !== 0,
}));
const MENU = [
  'Dashboard',
  'Organisatie',
  'Contactpersonen',
  'Persoonlijk',
  'Facturen',
  'Handleidingen',
  'Tickets',
  'FAQ',
];
/** The render limit's page data (its title, menu, 50 rows and user), for the ladder and the in-process prices. */
export const LIMIT_PAGE = { title: 'Contactpersonen', menu: MENU, rows: ROWS, user: 'Jan Jansen' };
// The portal's layout takes its menu from the request (res.locals.menu): the limit's would hide it.
const portalPage = { title: 'Contactpersonen', rows: ROWS };

/** The contacts page's filters when it is opened without any (parseFilters of an empty query). */
function contactsPageDefaults(ownOrgId: number): Parameters<BuiltDeps['services']['contacts']['list']>[1] {
  return { org: ownOrgId, subs: false, name: '', active: 'yes', orgActive: 'yes', q: '' };
}

/**
 * The benchmark's ladder (`npm run bench -- --ladder`, mounted only with BENCH_LADDER=true):
 * the render limit's page served by the portal, then with one more of the portal's own layers
 * per rung, so the benchmark can price each layer in CPU per request. Every rung from the
 * actor on answers 403 to an anonymous request, so the benchmark knows it measured a
 * logged-in one.
 */
export function ladderRoutes(deps: BuiltDeps, layers: Layers): Router {
  const r = Router();
  const limit = (_req: Request, res: Response) => res.render('bench/limit-table', LIMIT_PAGE);
  const loggedIn: RequestHandler = (req, res, next) => (req.user ? next() : void res.status(403).end());
  const session = [layers.edge, layers.noStore, ...layers.session];
  const actor = [...session, ...layers.actor, loggedIn];
  const csrf = [...actor, ...layers.security, ...layers.csrf];
  const page = [...csrf, ...layers.locals];
  r.get('/_ladder/bare', limit);
  r.get('/_ladder/session', session, limit);
  r.get('/_ladder/actor', actor, limit);
  r.get('/_ladder/csrf', csrf, limit);
  r.get('/_ladder/layout', page, (_req: Request, res: Response) => res.render('bench/portal-table', portalPage));
  r.get('/_ladder/query', page, async (req: Request, res: Response) => {
    const who = actorOf(req);
    // The contacts page's own query with its defaults; its rows are not shown (the table stays the limit's).
    await deps.services.contacts.list(who, contactsPageDefaults(who.organizationId), {
      sort: 'name',
      dir: 'asc',
      take: PER_PAGE,
      skip: 0,
    });
    res.render('bench/portal-table', portalPage);
  });
  return r;
}
