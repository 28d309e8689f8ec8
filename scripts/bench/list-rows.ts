/**
 * In-process price of a list page's rows (docs/benchmarks.md, "The rows of a list page"): the
 * tickets list with 200 rows in eight groups, the contacts and invoices lists with 25, rendered
 * through the app's own Nunjucks environment and filters; CPU µs per render (the least of seven
 * rounds) with process.cpuUsage, no database. Each page is also rendered with no rows, so the difference
 * over the row count is the price of one row; then what each kind of output costs in a bare loop
 * (Nunjucks' own floor). `npx tsx scripts/bench/list-rows.ts`;
 * `HTML=dir` writes each page's HTML there (to compare before and after a change byte for byte).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nunjucks from 'nunjucks';
import { views } from '../../src/http/views.js';
import { translate, type Locale } from '../../src/i18n/index.js';
import { translateIsolated } from '../../src/http/views.js';
import { menuFor } from '../../src/auth/pages.js';
import { actorFromRow } from '../../src/auth/actor.js';
import { cpuPrice, demoActorRow } from './in-process.js';
import { urlWith, pageInfo, PER_PAGE } from '../../src/http/list.js';
import { TICKET_STATUSES } from '../../src/features/tickets/schema.js';
import { rowAccess, type ContactRow } from '../../src/features/contacts/list.js';
import { loginMarks } from '../../src/auth/login-methods.js';
import { einvoiceProblems } from '../../src/features/invoices/einvoice.js';

const N = Number(process.env.N ?? 400);
const lang: Locale = (process.env.LANG_PIM as Locale | undefined) ?? 'nl';

const price = (label: string, fn: () => void, n = N) =>
  cpuPrice(label, fn, n, { warmup: 50, rounds: 7, width: 64, digits: 1 });

const actorRow = demoActorRow(
  ['PORTAL_ACCESS', 'SUBSIDIARY_ACCESS', 'MANAGE_CONTACTS', 'VIEW_INVOICES', 'MANAGE_ORG_TICKETS'],
  Array.from({ length: 26 }, (_, i) => ({
    id: i + 1,
    name: i === 0 ? 'Demo Pim' : `Dochter ${i} B.V.`,
    parentId: i === 0 ? null : 1,
    active: true,
    mainContactId: i === 0 ? 5 : null,
  })),
);
const actor = actorFromRow(actorRow, 0, 'password')!;

/** What pageLocals and listLocals give every page (src/http/locals.ts), for `reqPath?query`. */
function locals(reqPath: string, query: Record<string, string>): Record<string, unknown> {
  return {
    lang,
    t: (key: string, params?: Record<string, string | number>) => translate(lang, key, params),
    tb: (key: string, params: Record<string, string | number>) => translateIsolated(translate(lang, key), params),
    actor,
    currentPath: reqPath,
    menu: menuFor(actor, reqPath),
    takeFlash: () => [],
    urlWith: (changes: Record<string, string | number | null | undefined>) => urlWith(reqPath, query, changes),
    urlWithParam: (name: string, value: string | number) => urlWith(reqPath, query, { [name]: value }),
    query,
    csrfToken: () => 'f'.repeat(64),
    settings: { views: '' },
  };
}

// Realistic values: dates spread over years and times of day, both DST halves, some nulls.
const at = (i: number) =>
  new Date(Date.UTC(2019 + (i % 7), (i * 5) % 12, 1 + ((i * 7) % 28), (i * 13) % 24, (i * 17) % 60));
const day = (i: number) => new Date(Date.UTC(2020 + (i % 6), (i * 3) % 12, 1 + ((i * 11) % 28)));

function ticketRows(status: string, g: number) {
  return Array.from({ length: PER_PAGE }, (_, j) => {
    const i = g * PER_PAGE + j;
    const org = actor.orgs[i % actor.orgs.length]!;
    return {
      id: 100_000 + i,
      title: `Storing op lijn ${i}: "geen kiestoon" bij <Receptie> & wachtrij`,
      status,
      kind: i % 5 === 0 ? null : ['INCIDENT', 'QUESTION', 'CHANGE', 'PROBLEM'][i % 4],
      application: i % 3 ? 'Telefonie' : null,
      module: i % 4 ? 'Centrale' : null,
      reportedAt: at(i),
      deadline: i % 6 ? day(i) : null,
      helpdesk: i % 2 ? 'Kees de Vries' : null,
      organizationId: org.id,
      organization: { name: org.name },
    };
  });
}

