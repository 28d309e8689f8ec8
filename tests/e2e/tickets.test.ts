import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createTestDb, type TestDb } from '../support/db.js';
import { testApp } from '../support/app.js';
import { serve } from '../support/server.js';
import { launchBrowser } from '../support/browser.js';
import { LoginPage } from './pages/login-page.js';
import { TicketPage } from './pages/ticket-page.js';
import { seedDemo, DEMO_PASSWORD } from '../../src/db/demo.js';

let db: TestDb;
let browser: Browser;
let server: { url: string; close(): Promise<void> };

beforeAll(async () => {
  db = await createTestDb();
  await seedDemo(db.prisma);
  const { app } = testApp(db, { env: { BASE_URL: 'http://127.0.0.1' } });
  server = await serve(app);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await db?.drop();
});

describe('tickets in Chromium', () => {
  it('the demo list matches the manual; the note dialog takes focus, closes on Esc, returns focus, and saves', async () => {
    const page = await browser.newPage({ locale: 'nl-NL' });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const login = new LoginPage(page);
    await login.open(server.url);
    await login.logIn('j.jansen@vtel.nl', DEMO_PASSWORD);
    await page.waitForURL(`${server.url}/`);

    await page.getByRole('link', { name: 'Tickets' }).click();
    const headings = await page.getByRole('heading', { level: 2 }).allInnerTexts();
    expect(headings.slice(0, 2)).toEqual(['Nieuw (1)', 'In behandeling (1)']);
    await page.getByLabel('Status').selectOption('all');
    await page.getByRole('button', { name: 'Zoeken' }).click();
    expect(await page.getByRole('heading', { name: 'Afgehandeld (2)' }).count()).toBe(1);

    const ticket = new TicketPage(page);
    await ticket.open(server.url, 9969);
    expect(await page.locator('main').innerText()).toContain('donderdag 13 juli 2017 11:05');
    await ticket.addNoteLink().click();
    await expect(ticket.dialog().isVisible()).resolves.toBe(true);
    expect(await page.evaluate('document.activeElement?.tagName')).toBe('TEXTAREA');
    await page.keyboard.press('Escape');
    await expect(ticket.dialog().isVisible()).resolves.toBe(false);
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Aanvulling toevoegen »');

    await ticket.addNoteLink().click();
    await ticket.writeNote('De storing is er sinds vanochtend weer.');
    await page.waitForURL(`${server.url}/tickets/9969`);
    const main = await page.locator('main').innerText();
    expect(main).toContain('Uw aanvulling is toegevoegd.');
    expect(main).toContain('De storing is er sinds vanochtend weer.');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('without JavaScript the link opens the note page', async () => {
    const context = await browser.newContext({ locale: 'nl-NL', javaScriptEnabled: false });
    const page = await context.newPage();
    const login = new LoginPage(page);
    await login.open(server.url);
    await login.logIn('j.jansen@vtel.nl', DEMO_PASSWORD);
    await page.waitForURL(`${server.url}/`);
    const ticket = new TicketPage(page);
    await ticket.open(server.url, 9868);
    await ticket.addNoteLink().click();
    await page.waitForURL(`${server.url}/tickets/9868/notes/new`);
    expect(await page.locator('main').innerText()).toContain('Hoort bij ticket *');
    await context.close();
  });
});
