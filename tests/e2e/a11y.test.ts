import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AxeBuilder } from '@axe-core/playwright';
import type { BrowserContext, Page } from 'playwright-core';
import { startE2e, type E2e } from '../support/e2e.js';
import { testApp } from '../support/app.js';
import { serve } from '../support/server.js';
import { listRoutes } from '../support/routes.js';
import { DEMO_LOGIN, DEMO_ORGANIZATION, DEMO_PASSWORD } from '../../src/demo/seed.js';
import { createPasswordToken } from '../../src/auth/tokens.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { LoginPage } from './pages/login-page.js';
import { loadConfig } from '../../src/config.js';
import { unsubscribeToken } from '../../src/mail/preferences.js';
import { verdictToken } from '../../src/features/tickets/verdict-links.js';
import { totpCode } from '../../src/auth/totp.js';

/**
 * WCAG 2.1 AA over every page a person can reach: axe-core on each page (in its normal state,
 * its 422 error state, with "Toon lege velden", in English), plus what axe cannot see: one h1,
 * a title naming the page, a skip link that moves focus to main, visible keyboard focus, and
 * reflow at 320px and at 200% zoom.
 */

// The callbacks of page.evaluate run in Chromium. The project's types have no DOM library, so the
// few browser globals they use are declared here as `any` (a declaration emits nothing).
declare const document: any;
declare const window: any;
declare function getComputedStyle(el: unknown): any;

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
/** Routes that answer with a file, not a page. */
const FILE_ROUTE =
  /\.(csv|pdf|zip)$|\/pdf$|\/ubl$|^\/documents\/:id$|\/attachments\/:fileId$|^\/faq\/suggest$|^\/readyz$/;
const LISA = 'l.devries@vtel.nl';
const LISA_PASSWORD = 'een wachtzin voor lisa';

let e2e: E2e;
let ssoServer: { url: string; close(): Promise<void> };
let ids: { org: number; contact: number; self: number; ticket: number };

beforeAll(async () => {
  e2e = await startE2e();
  const p = e2e.db.prisma;
  const org = await p.organization.findFirstOrThrow({ where: { name: DEMO_ORGANIZATION } });
  const self = await p.contact.findFirstOrThrow({ where: { email: DEMO_LOGIN } });
  const henk = await p.contact.findFirstOrThrow({ where: { email: 'h.bakker@vtel.nl' } });
  ids = { org: org.id, contact: henk.id, self: self.id, ticket: 9969 };
  // Lisa (no main contact, no invoices role) shows the 403 page.
  await p.contact.update({
    where: { email: LISA },
    data: { passwordHash: await hashPassword(LISA_PASSWORD), passwordChangedAt: new Date() },
  });
  // The same database behind an app with both SSO buttons; Microsoft's issuer cannot be reached (its own page).
  const { app } = testApp(e2e.db, {
    env: {
      BASE_URL: 'http://127.0.0.1',
      MICROSOFT_CLIENT_ID: 'pim-microsoft',
      MICROSOFT_CLIENT_SECRET: 'secret',
      MICROSOFT_ISSUER_URL: 'http://127.0.0.1:9/',
      GOOGLE_CLIENT_ID: 'pim-google',
      GOOGLE_CLIENT_SECRET: 'secret',
      GOOGLE_AUTH_URL: 'http://127.0.0.1:9/auth',
      GOOGLE_TOKEN_URL: 'http://127.0.0.1:9/token',
      GOOGLE_USERINFO_URL: 'http://127.0.0.1:9/userinfo',
    },
  });
  ssoServer = await serve(app);
}, 120_000);
afterAll(async () => {
  await ssoServer?.close();
  await e2e?.close();
});

interface Problem {
  page: string;
  rule: string;
  impact?: string | null;
  target?: string;
  detail?: string;
}

/** A page in its own browser context (axe opens a helper page in the page's context). */
async function newPage(): Promise<Page> {
  const ctx = await e2e.browser.newContext({ locale: 'nl-NL' });
  const page = await ctx.newPage();
  page.setDefaultTimeout(20_000);
  return page;
}

