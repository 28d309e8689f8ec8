import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startE2e, type E2e } from '../support/e2e.js';
import { DEMO_LOGIN, DEMO_PASSWORD } from '../../src/demo/seed.js';
import { LoginPage } from './pages/login-page.js';
import { pageOverflow } from './pages/page-checks.js';

/**
 * Words and forms as a person meets them in Chromium: where the focus goes after a refused form,
 * day-first date filters in a browser set to another locale, the Dutch note dialog, and the
 * layout details of the dashboard, Beveiliging, a contact and the API reference.
 */

// The callbacks of page.evaluate run in Chromium; the project's types have no DOM library.
declare const document: any;
declare function getComputedStyle(el: unknown): any;

let e2e: E2e;
let page: Page;
let henk: number;
let lisa: number;

beforeAll(async () => {
  e2e = await startE2e();
  henk = (await e2e.db.prisma.contact.findFirstOrThrow({ where: { email: 'h.bakker@vtel.nl' } })).id;
  lisa = (await e2e.db.prisma.contact.findFirstOrThrow({ where: { email: 'l.devries@vtel.nl' } })).id;
  page = await e2e.logInAsDemo();
}, 120_000);
afterAll(() => e2e?.close());

/** Submits the form as it is, without the browser's own checks; the status of the answer. */
async function submit(p: Page, form: string): Promise<number | undefined> {
  const [res] = await Promise.all([
    p.waitForNavigation(),
    p.locator(form).evaluate((f: any) => {
      f.noValidate = true;
      f.requestSubmit();
    }),
  ]);
  return res?.status();
}

