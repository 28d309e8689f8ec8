import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startE2e, type E2e } from '../support/e2e.js';
import { testApp } from '../support/app.js';
import { listRoutes } from '../support/routes.js';
import { DEMO_ORGANIZATION } from '../../src/demo/seed.js';

/**
 * Forms and lists look like what they are, measured in Chromium: every radio button and checkbox
 * sits next to its own label, names in row headers look like links, every list has the same
 * toolbar with the search panel behind "Zoeken", and the print page prints.
 */

// The callbacks of page.evaluate run in Chromium; the project's types have no DOM library.
declare const document: any;
declare const window: any;
declare function getComputedStyle(el: unknown): any;

/** Routes that answer with a file, not a page. */
const FILE_ROUTE =
  /\.(csv|pdf|zip)$|\/pdf$|\/ubl$|^\/documents\/:id$|\/attachments\/:fileId$|^\/faq\/suggest$|^\/readyz$/;

let e2e: E2e;
let ids: { org: number; contact: number; lisa: number };

beforeAll(async () => {
  e2e = await startE2e();
  const p = e2e.db.prisma;
  const org = await p.organization.findFirstOrThrow({ where: { name: DEMO_ORGANIZATION } });
  const henk = await p.contact.findFirstOrThrow({ where: { email: 'h.bakker@vtel.nl' } });
  const lisa = await p.contact.findFirstOrThrow({ where: { email: 'l.devries@vtel.nl' } });
  ids = { org: org.id, contact: henk.id, lisa: lisa.id };
}, 120_000);
afterAll(() => e2e?.close());

/** Every GET page behind the login, with demo records for :id (as the accessibility test does). */
function memberPaths(): string[] {
  const { app } = testApp(e2e.db);
  return listRoutes(app)
    .filter((r) => r.method === 'GET' && r.access !== 'PUBLIC' && !FILE_ROUTE.test(r.path))
    .map((r) =>
      r.path
        .replace(/^\/organisations\/:id/, `/organisations/${ids.org}`)
        .replace(/^\/contacts\/:id/, `/contacts/${ids.contact}`)
        .replace(/^\/tickets\/:id/, '/tickets/9969'),
    );
}

interface Misplaced {
  page: string;
  input: string;
  detail: string;
}

/**
 * Each visible radio and checkbox against its own label (input.labels): on the same line (the
 * label's first line box level with the box) and right beside it (a gap of at most 24px).
 */
async function checkBoxesAndLabels(page: Page, label: string): Promise<{ checked: number; misplaced: Misplaced[] }> {
  const found = await page.evaluate(() => {
    const out: { input: string; detail: string | null }[] = [];
    for (const input of document.querySelectorAll('input[type=radio], input[type=checkbox]')) {
      const box = input.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || getComputedStyle(input).visibility === 'hidden') continue;
      const name = `${input.type} #${input.id || input.name}`;
      const own = input.labels?.[0];
      if (!own) {
        out.push({ input: name, detail: 'has no label of its own' });
        continue;
      }
      const line = own.getClientRects()[0];
      if (!line) {
        out.push({ input: name, detail: 'its label is not shown' });
        continue;
      }
      const dy = Math.abs(box.top + box.height / 2 - (line.top + line.height / 2));
      const gap = line.left >= box.right ? line.left - box.right : box.left - line.right;
      const ok = dy <= 12 && gap >= -2 && gap <= 24;
      out.push({
        input: name,
        detail: ok
          ? null
          : `label "${own.textContent.trim().slice(0, 40)}" is ${Math.round(gap)}px away and ${Math.round(dy)}px off its line`,
      });
    }
    return out;
  });
  return {
    checked: found.length,
    misplaced: found.filter((f) => f.detail).map((f) => ({ page: label, input: f.input, detail: f.detail! })),
  };
}

