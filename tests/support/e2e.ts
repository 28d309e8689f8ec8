import type { Browser, Page } from 'playwright-core';
import { createTestDb, type TestDb } from './db.js';
import { testApp } from './app.js';
import { serve } from './server.js';
import { launchBrowser } from './browser.js';
import { seedDemo, DEMO_LOGIN, DEMO_PASSWORD } from '../../src/demo/seed.js';
import { LoginPage } from '../e2e/pages/login-page.js';

/** One browser test file's world: its database with the demo, the app on loopback, Chromium. */
export interface E2e {
  db: TestDb;
  browser: Browser;
  url: string;
  /** A Dutch page that records console errors (CSP violations and script errors show up there). */
  newPage(): Promise<Page & { consoleErrors: string[] }>;
  /** A new page, logged in as the demo main contact, on the dashboard. */
  logInAsDemo(): Promise<Page & { consoleErrors: string[] }>;
  close(): Promise<void>;
}

/** Starts the world for a browser test file (call in beforeAll; close in afterAll). */
export async function startE2e(): Promise<E2e> {
  const db = await createTestDb();
  await seedDemo(db.prisma);
  const { app } = testApp(db, { env: { BASE_URL: 'http://127.0.0.1' } });
  const server = await serve(app);
  const browser = await launchBrowser();
  const newPage = async () => {
    const page = Object.assign(await browser.newPage({ locale: 'nl-NL' }), { consoleErrors: [] as string[] });
    page.setDefaultTimeout(8_000);
    page.on('console', (m) => m.type() === 'error' && page.consoleErrors.push(m.text()));
    return page;
  };
  return {
    db,
    browser,
    url: server.url,
    newPage,
    async logInAsDemo() {
      const page = await newPage();
      const login = new LoginPage(page);
      await login.open(server.url);
      await login.logIn(DEMO_LOGIN, DEMO_PASSWORD);
      await page.waitForURL(`${server.url}/`);
      return page;
    },
    async close() {
      await browser.close();
      await server.close();
      await db.drop();
    },
  };
}