const focused = (p: Page) =>
  p.evaluate(() => {
    const el = document.activeElement;
    return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className ? `.${el.className.split(' ')[0]}` : ''}`;
  });

describe('after a refused form', () => {
  it('the focus is on what went wrong and the title starts with "Fout:"', { timeout: 60_000 }, async () => {
    await page.goto(`${e2e.url}/profile/password`);
    expect(await submit(page, 'main form[method=post]')).toBe(422);
    expect(await focused(page)).toBe('div.error-summary');
    expect(await page.title()).toMatch(/^Fout: .+ – PIM$/);

    await page.goto(`${e2e.url}/contacts/new?lang=en`);
    expect(await submit(page, 'form.contact-form')).toBe(422);
    expect(await focused(page)).toBe('div.error-summary');
    expect(await page.title()).toMatch(/^Error: /);
    await page.goto(`${e2e.url}/?lang=nl`);

    // A page that was not refused keeps its plain title and leaves the focus alone.
    await page.goto(`${e2e.url}/profile/password`);
    expect(await page.title()).not.toMatch(/^Fout/);
    expect(await focused(page)).toBe('body');

    // The login page's one message, the same way.
    const anon = await e2e.newPage();
    const login = new LoginPage(anon);
    await login.open(e2e.url);
    await login.logIn(DEMO_LOGIN, 'not the password');
    await anon.waitForLoadState();
    expect(await focused(anon)).toBe('div#login-error.notice');
    expect(await anon.title()).toMatch(/^Fout: /);
    await anon.close();
  });
});

describe('date filters', () => {
  it('read the day first in a browser set to American English: 01072026 is 1 July 2026', async () => {
    const ctx = await e2e.browser.newContext({ locale: 'en-US' });
    await ctx.addCookies(await page.context().cookies());
    const us = await ctx.newPage();
    await us.goto(`${e2e.url}/activity?lang=nl`);
    expect(await us.locator('#f-from').getAttribute('type')).toBe('text');
    expect(await us.locator('#f-from').getAttribute('inputmode')).toBe('numeric');
    await us.locator('#f-from').fill('01072026');
    await us.locator('#f-to').fill('31-7-2026');
    await Promise.all([us.waitForNavigation(), us.locator('#f-to').press('Enter')]);
    const text = await us.locator('main').innerText();
    expect(text).toContain('Vanaf › 1-7-2026');
    expect(text).toContain('Tot en met › 31-7-2026');
    expect(await us.locator('#f-from').inputValue()).toBe('1-7-2026');

    // Not a day: the message, with the focus on it.
    await us.locator('#f-from').fill('31-2-2026');
    const [res] = await Promise.all([us.waitForNavigation(), us.locator('#f-from').press('Enter')]);
    expect(res?.status()).toBe(422);
    expect(await focused(us)).toBe('div.error-summary');
    expect(await us.locator('.error-summary').innerText()).toContain(
      'Vul een geldige datum in, bijvoorbeeld 1-7-2026.',
    );
    await ctx.close();
  });
});

describe('words', () => {
  it('the Dutch note dialog and the roles page say "Annuleren", never "Cancel"', async () => {
    await page.goto(`${e2e.url}/tickets/9969`);
    await page.getByRole('link', { name: 'Aanvulling toevoegen »' }).click();
    const dialog = page.locator('#note-dialog');
    expect(await dialog.isVisible()).toBe(true);
    expect(await dialog.innerText()).toContain('Annuleren');
    expect(await dialog.innerText()).not.toContain('Cancel');
    await page.goto(`${e2e.url}/contacts/${lisa}/roles/edit`);
    expect(await page.locator('h1').innerText()).toBe('Rollen Contactpersoon');
    expect(await page.locator('main').innerText()).toContain('Annuleren');
    expect(await page.locator('main').innerText()).not.toContain('Cancel');
  });
});

describe('layout', () => {
  it('an opened announcement shows its text once, without the excerpt and "Lees meer"', async () => {
    await page.goto(`${e2e.url}/`);
    const article = page
      .locator('article.announcement')
      .filter({ has: page.locator('details') })
      .first();
    const excerpt = article.locator('.announcement__excerpt');
    expect(await excerpt.isVisible()).toBe(true);
    await article.getByText('Lees meer').click();
    expect(await excerpt.isVisible()).toBe(false);
    expect(await article.getByText('Lees meer').isVisible()).toBe(false);
    expect(await article.getByText('Minder tonen').isVisible()).toBe(true);
    expect(await article.locator('details > p').isVisible()).toBe(true);
  });

  it(
    'dates stay on one line at 320px; the session tag, the passkey field and the sessions button are styled',
    { timeout: 90_000 },
    async () => {
      // A second session, so "Alle andere sessies uitloggen" shows (before the passkey: then a login takes two steps).
      const other = await e2e.newPage();
      await new LoginPage(other).open(e2e.url);
      await new LoginPage(other).logIn(DEMO_LOGIN, DEMO_PASSWORD);
      await other.waitForURL(`${e2e.url}/`, { timeout: 30_000 });
      const jan = await e2e.db.prisma.contact.findFirstOrThrow({ where: { email: DEMO_LOGIN } });
      await e2e.db.prisma.passkey.create({
        data: {
          contactId: jan.id,
          credentialId: 'words-test-credential',
          userHandle: 'words-test-user',
          publicKey: Buffer.from([1, 2, 3]),
          name: 'Laptop',
        },
      });
      const ctx = await e2e.browser.newContext({ locale: 'nl-NL', viewport: { width: 320, height: 800 } });
      await ctx.addCookies(await page.context().cookies());
      const narrow = await ctx.newPage();
      for (const path of ['/downloads/reports', '/invoices?dates=all', '/activity', '/profile/security']) {
        await narrow.goto(e2e.url + path);
        const wrapped = await narrow.evaluate(() =>
          [...document.querySelectorAll('.date')]
            .filter((el) => {
              // The lines the text takes: the distinct tops of its boxes. A date (with its time) stays on one.
              const range = document.createRange();
              range.selectNodeContents(el.querySelector('time') ?? el);
              const tops = new Set([...range.getClientRects()].map((r: any) => Math.round(r.top)));
              return tops.size > 1 && !el.querySelector('br');
            })
            .map((el) => el.textContent.trim()),
        );
        expect(wrapped, path).toEqual([]);
        expect(await narrow.locator('.date').count(), path).toBeGreaterThan(0);
      }
      await narrow.goto(`${e2e.url}/profile/security`);
      const tag = narrow.locator('strong.tag');
      expect(await tag.innerText()).toBe('deze sessie');
      expect(await tag.evaluate((el: any) => getComputedStyle(el).backgroundColor)).toBe('rgb(46, 125, 50)');
      const field = narrow.locator('#passkeys input[name=name]').first();
      const height = await field.evaluate((el: any) => el.getBoundingClientRect().height);
      expect(height).toBeGreaterThanOrEqual(36);
      const gap = await narrow.evaluate(() => {
        const form = document.querySelector('form.end-others');
        const table = form.parentElement.querySelector('.table-wrap');
        return form.getBoundingClientRect().top - table.getBoundingClientRect().bottom;
      });
      expect(gap).toBeGreaterThanOrEqual(12);
      await ctx.close();
      await other.close();
    },
  );

  it('"Toon lege velden" and "Bewerken" sit on one line, centred', async () => {
    await page.goto(`${e2e.url}/contacts/${henk}`);
    const middle = (name: string) =>
      page
        .locator('main p.toolbar')
        .getByRole('link', { name })
        .evaluate((el: any) => {
          const r = el.getBoundingClientRect();
          return r.top + r.height / 2;
        });
    expect(Math.abs((await middle('Toon lege velden')) - (await middle('Bewerken')))).toBeLessThanOrEqual(2);
  });

  it('/api/docs reflows at 320px and its bodies link to their schemas', async () => {
    const ctx = await e2e.browser.newContext({ locale: 'nl-NL', viewport: { width: 320, height: 800 } });
    const docs = await ctx.newPage();
    await docs.goto(`${e2e.url}/api/docs`);
    expect(await pageOverflow(docs)).toBeNull();
    expect(await docs.locator('main').innerText()).not.toContain('$ref');
    const link = docs.locator('.api-operation pre a[href^="#schema-"]').first();
    const target = (await link.getAttribute('href'))!;
    await link.click();
    expect(docs.url()).toContain(target);
    expect(await docs.locator(target).isVisible()).toBe(true);
    await ctx.close();
  });
});

describe('the two-step set-up field', () => {
  it('asks for digits (inputmode numeric, one-time-code)', async () => {
    await page.goto(`${e2e.url}/profile/security/totp`);
    const code = page.locator('#f-code');
    expect(await code.getAttribute('inputmode')).toBe('numeric');
    expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
  });
});