/** Logs in through the form (argon2 is slow on a busy machine: once per person, then the cookie). */
const sessions = new Map<string, Awaited<ReturnType<BrowserContext['cookies']>>>();
async function logIn(email = DEMO_LOGIN, password = DEMO_PASSWORD): Promise<Page> {
  const page = await newPage();
  const cookies = sessions.get(email);
  if (cookies) {
    await page.context().addCookies(cookies);
    await page.goto(`${e2e.url}/`);
    return page;
  }
  const login = new LoginPage(page);
  await login.open(e2e.url);
  await login.logIn(email, password);
  await page.waitForURL(`${e2e.url}/`, { timeout: 30_000 });
  sessions.set(email, await page.context().cookies());
  return page;
}

async function closePage(page: Page): Promise<void> {
  await page.context().close();
}

function report(problems: Problem[]): string {
  return problems
    .map(
      (p) =>
        `- [${p.rule}${p.impact ? `, ${p.impact}` : ''}] ${p.page}${p.target ? `  @ ${p.target}` : ''}${p.detail ? `\n    ${p.detail}` : ''}`,
    )
    .join('\n');
}

/** axe plus the page-level checks, on the page as it is now. */
async function audit(page: Page, label: string, problems: Problem[], opts: { skipLink?: boolean } = {}): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  // A contrast axe measured but would not judge (white text on no background shows as 1:1) counts
  // too; not one it could not measure (a symbol beside a text alternative, text under an open menu).
  const undecided = result.incomplete
    .filter((v) => v.id === 'color-contrast')
    .map((v) => ({ ...v, nodes: v.nodes.filter((n) => /contrast ratio/.test(n.failureSummary ?? '')) }));
  for (const v of [...result.violations, ...undecided]) {
    for (const node of v.nodes) {
      problems.push({
        page: label,
        rule: v.id,
        impact: v.impact,
        target: node.target.join(' '),
        detail: node.failureSummary?.split('\n').slice(0, 3).join(' '),
      });
    }
  }
  const facts = await page.evaluate(() => ({
    h1: [...document.querySelectorAll('h1')].map((h) => h.textContent!.replace(/\s+/g, ' ').trim()),
    title: document.title,
    lang: document.documentElement.lang,
    duplicateIds: [...document.querySelectorAll('[id]')].map((e) => e.id).filter((id, i, all) => all.indexOf(id) !== i),
  }));
  if (facts.duplicateIds.length)
    problems.push({ page: label, rule: 'duplicate-id', detail: facts.duplicateIds.join(', ') });
  if (facts.h1.length !== 1)
    problems.push({ page: label, rule: 'one-h1', detail: `${facts.h1.length} h1: ${facts.h1.join(' | ')}` });
  const name = facts.title.replace(/\s*–\s*PIM$/, '').trim();
  if (!name || name === facts.title)
    problems.push({ page: label, rule: 'page-title', detail: `title "${facts.title}"` });
  else if (
    facts.h1[0] &&
    !facts.h1[0].toLowerCase().includes(name.toLowerCase()) &&
    !name.toLowerCase().includes(facts.h1[0].toLowerCase())
  ) {
    problems.push({
      page: label,
      rule: 'page-title',
      detail: `title "${facts.title}" does not name the page "${facts.h1[0]}"`,
    });
  }
  if (!/^(nl|en)$/.test(facts.lang)) problems.push({ page: label, rule: 'html-lang', detail: `lang="${facts.lang}"` });
  if (opts.skipLink !== false) {
    const skip = await checkSkipLink(page);
    if (skip) problems.push({ page: label, rule: 'skip-link', detail: skip });
  }
}

/** The first Tab reaches the skip link; Enter moves focus to main. Returns what went wrong. */
async function checkSkipLink(page: Page): Promise<string | null> {
  // Tab from the top of the page, as someone arriving does: a refused form's page deliberately puts
  // the focus (and so the next Tab) at its error summary, and a blur alone leaves Tab starting there.
  await page.evaluate(() => {
    const top = document.createElement('span');
    top.tabIndex = -1;
    document.body.prepend(top);
    top.focus();
    top.blur();
    top.remove();
    window.scrollTo(0, 0);
  });
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => {
    const a = document.activeElement;
    return { cls: a.className, visible: a.getBoundingClientRect().left >= 0 };
  });
  if (first.cls !== 'skip-link') return `first Tab focuses "${first.cls}", not the skip link`;
  if (!first.visible) return 'the focused skip link is off screen';
  await page.keyboard.press('Enter');
  const focused = await page.evaluate(() => document.activeElement?.tagName.toLowerCase());
  return focused === 'main' ? null : `Enter on the skip link focuses <${focused}>, not <main>`;
}

