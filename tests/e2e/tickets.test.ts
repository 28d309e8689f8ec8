import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2e, type E2e } from '../support/e2e.js';
import { LoginPage } from './pages/login-page.js';
import { TicketPage } from './pages/ticket-page.js';
import { DEMO_PASSWORD } from '../../src/demo/seed.js';

let e2e: E2e;

beforeAll(async () => {
  e2e = await startE2e();
});
afterAll(() => e2e?.close());

describe('tickets in Chromium', () => {
  it('the demo list matches the manual; the note dialog takes focus, closes on Esc, returns focus, and saves', async () => {
    const page = await e2e.logInAsDemo();

    await page.getByRole('link', { name: 'Tickets' }).click();
    // The manual's list under "Status: actueel": 4 gevonden, Afgehandeld (2) included.
    const headings = await page.getByRole('heading', { level: 2 }).allInnerTexts();
    expect(headings.slice(0, 3)).toEqual(['Nieuw (1)', 'In behandeling (1)', 'Afgehandeld (2)']);
    expect(await page.locator('.result-bar').innerText()).toMatch(/^4 gevonden/);
    // The search panel opens behind the orange "Zoeken".
    await page.locator('summary', { hasText: 'Zoeken' }).click();
    await page.getByLabel('Status').selectOption('NEW');
    await page.locator('.search-panel form').getByRole('button', { name: 'Zoeken' }).click();
    expect(await page.getByRole('heading', { level: 2 }).first().innerText()).toBe('Nieuw (1)');
    expect(await page.getByRole('heading', { name: 'Afgehandeld (2)' }).count()).toBe(0);

    const ticket = new TicketPage(page);
    await ticket.open(e2e.url, 9969);
    expect(await page.locator('main').innerText()).toMatch(/Datum gemeld\s+\d{1,2}-\d{1,2}-\d{4} 11:05/);
    await ticket.addNoteLink().click();
    await expect(ticket.dialog().isVisible()).resolves.toBe(true);
    expect(await page.evaluate('document.activeElement?.tagName')).toBe('TEXTAREA');
    await page.keyboard.press('Escape');
    await expect(ticket.dialog().isVisible()).resolves.toBe(false);
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Aanvulling toevoegen »');

    await ticket.addNoteLink().click();
    await ticket.writeNote('De storing is er sinds vanochtend weer.');
    await page.waitForURL(`${e2e.url}/tickets/9969`);
    const main = await page.locator('main').innerText();
    expect(main).toContain('Uw aanvulling is toegevoegd.');
    expect(main).toContain('De storing is er sinds vanochtend weer.');
    expect(page.consoleErrors).toEqual([]);
    await page.close();
  });

  it('without JavaScript the link opens the note page', async () => {
    const context = await e2e.browser.newContext({ locale: 'nl-NL', javaScriptEnabled: false });
    const page = await context.newPage();
    const login = new LoginPage(page);
    await login.open(e2e.url);
    await login.logIn('j.jansen@vtel.nl', DEMO_PASSWORD);
    await page.waitForURL(`${e2e.url}/`);
    const ticket = new TicketPage(page);
    await ticket.open(e2e.url, 9868);
    await ticket.addNoteLink().click();
    await page.waitForURL(`${e2e.url}/tickets/9868/notes/new`);
    expect(await page.locator('main').innerText()).toContain('Hoort bij ticket *');
    await context.close();
  });
});