/** Opens every search panel on the page (they hold checkboxes too). */
async function openSearchPanels(page: Page): Promise<void> {
  for (const summary of await page.locator('details.search-panel:not([open]) > summary').all()) await summary.click();
}

describe('forms and lists in Chromium', () => {
  it('on every form page each radio button and checkbox sits next to its own label', { timeout: 180_000 }, async () => {
    const page = await e2e.logInAsDemo();
    const misplaced: Misplaced[] = [];
    let checked = 0;
    const visit = async (path: string) => {
      const res = await page.goto(e2e.url + path);
      expect(res?.status(), path).toBeLessThan(400);
      await openSearchPanels(page);
      const r = await checkBoxesAndLabels(page, path);
      checked += r.checked;
      misplaced.push(...r.misplaced);
    };
    const paths = memberPaths();
    expect(paths).toContain('/contacts/new');
    for (const path of [...paths, `/contacts/${ids.contact}/copy`]) await visit(path);
    // The contact form in its 422 state: radios with an error next to them.
    await page.goto(`${e2e.url}/contacts/new`);
    const [invalidRes] = await Promise.all([
      page.waitForNavigation(),
      page.locator('form.contact-form').evaluate((form: any) => {
        form.noValidate = true;
        form.requestSubmit();
      }),
    ]);
    expect(invalidRes?.status()).toBe(422);
    const invalid = await checkBoxesAndLabels(page, 'POST /contacts/new (422)');
    checked += invalid.checked;
    misplaced.push(...invalid.misplaced);
    // Without JavaScript "Rollen wijzigen" is a list of checkboxes.
    const noJs = await e2e.browser.newContext({ locale: 'nl-NL', javaScriptEnabled: false });
    await noJs.addCookies(await page.context().cookies());
    const plain = await noJs.newPage();
    await plain.goto(`${e2e.url}/contacts/${ids.lisa}/roles/edit`);
    const roles = await checkBoxesAndLabels(plain, '/contacts/:id/roles/edit without JavaScript');
    expect(roles.checked).toBe(11);
    checked += roles.checked;
    misplaced.push(...roles.misplaced);
    await noJs.close();

    expect(misplaced, misplaced.map((m) => `- ${m.page} ${m.input}: ${m.detail}`).join('\n')).toEqual([]);
    // Contact form: Actief, four subscriptions and Webtoegang, two radios each, three times; and more.
    expect(checked).toBeGreaterThan(60);
    await page.close();
  });

  it('names in row headers (organisations, subsidiaries, documents) look like links: blue and underlined, like every link', async () => {
    const page = await e2e.logInAsDemo();
    const problems: string[] = [];
    for (const path of [
      '/organisations',
      `/organisations/${ids.org}?tab=subsidiaries`,
      '/downloads/manuals',
      '/downloads/reports',
    ]) {
      await page.goto(e2e.url + path);
      const looks = await page.evaluate(() => {
        const probe = document.createElement('a');
        probe.href = '#';
        probe.textContent = 'probe';
        document.querySelector('main').appendChild(probe);
        const link = getComputedStyle(probe);
        const expected = { color: link.color, underline: link.textDecorationLine.includes('underline') };
        probe.remove();
        return {
          expected,
          rows: [...document.querySelectorAll('tbody th[scope=row] a')].map((a: any) => ({
            text: a.textContent.trim(),
            color: getComputedStyle(a).color,
            underline: getComputedStyle(a).textDecorationLine.includes('underline'),
          })),
        };
      });
      if (looks.rows.length === 0) problems.push(`${path}: no row-header links`);
      for (const r of looks.rows) {
        if (r.color !== looks.expected.color || !r.underline)
          problems.push(
            `${path}: "${r.text}" is ${r.color}${r.underline ? '' : ', not underlined'} (links are ${looks.expected.color}, underlined)`,
          );
      }
      // Column headers that sort stay dark: they are headings first.
      const sortColor = await page.evaluate(
        () => [...document.querySelectorAll('thead th a')].map((a: any) => getComputedStyle(a).color)[0],
      );
      if (sortColor && sortColor === looks.expected.color) problems.push(`${path}: sort headers look like body links`);
    }
    expect(problems, problems.join('\n')).toEqual([]);
    await page.close();
  });

  it('one toolbar on every list and detail page: "Lijst" in one colour, the search panel behind the orange "Zoeken"', async () => {
    const page = await e2e.logInAsDemo();
    const lists = ['/organisations', '/contacts', '/invoices', '/tickets'];
    const details = [`/organisations/${ids.org}`, `/contacts/${ids.contact}`, '/tickets/9969', '/tickets/new'];
    const colours = new Map<string, string>();
    for (const path of [...lists, ...details]) {
      await page.goto(e2e.url + path);
      const lijst = page.locator('main .toolbar').getByRole('link', { name: 'Lijst', exact: true });
      expect(await lijst.count(), `${path}: one "Lijst"`).toBe(1);
      colours.set(
        path,
        await lijst.evaluate((a: any) => `${getComputedStyle(a).backgroundColor} / ${getComputedStyle(a).color}`),
      );
    }
    expect(new Set(colours.values()).size, [...colours].map(([k, v]) => `${k}: ${v}`).join('\n')).toBe(1);

    for (const path of lists) {
      await page.goto(e2e.url + path);
      const panel = page.locator('main .toolbar details.search-panel');
      expect(await panel.count(), `${path}: one search panel`).toBe(1);
      expect(await panel.getAttribute('open'), `${path}: closed on arrival`).toBeNull();
      // No search form outside the panel.
      expect(await page.locator('main form[method=get]:not(.search-panel form)').count(), path).toBe(0);
      const summary = panel.locator('> summary');
      expect(await summary.innerText()).toBe('Zoeken');
      const orange = await summary.evaluate((s: any) => getComputedStyle(s).backgroundColor);
      expect(orange, path).toBe('rgb(179, 71, 0)');
      expect(await panel.locator('form').isVisible()).toBe(false);
      await summary.click();
      expect(await panel.locator('form').isVisible(), `${path}: the form opens`).toBe(true);
    }
    // From a detail page "Zoeken" leads to the list with its panel open.
    await page.goto(`${e2e.url}/tickets/9969`);
    await page.locator('main .toolbar').getByRole('link', { name: 'Zoeken' }).click();
    await page.waitForURL(/\/tickets\?search=1/);
    expect(await page.locator('details.search-panel').getAttribute('open')).not.toBeNull();
    expect(page.consoleErrors).toEqual([]);
    await page.close();
  });

  it('the print page: "Afdrukken" opens the print dialog, and is not printed; without JavaScript it is not shown', async () => {
    const page = await e2e.logInAsDemo();
    await page.addInitScript(() => {
      window.printCalls = 0;
      window.print = () => {
        window.printCalls += 1;
      };
    });
    await page.goto(`${e2e.url}/tickets/9969/print`);
    const button = page.getByRole('button', { name: 'Afdrukken' });
    expect(await button.isVisible()).toBe(true);
    await button.click();
    expect(await page.evaluate(() => window.printCalls)).toBe(1);
    await page.emulateMedia({ media: 'print' });
    expect(await button.isVisible()).toBe(false);
    expect(await page.locator('main').innerText()).toContain('Internet verbinding valt weg');
    expect(page.consoleErrors).toEqual([]);

    const noJs = await e2e.browser.newContext({ locale: 'nl-NL', javaScriptEnabled: false });
    await noJs.addCookies(await page.context().cookies());
    const plain = await noJs.newPage();
    await plain.goto(`${e2e.url}/tickets/9969/print`);
    expect(await plain.getByRole('button', { name: 'Afdrukken' }).count()).toBe(0);
    expect(await plain.locator('[data-print]').isVisible()).toBe(false);
    await noJs.close();
    await page.close();
  });
});