function ticketsContext(rows: boolean): Record<string, unknown> {
  const query = { status: 'all' };
  const groups = TICKET_STATUSES.map((status, g) => {
    const count = 300 + g * 611;
    return {
      status,
      count,
      rows: rows ? ticketRows(status, g) : [],
      info: pageInfo(count, { page: 1, perPage: PER_PAGE }),
    };
  });
  return {
    ...locals('/tickets', query),
    total: groups.reduce((n, g) => n + g.count, 0),
    groups,
    query: { status: 'all', reopenCutoff: new Date(0), org: null, watching: false, q: '', dir: 'desc', pages: {} },
    searchOpen: false,
    chips: [{ label: 'Status', value: 'Alle', removeUrl: '/tickets' }],
    organizations: actor.orgs,
    statuses: TICKET_STATUSES,
    orgScope: true,
    helpdeskEmail: 'helpdesk@vcareconnect.nl',
    reopenDays: 14,
  };
}

const NOW = new Date(Date.UTC(2026, 11, 7, 12));
function contactRows(): ContactRow[] {
  return Array.from({ length: PER_PAGE }, (_, i) => {
    const org = actor.orgs[i % actor.orgs.length]!;
    return {
      id: 2000 + i,
      first_name: i % 9 ? `Voornaam${i}` : null,
      infix: i % 3 ? null : 'van der',
      last_name: `Achternaam ${i}`,
      gender: (['MALE', 'FEMALE', 'OTHER', null] as const)[i % 4]!,
      active: i % 7 !== 0,
      email: i % 8 ? `persoon${i}@klant${i}.example.nl` : null,
      phone: i % 2 ? '053-1234567' : null,
      mobile: i % 3 ? '06-12345678' : null,
      web_access: i % 4 !== 0,
      organization_id: org.id,
      org_name: org.name,
      is_main: i % 10 === 0,
      has_password: i % 3 !== 0,
      sso_required: i % 11 === 0,
      providers: i % 5 === 0 ? ['MICROSOFT'] : [],
      org_active: true,
      has_portal_role: i % 6 !== 0,
      invite_expires_at: i % 3 === 0 ? new Date(NOW.getTime() + 86_400_000 * (i % 2 ? 3 : -3)) : null,
      last_invite_expires_at: i % 3 === 0 ? new Date(NOW.getTime() + 86_400_000 * (i % 2 ? 3 : -3)) : null,
    };
  });
}

function contactsContext(withRows: boolean): Record<string, unknown> {
  const rows = withRows ? contactRows() : [];
  const query = {};
  const list = { sort: 'name', dir: 'asc', page: 1, perPage: PER_PAGE, skip: 0 };
  return {
    ...locals('/contacts', query),
    methods: Object.fromEntries(
      rows.map((c) => [
        c.id,
        loginMarks({ hasPassword: c.has_password, ssoRequired: c.sso_required, providers: c.providers }),
      ]),
    ),
    marks: Object.fromEntries(rows.map((c) => [c.id, rowAccess(c, NOW)])),
    list,
    filters: { org: 'all', subs: true, active: 'yes', q: '' },
    orgs: actor.orgs,
    rows,
    info: pageInfo(2225, list),
    chips: [{ label: 'Organisatie', value: 'Alle', removeUrl: null }],
    canSubs: true,
    emailsUrl: '/contacts/emails',
    exportUrl: '/contacts/export.csv',
  };
}