async function visit(page: Page, url: string, status: number, label: string, problems: Problem[]): Promise<boolean> {
  const res = await page.goto(url);
  if (res?.status() !== status) {
    problems.push({ page: label, rule: 'status', detail: `expected ${status}, got ${res?.status()}` });
    return false;
  }
  return true;
}

/** Empties every text field of the form and submits it without the browser's own validation. */
async function submitEmpty(page: Page, formSelector: string): Promise<number | undefined> {
  const [res] = await Promise.all([
    page.waitForNavigation(),
    page.locator(formSelector).evaluate((form: any) => {
      for (const el of form.querySelectorAll(
        'input:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea',
      ))
        el.value = '';
      form.noValidate = true;
      form.requestSubmit();
    }),
  ]);
  return res?.status();
}

/** WCAG contrast ratio of two CSS rgb() colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = (c.match(/[\d.]+/g) ?? ['0', '0', '0']).slice(0, 3).map((v) => {
      const x = Number(v) / 255;
      return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** Every GET page behind the login (files left out), with the ids of demo records. */
function memberPaths(): string[] {
  const { app } = testApp(e2e.db);
  return listRoutes(app)
    .filter((r) => r.method === 'GET' && r.access !== 'PUBLIC' && !FILE_ROUTE.test(r.path))
    .map((r) => withIds(r.path));
}

function withIds(path: string): string {
  return path
    .replace(/^\/organisations\/:id/, `/organisations/${ids.org}`)
    .replace(/^\/contacts\/:id/, `/contacts/${ids.contact}`)
    .replace(/^\/tickets\/:id/, `/tickets/${ids.ticket}`);
}

