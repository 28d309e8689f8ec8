import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { startE2e, type E2e } from '../support/e2e.js';
import { testApp } from '../support/app.js';
import { listRoutes } from '../support/routes.js';
import { DEMO_LOGIN, DEMO_ORGANIZATION, DEMO_PASSWORD } from '../../src/demo/seed.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { fullName } from '../../src/auth/actor.js';
import { LoginPage } from './pages/login-page.js';
import { pageOverflow } from './pages/page-checks.js';

/**
 * One walk over every page of the page table, in Dutch and in English, as the demo main contact
 * and as a plain employee (with the refusal page of what they may not open), 320px wide. A page
 * fails on a word of the other language in its own words (headings, labels, buttons, menu, table
 * headers: not the customer's data), a raw code or locale key anywhere in its text, a date not in
 * the page's one format (1-7-2026; 1/7/2026 in English), or anything that makes the page scroll
 * sideways. The API reference is English for developers and names the API's codes: there only
 * the width is checked.
 */

// The callbacks of page.evaluate run in Chromium; the project's types have no DOM library.
declare const document: any;

type Lang = 'nl' | 'en';

/** Routes that answer with a file, not a page. */
const FILE_ROUTE =
  /\.(csv|pdf|zip)$|\/pdf$|\/ubl$|^\/documents\/:id$|\/attachments\/:fileId$|^\/faq\/suggest$|^\/readyz$|^\/healthz$/;
const LISA = 'l.devries@vtel.nl';
const LISA_PASSWORD = 'een wachtzin voor lisa';

/**
 * Words that give the other language away, as whole words. Only words that mean nothing in the
 * page's own language: not "Status", "Ticket", "Download", "Filter", "OK", "E-mail", "Passkey".
 */
const TELLTALE: Record<Lang, RegExp> = {
  // On an English page: Dutch.
  en: /\b(de|het|een|van|en|niet|voor|met|naar|uw|bij|zijn|wordt|Opslaan|Annuleren|Zoeken|Toevoegen|Bewerken|Verwijderen|Wijzigen|gegevens|Terug|Uitloggen|Inloggen|Toon|Lees meer|Versturen|Bevestigen|Facturen|Handleidingen|Rapportages|Contactpersonen|Persoonlijk|Beveiliging|Activiteiten|Meldingen|Organisatie|Wachtwoord)\b/,
  // On a Dutch page: English.
  nl: /\b(the|and|to|with|your|you|are|Save|Cancel|Search|Add|Edit|Delete|Change|Back|Show|Read more|Log out|Log in|Send|Confirm|Invoices|Manuals|Reports|Contacts|Personal|Security|Activity|Notifications|Organisation|Password|Settings)\b/,
};

/** A date as each language writes it: day and month without a leading zero. */
const DATE_FORMAT: Record<Lang, RegExp> = { nl: /^[1-9]\d?-[1-9]\d?-\d{4}$/, en: /^[1-9]\d?\/[1-9]\d?\/\d{4}$/ };

let e2e: E2e;
let ids: { org: number; contact: number; ticket: number; lisaTicket: number };
/** Names and titles from the demo data: the customer's words, in whatever language they wrote them. */
let data: string[];

beforeAll(async () => {
  e2e = await startE2e();
  const p = e2e.db.prisma;
  const org = await p.organization.findFirstOrThrow({ where: { name: DEMO_ORGANIZATION } });
  const henk = await p.contact.findFirstOrThrow({ where: { email: 'h.bakker@vtel.nl' } });
  const lisa = await p.contact.update({
    where: { email: LISA },
    data: { passwordHash: await hashPassword(LISA_PASSWORD), passwordChangedAt: new Date() },
  });
  const lisaTicket = await p.ticket.findFirst({ where: { reporterId: lisa.id }, select: { id: true } });
  ids = { org: org.id, contact: henk.id, ticket: 9969, lisaTicket: lisaTicket?.id ?? 9969 };
  const [contacts, orgs, tickets, invoices, documents, apps, news, notes] = await Promise.all([
    p.contact.findMany({ select: { firstName: true, infix: true, lastName: true } }),
    p.organization.findMany({ select: { name: true } }),
    p.ticket.findMany({ select: { title: true } }),
    p.invoice.findMany({ select: { title: true } }),
    p.document.findMany({ select: { fileName: true } }),
    p.application.findMany({ select: { name: true } }),
    p.announcement.findMany({ select: { titleNl: true, titleEn: true } }),
    p.ticketNote.findMany({ select: { body: true } }),
  ]);
  data = [
    ...contacts.map((c) => fullName(c.firstName, c.infix, c.lastName)),
    ...orgs.map((o) => o.name),
    ...tickets.map((t) => t.title),
    ...invoices.map((i) => i.title),
    ...documents.map((d) => d.fileName),
    ...apps.map((a) => a.name),
    ...news.flatMap((a) => [a.titleNl, a.titleEn ?? '']),
    ...notes.map((n) => n.body),
  ]
    .filter((s) => s && s.length > 2)
    .sort((a, b) => b.length - a.length);
}, 120_000);
afterAll(() => e2e?.close());

/** Every GET page of the page table behind the login (files left out), with demo records for :id. */
function memberPaths(ticket: number): string[] {
  const { app } = testApp(e2e.db);
  return listRoutes(app)
    .filter((r) => r.method === 'GET' && r.access !== 'PUBLIC' && !FILE_ROUTE.test(r.path))
    .map((r) =>
      r.path
        .replace(/^\/organisations\/:id/, `/organisations/${ids.org}`)
        .replace(/^\/contacts\/:id/, `/contacts/${ids.contact}`)
        .replace(/^\/tickets\/:id/, `/tickets/${ticket}`),
    );
}

