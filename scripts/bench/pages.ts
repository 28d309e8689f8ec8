/**
 * What the benchmark loads: the logged-in list pages, the login through the real form, and
 * the printed table.
 */
import type { LoadResult } from './processes.js';

/** One page under load: its label in the table and its path. */
export interface BenchPage {
  label: string;
  path: string;
}

/** Every logged-in list page, as the demo main contact opens them. */
export const PAGES: BenchPage[] = [
  { label: 'dashboard', path: '/' },
  { label: 'contacts', path: '/contacts' },
  { label: 'contacts, name desc, search', path: '/contacts?sort=name&dir=desc&q=jan' },
  { label: 'invoices (this half year)', path: '/invoices' },
  { label: 'invoices, all dates', path: '/invoices?dates=all' },
  { label: 'tickets (current)', path: '/tickets' },
  { label: 'tickets, all', path: '/tickets?status=all' },
  { label: 'organisations', path: '/organisations' },
];

function cookiesOf(res: Response): string[] {
  return res.headers.getSetCookie().map((c) => c.split(';')[0]!);
}

/**
 * Logs in through the real login form (GET /login for the CSRF token and its cookie, POST the
 * form) and returns the Cookie header of the logged-in browser.
 */
export async function logIn(base: string, username: string, password: string): Promise<string> {
  const page = await fetch(`${base}/login`);
  const html = await page.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (page.status !== 200 || !csrf) throw new Error(`GET /login: ${page.status}, no CSRF token`);
  const jar = new Map(cookiesOf(page).map((c) => [c.split('=')[0]!, c]));
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: [...jar.values()].join('; '), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, username, password }).toString(),
  });
  if (res.status !== 302 || res.headers.get('location') !== '/')
    throw new Error(`POST /login: ${res.status} to ${res.headers.get('location')}: not logged in`);
  for (const c of cookiesOf(res)) jar.set(c.split('=')[0]!, c);
  return [...jar.values()].join('; ');
}

/** Fetches a page once as the logged-in person: it must be a 200 that is not the login form. */
export async function checkPage(base: string, path: string, cookie: string): Promise<number> {
  const res = await fetch(`${base}${path}`, { headers: { cookie }, redirect: 'manual' });
  const html = await res.text();
  if (res.status !== 200 || html.includes('action="/login"'))
    throw new Error(`${path}: ${res.status}, not the logged-in page`);
  return html.length;
}

/** One measured row of the table. */
export interface Row extends LoadResult {
  label: string;
  path: string;
  rssMb: number;
  bytes: number;
  /** CPU ms per answered request: the server under load (portal or limit), PostgreSQL, the load generator. */
  serverMs: number;
  pgMs: number;
  genMs: number;
  /** Statements per request in the portal's database (pg_stat_statements). */
  statements: number;
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/**
 * The table: req/s, p50 and p99 in ms, the ratio to the render limit (req/s ÷ the limit's
 * req/s), CPU ms per request of the server (the portal; the limit's own in its row), of
 * PostgreSQL and of the load generator, statements per request, the server's peak RSS while
 * that page was under load, and (given a baseline) each page's p50 relative to its p50 on the
 * demo data. A ladder adds what each rung's portal and PostgreSQL CPU add to the rung before.
 */
export function table(rows: Row[], limit: Row, baseline?: Map<string, Row>, ladder = false): string {
  const head = [
    'page',
    'req/s',
    'p50 ms',
    'p99 ms',
    'x limit',
    'server CPU ms',
    'x limit CPU',
    'PG CPU ms',
    ...(ladder ? ['+ server ms', '+ PG ms'] : []),
    'stmts',
    'loadgen CPU ms',
    'RSS MB',
    ...(baseline ? ['p50 vs demo'] : []),
    'path',
  ];
  const body = [limit, ...rows].map((r, i, all) => {
    const base = baseline?.get(r.path);
    const prev = i > 1 ? all[i - 1] : undefined;
    const flag = r.non2xx || r.errors ? ` (!! ${r.non2xx} non-2xx, ${r.errors} errors)` : '';
    return [
      r.label,
      fmt(r.rps),
      fmt(r.p50),
      fmt(r.p99),
      r === limit ? '1.00' : fmt(r.rps / limit.rps, 2),
      fmt(r.serverMs, 2),
      r === limit ? '1.00' : fmt(r.serverMs / limit.serverMs, 2),
      fmt(r.pgMs, 2),
      ...(ladder
        ? r === limit
          ? ['', '']
          : [fmt(r.serverMs - (prev ? prev.serverMs : limit.serverMs), 2), fmt(r.pgMs - (prev?.pgMs ?? 0), 2)]
        : []),
      fmt(r.statements, 1),
      fmt(r.genMs, 2),
      r === limit ? '' : fmt(r.rssMb),
      ...(baseline ? [r === limit ? '' : base ? `${fmt(r.p50 / Math.max(base.p50, 1), 2)}x` : '-'] : []),
      r.path + flag,
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [
    line(head),
    `|${widths.map((w, i) => (i === 0 || i === widths.length - 1 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...body.map(line),
  ].join('\n');
}
