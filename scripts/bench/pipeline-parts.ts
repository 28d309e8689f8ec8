/**
 * In-process prices of the request pipeline's pieces (docs/benchmarks.md, the ladder): CPU µs per
 * call over many calls with process.cpuUsage, no database. `npx tsx scripts/bench/pipeline-parts.ts`
 */
import http from 'node:http';
import net from 'node:net';
import session from 'express-session';
import { createHash, createHmac } from 'node:crypto';
import { views } from '../../src/http/views.js';
import { pageLocals, listLocals } from '../../src/http/locals.js';
import { menuFor } from '../../src/auth/pages.js';
import { actorFromRow } from '../../src/auth/actor.js';
import { LIMIT_PAGE } from '../../src/http/ladder.js';
import { cpuPrice, demoActorRow } from './in-process.js';

const N = Number(process.env.N ?? 100_000);

const price = (label: string, fn: () => void, n = N) =>
  cpuPrice(label, fn, n, { warmup: 5000, rounds: 1, width: 60, digits: 2 });

const row = demoActorRow(
  ['PORTAL_ACCESS', 'SUBSIDIARY_ACCESS', 'MANAGE_CONTACTS', 'VIEW_INVOICES'],
  [
    { id: 1, name: 'Demo Pim', parentId: null, active: true, mainContactId: 5 },
    { id: 2, name: 'Demo Sub', parentId: 1, active: true, mainContactId: null },
  ],
);
const actor = actorFromRow(row, 0, 'password')!;
const sessData = {
  cookie: {
    originalMaxAge: 1800000,
    expires: new Date(Date.now() + 1800000).toISOString(),
    secure: false,
    httpOnly: true,
    path: '/',
    sameSite: 'lax',
  },
  passport: { user: { id: 5, epoch: 0 } },
  createdAt: Date.now(),
  lastSeenAt: Date.now(),
  loginMethod: 'password',
  client: { ip: '127.0.0.1', ua: 'autocannon' },
  csrfToken: 'f'.repeat(64),
  secondStep: false,
};
const json = JSON.stringify(sessData);

price('JSON.parse of the session (pg type parser)', () => JSON.parse(json) as unknown);
price('actorFromRow', () => actorFromRow(row, 0, 'password'));
// cookie-signature's sign: the id, a dot and its HMAC-SHA256 (base64 without padding).
const hmac = (id: string) => createHmac('sha256', 'x'.repeat(64)).update(id).digest('base64').replace(/=+$/, '');
const sid = 'abcdefghijklmnopqrstuvwxyz012345';
const signed = `s:${sid}.${hmac(sid)}`;
price('express-session hash (JSON.stringify + sha1), once', () => {
  const str = JSON.stringify(sessData, function (this: unknown, key: string, val: unknown) {
    return this === sessData && key === 'cookie' ? undefined : val;
  });
  createHash('sha1').update(str, 'utf8').digest('hex');
});
price('the cookie signature check (one HMAC-SHA256)', () => hmac(sid));

// express-session's whole middleware over a store that answers at once, on real req/res objects.
class FakeStore extends session.Store {
  override get(_sid: string, cb: (err: unknown, s?: session.SessionData | null) => void) {
    cb(null, JSON.parse(json) as session.SessionData);
  }
  override set(_sid: string, _s: session.SessionData, cb?: (err?: unknown) => void) {
    cb?.();
  }
  override destroy(_sid: string, cb?: (err?: unknown) => void) {
    cb?.();
  }
}
const mw = session({
  store: new FakeStore(),
  secret: 'x'.repeat(64),
  resave: false,
  saveUninitialized: false,
  rolling: false,
  unset: 'keep',
  name: 'pim.sid',
  cookie: { httpOnly: true, sameSite: 'lax', secure: false, path: '/', maxAge: 1800000 },
});
const sock = new net.Socket();
function reqRes(): [http.IncomingMessage, http.ServerResponse] {
  const req = new http.IncomingMessage(sock);
  req.method = 'GET';
  req.url = '/contacts';
  req.headers = { cookie: `pim.sid=${encodeURIComponent(signed)}`, host: 'x' };
  const res = new http.ServerResponse(req);
  return [req, res];
}
const base = price('req/res objects + end (no middleware)', () => {
  const [, res] = reqRes();
  res.end('x');
});
const withSession = price('+ express-session (fake store, no save)', () => {
  const [req, res] = reqRes();
  mw(req as never, res as never, () => res.end('x'));
});
console.log(`${'  = express-session per request'.padEnd(60)} ${(withSession - base).toFixed(2).padStart(8)} µs`);

// The layout rung: pageLocals + listLocals + the portal's layout against the limit's page (the ladder's data).
price('menuFor', () => menuFor(actor, '/contacts'));
function locals(): Record<string, unknown> {
  const [req, res] = reqRes();
  const r = req as unknown as { query: object; user: unknown; session: object; path: string };
  r.query = {};
  r.user = actor;
  r.session = { ...sessData };
  r.path = '/contacts';
  (res as unknown as { locals: object }).locals = {};
  const next = () => {};
  pageLocals(req as never, res as never, next);
  listLocals(req as never, res as never, next);
  const l = (res as unknown as { locals: Record<string, unknown> }).locals;
  l.csrfToken = () => 'f'.repeat(64);
  return l;
}
price('pageLocals + listLocals (with req/res)', () => locals());
const lim = price('views.render bench/limit-table', () => views.render('bench/limit-table.njk', LIMIT_PAGE), N / 10);
const l0 = locals();
const portal = price(
  'views.render bench/portal-table (locals made once)',
  () =>
    views.render('bench/portal-table.njk', {
      ...l0,
      title: 'Contactpersonen',
      rows: LIMIT_PAGE.rows,
      supportEmail: 'help@x.nl',
    }),
  N / 10,
);
console.log(`${'  = the portal layout over the limit layout'.padEnd(60)} ${(portal - lim).toFixed(2).padStart(8)} µs`);
console.log(
  'sizes',
  views.render('bench/limit-table.njk', { ...LIMIT_PAGE, title: 'C', user: 'J' }).length,
  views.render('bench/portal-table.njk', { ...l0, title: 'C', rows: LIMIT_PAGE.rows, supportEmail: 'help@x.nl' })
    .length,
);
