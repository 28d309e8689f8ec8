import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createTestDb, type TestDb } from '../support/db.js';
import { testApp } from '../support/app.js';
import { serve } from '../support/server.js';
import { launchBrowser } from '../support/browser.js';
import { LoginPage } from './pages/login-page.js';
import { MyDataPages } from './pages/my-data-pages.js';
import { seedDemo, DEMO_LOGIN, DEMO_ORGANIZATION, DEMO_PASSWORD } from '../../src/db/demo.js';

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

describe('Mijn gegevens in Chromium', () => {
  it('the demo main contact walks Organisatie, Persoonlijk, changes the password by keyboard and finds it under Activiteiten', async () => {
    const page = await browser.newPage({ locale: 'nl-NL' });
    page.setDefaultTimeout(8_000);
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await new LoginPage(page).open(server.url);
    await new LoginPage(page).logIn(DEMO_LOGIN, DEMO_PASSWORD);
    await page.waitForURL(`${server.url}/`);
    const my = new MyDataPages(page);

    // Organisatie: the manual's "2 gevonden Actief ja" with the main organisation and its subsidiary.
    await my.openFromMenu('Organisatie');
    expect(await page.locator('.result-bar').innerText()).toMatch(/2 gevonden\s+Actief › ja/);
    const rows = await my.tableRows();
    expect(rows[0]).toContain(DEMO_ORGANIZATION);
    expect(rows[0]).toContain('Pantheon 2, Enschede, Nederland');
    expect(rows[0]).toContain('0884800900');
    expect(rows[1]).toContain(`${DEMO_ORGANIZATION} Dochter`);
    expect(await page.getByRole('img', { name: 'Hoofdorganisatie' }).count()).toBe(1);
    expect(await page.getByRole('img', { name: 'Dochterorganisatie' }).count()).toBe(1);
    await page.screenshot({ path: 'test-results/organisations.png', fullPage: true });

    await page.getByRole('link', { name: DEMO_ORGANIZATION, exact: true }).click();
    const detail = await page.locator('main').innerText();
    expect(detail).toContain('Dhr. Jan Jansen');
    expect(detail).toContain('Indien u wijzigingen in deze gegevens wilt doorgeven vragen wij u contact op te nemen met Vcare.');
    await page.screenshot({ path: 'test-results/organisation.png', fullPage: true });
    await page.getByRole('link', { name: /^Dochters/ }).click();
    expect(await my.tableRows()).toHaveLength(1);

    // Persoonlijk, with "Toon lege velden".
    await my.openFromMenu('Persoonlijk');
    expect(await page.locator('main').innerText()).not.toContain('Tussenvoegsel');
    await page.getByRole('link', { name: 'Toon lege velden' }).click();
    expect(await page.locator('main').innerText()).toContain('Tussenvoegsel');
    await page.screenshot({ path: 'test-results/profile.png', fullPage: true });

    // PIM Wachtwoord wijzigen, keyboard only.
    await page.getByRole('link', { name: 'PIM Wachtwoord wijzigen »' }).click();
    await my.changePasswordByKeyboard(DEMO_PASSWORD, 'een nieuwe wachtzin voor jan');
    await page.waitForURL(`${server.url}/profile`);
    expect(await page.getByRole('status').or(page.locator('.notice--success')).first().innerText()).toContain('Uw wachtwoord is gewijzigd.');

    // Activiteiten shows it.
    await my.openFromMenu('Activiteiten');
    expect((await my.tableRows())[0]).toContain('Jan Jansen heeft het eigen wachtwoord gewijzigd.');
    await page.getByLabel('Soort').selectOption({ label: 'Wachtwoord gewijzigd' });
    await page.getByRole('button', { name: 'Zoeken' }).click();
    expect(await page.locator('.result-bar').innerText()).toMatch(/1 gevonden\s+Soort › Wachtwoord gewijzigd/);
    await page.screenshot({ path: 'test-results/activity.png', fullPage: true });
    expect(errors).toEqual([]);
  });
});