describe('Accessibility (WCAG 2.1 AA) in Chromium', () => {
  it('every page reachable without logging in', { timeout: 90_000 }, async () => {
    const problems: Problem[] = [];
    const page = await newPage();
    const token = await createPasswordToken(e2e.db.prisma, ids.self, 'RESET', new Date());
    const pages: Array<[string, number]> = [
      ['/login', 200],
      ['/password/forgot', 200],
      [`/password/reset/${token}`, 200],
      ['/password/reset/not-a-token', 410],
      ['/api/docs', 200],
      ['/does-not-exist', 404],
    ];
    // The signed mail links (no login): unsubscribe, and the verdict page of a resolved demo ticket.
    const secret = loadConfig({ NODE_ENV: 'test' }).tickets.linkSecret;
    pages.push([`/mail/unsubscribe/${unsubscribeToken(secret, ids.self, 'ticket_reply')}`, 200]);
    const resolved = await e2e.db.prisma.ticket.findFirst({
      where: { status: 'RESOLVED', reporterId: { not: null } },
      select: { id: true, reporterId: true },
    });
    if (resolved) pages.push([`/mail/verdict/${verdictToken(secret, resolved.id, resolved.reporterId!)}?score=4`, 200]);
    for (const [path, status] of pages)
      if (await visit(page, e2e.url + path, status, path, problems)) await audit(page, path, problems);

    // Their error states.
    await page.goto(`${e2e.url}/login`);
    await submitEmpty(page, 'main form[action="/login"]');
    await audit(page, 'POST /login (empty)', problems);
    await new LoginPage(page).logIn(DEMO_LOGIN, 'wrong password');
    await page.waitForLoadState();
    await audit(page, 'POST /login (wrong password)', problems);
    await page.goto(`${e2e.url}/password/forgot`);
    expect(await submitEmpty(page, 'main form')).toBe(422);
    await audit(page, 'POST /password/forgot (empty)', problems);
    await page.goto(`${e2e.url}/password/reset/${token}`);
    expect(await submitEmpty(page, 'main form')).toBe(422);
    await audit(page, 'POST /password/reset (empty)', problems);

    // SSO: the buttons on the login page, the refusal page, and the page of a provider that cannot be reached.
    if (await visit(page, `${ssoServer.url}/login`, 200, '/login with SSO', problems))
      await audit(page, '/login with SSO', problems);
    const refused = '/auth/google/callback?error=access_denied';
    if (await visit(page, ssoServer.url + refused, 403, refused, problems)) await audit(page, refused, problems);
    const unavailable = '/auth/microsoft';
    if (await visit(page, ssoServer.url + unavailable, 503, unavailable, problems))
      await audit(page, unavailable, problems);

    // English.
    for (const path of ['/login?lang=en', '/password/forgot']) {
      if (await visit(page, e2e.url + path, 200, `${path} (en)`, problems)) await audit(page, `${path} (en)`, problems);
    }
    await page.goto(`${e2e.url}/login?lang=nl`);
    await closePage(page);
    expect(problems, `\n${report(problems)}\n`).toEqual([]);
  });

  it('every page of the menu and behind it, as the demo main contact who holds every role', async () => {
    const problems: Problem[] = [];
    const page = await logIn();
    const paths = memberPaths();
    expect(paths.length).toBeGreaterThan(25);
    const extra = [
      `/contacts/${ids.self}/delete`, // the refusal: a person cannot delete themself
      `/contacts/${ids.contact}?empty=1`,
      `/tickets/${ids.ticket}?empty=1`,
      '/profile?empty=1',
      '/invoices?from=31-2-2017', // a filter's 422
      '/does-not-exist',
    ];
    for (const path of [...paths, ...extra]) {
      const status = path === '/does-not-exist' ? 404 : path.startsWith('/invoices?from') ? 422 : 200;
      // The print page has no header or menu to skip: its first link is already in main.
      const skipLink = !path.endsWith('/print');
      if (await visit(page, e2e.url + path, status, path, problems)) await audit(page, path, problems, { skipLink });
    }
    expect(paths).toContain(`/tickets/${ids.ticket}/notes/new`);
    expect(problems, `\n${report(problems)}\n`).toEqual([]);
    await closePage(page);
  }, 300_000);

  it('every form in its 422 error state', { timeout: 180_000 }, async () => {
    const problems: Problem[] = [];
    const page = await logIn();
    const forms: Array<[string, string]> = [
      ['/contacts/new', 'form.contact-form'],
      [`/contacts/${ids.contact}/edit`, 'form.contact-form'],
      [`/contacts/${ids.contact}/copy`, 'form.contact-form'],
      ['/profile/edit', 'form.profile-form'],
      ['/profile/password', 'main form[method=post]'],
      ['/profile/security/confirm', 'main form[method=post]'],
      ['/profile/security/totp', 'main form[method=post]'],
      ['/tickets/new', 'form.ticket-form'],
      [`/tickets/${ids.ticket}/notes/new`, 'form.note-form'],
    ];
    for (const [path, form] of forms) {
      await page.goto(e2e.url + path);
      const status = await submitEmpty(page, form);
      if (status !== 422)
        problems.push({ page: `POST ${path}`, rule: 'status', detail: `expected 422, got ${status}` });
      else await audit(page, `POST ${path} (empty)`, problems);
    }
    expect(problems, `\n${report(problems)}\n`).toEqual([]);
    await closePage(page);
  });

  it('the English pages and the 403 page', { timeout: 180_000 }, async () => {
    const problems: Problem[] = [];
    const page = await logIn();
    for (const path of [
      '/?lang=en',
      '/contacts',
      `/tickets/${ids.ticket}`,
      '/invoices',
      '/profile/edit',
      '/does-not-exist',
    ]) {
      const status = path === '/does-not-exist' ? 404 : 200;
      if (await visit(page, e2e.url + path, status, `${path} (en)`, problems))
        await audit(page, `${path} (en)`, problems);
    }
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.goto(`${e2e.url}/?lang=nl`);
    await closePage(page);

    const lisa = await logIn(LISA, LISA_PASSWORD);
    for (const path of ['/activity', '/invoices']) {
      if (await visit(lisa, e2e.url + path, 403, `${path} (403)`, problems))
        await audit(lisa, `${path} (403)`, problems);
    }
    await closePage(lisa);
    expect(problems, `\n${report(problems)}\n`).toEqual([]);
  });

  it(
    'what scripts and <details> open: the note dialog, the action menu, the contact search, the FAQ search',
    { timeout: 60_000 },
    async () => {
      const problems: Problem[] = [];
      const page = await logIn();
      await page.goto(`${e2e.url}/tickets/${ids.ticket}`);
      await page.getByRole('link', { name: 'Aanvulling toevoegen »' }).click();
      expect(await page.locator('#note-dialog').isVisible()).toBe(true);
      await audit(page, `/tickets/${ids.ticket} with the note dialog open`, problems, { skipLink: false });
      await page.goto(`${e2e.url}/contacts?advanced=1`);
      await page.locator('summary[aria-label="Acties voor Henk Bakker"]').click();
      await audit(page, '/contacts?advanced=1 with an action menu open', problems, { skipLink: false });
      for (const path of ['/faq?q=wachtwoord', '/contacts?name=jan']) {
        if (await visit(page, e2e.url + path, 200, path, problems)) await audit(page, path, problems);
      }
      expect(problems, `\n${report(problems)}\n`).toEqual([]);
      await closePage(page);
    },
  );

  it('keyboard focus is visible on links and buttons: an outline of 2px or more, 3:1 against what is behind it', async () => {
    const problems: Problem[] = [];
    const page = await logIn();
    for (const path of ['/', '/contacts', `/tickets/${ids.ticket}`, '/invoices']) {
      await page.goto(e2e.url + path);
      await page.evaluate(() => document.activeElement?.blur());
      const seen = new Set<string>();
      for (let i = 0; i < 150; i++) {
        await page.keyboard.press('Tab');
        const f = await page.evaluate(() => {
          const el = document.activeElement;
          if (!el || el === document.body) return null;
          const cs = getComputedStyle(el);
          // The colour behind the outline: the first ancestor with a background.
          let bg = 'rgb(255, 255, 255)';
          for (let a = el.parentElement; a; a = a.parentElement) {
            const c = getComputedStyle(a).backgroundColor;
            if (!/rgba\(.*, 0\)|transparent/.test(c)) {
              bg = c;
              break;
            }
          }
          return {
            tag: el.tagName.toLowerCase(),
            text: (el.textContent ?? '').trim().slice(0, 40),
            // A date field's day/month/year parts take focus inside it (so :focus-within).
            focusVisible: el.matches(':focus-visible, input[type="date"]:focus-within'),
            outline: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2,
            colours: [cs.outlineColor, bg] as [string, string],
          };
        });
        if (!f) break;
        if (seen.has(`${f.tag}${f.text}`) && f.text) continue;
        seen.add(f.tag);
        seen.add(`${f.tag}${f.text}`);
        if (f.tag === 'main') continue; // the skip link's target, not a control
        const target = `${f.tag} "${f.text}"`;
        if (!f.focusVisible || !f.outline)
          problems.push({ page: path, rule: 'focus-visible', target, detail: 'no visible focus outline' });
        else if (contrast(...f.colours) < 3)
          problems.push({
            page: path,
            rule: 'focus-visible',
            target,
            detail: `outline ${f.colours[0]} on ${f.colours[1]}: ${contrast(...f.colours).toFixed(2)}:1`,
          });
      }
      if (!seen.has('a')) problems.push({ page: path, rule: 'focus-visible', detail: 'no link reached by Tab' });
      if (!seen.has('button') && !seen.has('summary'))
        problems.push({ page: path, rule: 'focus-visible', detail: 'no button reached by Tab' });
    }
    expect(problems, `\n${report(problems)}\n`).toEqual([]);
    await closePage(page);
  });

  it(
    'every page reflows at 320px wide and at 200% zoom: no horizontal scrolling of the page',
    { timeout: 90_000 },
    async () => {
      const problems: Problem[] = [];
      const demo = await logIn();
      const cookies = await demo.context().cookies();
      await closePage(demo);
      for (const [width, scale] of [
        [320, 1],
        [640, 2],
      ] as const) {
        const ctx = await e2e.browser.newContext({
          locale: 'nl-NL',
          viewport: { width, height: 800 },
          deviceScaleFactor: scale,
        });
        await ctx.addCookies(cookies);
        const page = await ctx.newPage();
        for (const path of memberPaths()) {
          await page.goto(e2e.url + path);
          const overflow = await page.evaluate(() => {
            const root = document.documentElement;
            if (root.scrollWidth <= root.clientWidth) return null;
            // What sticks out: outside a .table-wrap, or positioned and so escaping its clipping.
            const wide = [...document.querySelectorAll('body *')]
              .filter(
                (el) =>
                  (!el.closest('.table-wrap') || /absolute|fixed/.test(getComputedStyle(el).position)) &&
                  el.getBoundingClientRect().right + window.scrollX > root.clientWidth + 1,
              )
              .map(
                (el) =>
                  `${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).split(' ').join('.') : ''}`,
              );
            return `scrollWidth ${root.scrollWidth} > ${root.clientWidth}: ${wide.slice(0, 5).join(', ')}`;
          });
          if (overflow) problems.push({ page: `${path} at ${width}px ×${scale}`, rule: 'reflow', detail: overflow });
          if (path === '/') await audit(page, `/ at ${width}px ×${scale}`, problems);
        }
        await ctx.close();
      }
      expect(problems, `\n${report(problems)}\n`).toEqual([]);
    },
  );
  it(
    'the two-step pages: set-up after the password, the recovery codes, the second step and its error',
    { timeout: 90_000 },
    async () => {
      const problems: Problem[] = [];
      const p = e2e.db.prisma;
      const org = await p.organization.findFirstOrThrow({ where: { name: DEMO_ORGANIZATION } });
      const lisa = await p.contact.findFirstOrThrow({ where: { email: LISA } });
      await p.organization.update({ where: { id: org.id }, data: { twoFactorRequired: true } });
      try {
        const page = await newPage();
        const login = new LoginPage(page);
        await login.open(e2e.url);
        await login.logIn(LISA, LISA_PASSWORD);
        await page.waitForURL(`${e2e.url}/login/second-step`);
        await audit(page, '/login/second-step (set-up)', problems);
        expect(await submitEmpty(page, 'main form[action="/login/second-step/setup"]')).toBe(422);
        await audit(page, 'POST /login/second-step/setup (empty)', problems);
        // The app's clock stands still in tests: its time is the start of every session it made.
        const { rows } = await e2e.db.pool.query('SELECT max(created_at) AS at FROM session');
        const secret = (await page.locator('code.secret').innerText()).replace(/\s/g, '');
        await page.getByLabel('Code uit de app').fill(totpCode(secret, rows[0].at));
        await page.getByRole('button', { name: 'Bevestigen' }).click();
        await page.waitForLoadState();
        expect(await page.locator('h1').innerText()).toBe('Uw herstelcodes');
        await audit(page, 'the recovery codes', problems);
        await closePage(page);

        const second = await newPage();
        await new LoginPage(second).open(e2e.url);
        await new LoginPage(second).logIn(LISA, LISA_PASSWORD);
        await second.waitForURL(`${e2e.url}/login/second-step`);
        await audit(second, '/login/second-step', problems);
        await second.locator('#f-code').fill('000000');
        await second.getByRole('button', { name: 'Inloggen', exact: true }).click();
        await second.waitForLoadState();
        await audit(second, 'POST /login/second-step (wrong code)', problems);
        await second.goto(`${e2e.url}/login/second-step?lang=en`);
        await audit(second, '/login/second-step (en)', problems);
        await second.goto(`${e2e.url}/login/second-step?lang=nl`);
        await closePage(second);
      } finally {
        await p.organization.update({ where: { id: org.id }, data: { twoFactorRequired: false } });
        await p.totpSecret.deleteMany({ where: { contactId: lisa.id } });
        await p.recoveryCode.deleteMany({ where: { contactId: lisa.id } });
      }
      expect(problems, `\n${report(problems)}\n`).toEqual([]);
    },
  );
});
