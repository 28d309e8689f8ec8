import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createTestDb, type TestDb } from '../support/db.js';
import { testApp } from '../support/app.js';
import { serve } from '../support/server.js';
import { launchBrowser } from '../support/browser.js';
import { LoginPage } from './pages/login-page.js';
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

describe('in Chromium', () => {
  it('the demo main contact logs in and sees the dashboard with tiles and the announcement', async () => {
    const page = await browser.newPage({ locale: 'nl-NL' });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const login = new LoginPage(page);
    await login.open(server.url);
    await expect(page.getByRole('heading', { name: 'Welkom' }).isVisible()).resolves.toBe(true);
    await login.logIn('j.jansen@vtel.nl', DEMO_PASSWORD);
    await page.waitForURL(`${server.url}/`);
    const body = await page.locator('body').innerText();
    expect(body).toContain('Hallo Jan Jansen');
    expect(body).toContain('Welkom bij PIM');
    for (const app of ['Operator', 'Walldisplay', 'Recorder', 'Scheduler', 'Reporter', 'Pharma repeat', 'Redirect']) {
      expect(await page.getByRole('link', { name: `Open ${app}` }).count(), app).toBe(1);
    }
    expect(body).toContain('Aangepaste openingstijden');
    expect(body).toContain('23-05-2019 09:19');
    // "Lees meer" opens the whole message, without JavaScript.
    await page.getByText('Lees meer').click();
    await expect(page.getByText('Pinksteren').first().isVisible()).resolves.toBe(true);
    // CSP violations and script errors show up as console errors.
    expect(errors).toEqual([]);
    await page.screenshot({ path: 'test-results/dashboard.png', fullPage: true });
    await page.close();
  });

  it('a wrong password shows the one refusal message', async () => {
    const page = await browser.newPage({ locale: 'nl-NL' });
    const login = new LoginPage(page);
    await login.open(server.url);
    await login.logIn('j.jansen@vtel.nl', 'not the password');
    await expect(page.getByRole('alert').innerText()).resolves.toContain('Inloggen is niet gelukt.');
    await page.close();
  });
});