/** A logged-in context 320px wide (the login once, through the form). */
async function contextFor(email: string, password: string): Promise<BrowserContext> {
  const ctx = await e2e.browser.newContext({ locale: 'nl-NL', viewport: { width: 320, height: 800 } });
  const page = await ctx.newPage();
  page.setDefaultTimeout(30_000);
  const login = new LoginPage(page);
  await login.open(e2e.url);
  await login.logIn(email, password);
  await page.waitForURL(`${e2e.url}/`);
  await page.close();
  return ctx;
}

/** The page's own words (not the customer's data) and all of its visible text. */
async function wordsOf(page: Page): Promise<{ chrome: string[]; text: string }> {
  return page.evaluate(() => {
    const own = (el: any) => {
      // Words marked as another language (the language switch, a language's own name) are meant.
      const marked = el.closest('[lang]');
      return !marked || marked === document.documentElement;
    };
    const chrome: string[] = [document.title];
    const selector =
      'h1, h2, h3, h4, label, legend, button, summary, caption, thead th, nav a, .menu a, .field__hint, .field__error, .error-summary, .notice, .toolbar a, .button, dt';
    for (const el of document.querySelectorAll(selector)) {
      if (!own(el) || el.closest('pre, code, .ticket-text, .announcement details > p')) continue;
      const text = (el.innerText ?? el.textContent ?? '').replace(/\s+/g, ' ').trim();
      if (text) chrome.push(text);
    }
    for (const el of document.querySelectorAll('[aria-label], [placeholder], [title]')) {
      if (!own(el)) continue;
      for (const a of ['aria-label', 'placeholder', 'title']) if (el.getAttribute(a)) chrome.push(el.getAttribute(a));
    }
    return { chrome, text: document.body.innerText };
  });
}

/** A key like "tickets.status.NEW" or "common.save": dotted words that are not an address, a host or a file. */
const KEY = /(?<![@\w.-])[a-z][a-zA-Z]+(?:\.[a-zA-Z_]+)+(?![@\w-])/g;
const NOT_A_KEY =
  /\.(nl|com|org|net|eu|pdf|csv|zip|xml|json|docx?|xlsx?|png|jpe?g|txt|html?)$|^www\.|^e\.g\.$|^i\.e\.$/i;

/** What is wrong with the page, one line each. */
function problemsOf(lang: Lang, words: { chrome: string[]; text: string }): string[] {
  const out: string[] = [];
  const strip = (s: string) => data.reduce((acc, d) => acc.split(d).join(' '), s);
  for (const c of words.chrome) {
    const m = TELLTALE[lang].exec(strip(c));
    if (m) out.push(`${lang === 'nl' ? 'English' : 'Dutch'} word "${m[1]}" in "${c.slice(0, 80)}"`);
  }
  const text = strip(words.text);
  for (const m of text.matchAll(KEY)) if (!NOT_A_KEY.test(m[0])) out.push(`a locale key or code "${m[0]}"`);
  for (const m of text.matchAll(/\(\d{3}\)|\b[A-Z]{3,}_[A-Z_]{3,}\b/g)) out.push(`a raw code "${m[0]}"`);
  for (const m of text.matchAll(/(?<![\d:/.-])\d{1,4}[-/.]\d{1,2}[-/.]\d{2,4}(?![\d/.-])/g))
    if (!DATE_FORMAT[lang].test(m[0]))
      out.push(`a date "${m[0]}" not written as ${lang === 'nl' ? '1-7-2026' : '1/7/2026'}`);
  return [...new Set(out)];
}

describe('every page, in both languages, as the main contact and as a plain employee', () => {
  it(
    'speaks one language, shows no codes or keys, writes dates one way, and fits 320px',
    { timeout: 300_000 },
    async () => {
      const problems: string[] = [];
      let walked = 0;
      const people: [string, string, string, number][] = [
        ['main contact', DEMO_LOGIN, DEMO_PASSWORD, ids.ticket],
        ['employee', LISA, LISA_PASSWORD, ids.lisaTicket],
      ];
      for (const [who, email, password, ticket] of people) {
        const ctx = await contextFor(email, password);
        const page = await ctx.newPage();
        page.setDefaultTimeout(20_000);
        const paths = ['/login', '/password/forgot', '/api/docs', '/does-not-exist', ...memberPaths(ticket)];
        for (const lang of ['nl', 'en'] as const) {
          await page.goto(`${e2e.url}/?lang=${lang}`);
          for (const path of paths) {
            const res = await page.goto(e2e.url + path);
            // A page the person may not open shows the refusal page (403), judged too; a page that
            // sends them on is judged where it lands, under its own path.
            const shown = [200, 403, 404].includes(res?.status() ?? 0);
            if (!shown || new URL(page.url()).pathname !== path.split('?')[0]) continue;
            walked += 1;
            const label = `${who}, ${lang}, ${path}`;
            // The API reference is for developers: English, with the API's own codes (its page says so).
            if (path !== '/api/docs')
              for (const p of problemsOf(lang, await wordsOf(page))) problems.push(`${label}: ${p}`);
            const overflow = await pageOverflow(page);
            if (overflow) problems.push(`${label}: wider than 320px: ${overflow}`);
          }
        }
        await page.goto(`${e2e.url}/?lang=nl`);
        await ctx.close();
      }
      expect(walked).toBeGreaterThan(80);
      expect(problems, `\n${problems.join('\n')}\n`).toEqual([]);
    },
  );
});