function invoicesContext(withRows: boolean): Record<string, unknown> {
  const query = {};
  const list = { sort: 'date', dir: 'desc', page: 1, perPage: PER_PAGE, skip: 0 };
  const rows = withRows
    ? Array.from({ length: PER_PAGE }, (_, i) => {
        const org = actor.orgs[i % actor.orgs.length]!;
        const row = {
          id: 5000 + i,
          number: `F2026-${String(10_000 + i)}`,
          title: `Abonnement telefonie ${i} & support`,
          invoiceDate: day(i),
          amountExclVat: { toString: () => (i * 104.729 + 12).toFixed(2) },
          organizationId: org.id,
          organizationName: org.name,
          vatAmount: { toString: () => ((i * 104.729 + 12) * 0.21).toFixed(2) },
          creditedInvoiceId: null,
          organization: {
            postalStreet: i % 9 ? 'Hengelosestraat 1' : null,
            postalCity: 'Enschede',
            postalPostcode: '7514 AA',
            kvkNumber: i % 4 ? '12345678' : null,
            oin: null,
            peppolId: null,
            einvoiceNlcius: false,
          },
        };
        return { ...row, einvoiceProblems: einvoiceProblems(row) };
      })
    : [];
  return {
    ...locals('/invoices', query),
    rows,
    vendor: { email: 'administratie@vcareconnect.nl', phone: '053-0000000' },
    list,
    info: pageInfo(44_770, list),
    chips: [{ label: 'Datum', value: '7-6-2026 t/m 7-12-2026', removeUrl: null }],
    errors: {},
    orgs: actor.orgs,
    scope: { org: actor.orgs[0], withSubsidiaries: true, hasSubsidiaries: true },
    form: { org: '1', subs: 'ja', from: '7-6-2026', to: '7-12-2026', q: '' },
    showSubsidiaries: true,
    csvUrl: '/invoices/export.csv',
    zipUrl: '/invoices/export.zip',
    allDatesUrl: '/invoices?dates=all',
    emptyPeriod: null,
    latestPeriod: null,
  };
}

const pages: [name: string, view: string, ctx: (rows: boolean) => Record<string, unknown>, rows: number][] = [
  ['tickets (status=all)', 'tickets/index.njk', ticketsContext, TICKET_STATUSES.length * PER_PAGE],
  ['contacts', 'contacts/index.njk', contactsContext, PER_PAGE],
  ['invoices', 'invoices/index.njk', invoicesContext, PER_PAGE],
];

const out = process.env.HTML;
if (out) mkdirSync(out, { recursive: true });
for (const [name, view, ctx, rows] of pages) {
  const full = ctx(true);
  const empty = ctx(false);
  const html = views.render(view, full);
  if (out) writeFileSync(path.join(out, `${name.split(' ')[0]}.html`), html);
  const withRows = price(`${name}: ${rows} rows (${(html.length / 1024).toFixed(0)} KB)`, () =>
    views.render(view, full),
  );
  const without = price(`${name}: no rows`, () => views.render(view, empty));
  console.log(`${`  = per row`.padEnd(64)} ${((withRows - without) / rows).toFixed(2).padStart(9)} µs`);
}

// The floor: what one loop iteration and each kind of output cost in Nunjucks itself, over 1,000
// iterations of a bare loop (the price of a row is about the sum of its outputs).
const R = 1000;
const opRows = Array.from({ length: R }, (_, i) => ({
  id: i,
  title: `Storing ${i} bij <Receptie> & wachtrij`,
  at: at(i),
  day: day(i),
  number: `F2026-${i}`,
  amount: (i * 1.37).toFixed(2),
  status: 'NEW',
}));
const opCtx = { rows: opRows, lang, t: (k: string, p?: Record<string, string | number>) => translate(lang, k, p) };
let loop = 0;
for (const [label, body, prelude = ''] of [
  ['a loop iteration, nothing in it', ''],
  ['{{ r.id }}', '{{ r.id }}'],
  ['{{ r.title }} (escaped)', '{{ r.title }}'],
  ['{{ r.title | bdi }}', '{{ r.title | bdi }}'],
  ["{{ t('tickets.status.' + r.status) }}", "{{ t('tickets.status.' + r.status) }}"],
  ["{{ t('invoices.viewLabel', { number: r.number }) }}", "{{ t('invoices.viewLabel', { number: r.number }) }}"],
  ['{{ r.day | date(lang) }}', '{{ r.day | date(lang) }}'],
  ['{{ r.at | datetime(lang) }}', '{{ r.at | datetime(lang) }}'],
  ['{{ r.amount | money(lang) }}', '{{ r.amount | money(lang) }}'],
  ['{{ m(r) }}, a macro with one output', '{{ m(r) }}', '{% macro m(x) %}{{ x.id }}{% endmacro %}'],
] as [string, string, string?][]) {
  const src = `${prelude}{% for r in rows %}${body}{% endfor %}`;
  const tpl = new nunjucks.Template(src, views, 'ops', true);
  const us = price(`  ${label}`, () => tpl.render(opCtx), 70) / R;
  if (!body) loop = us;
  console.log(
    `${(body ? '    = per iteration, over the empty loop' : '    = per iteration').padEnd(64)} ${(body ? us - loop : us).toFixed(2).padStart(9)} µs`,
  );
}
