import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2e, type E2e } from '../support/e2e.js';
import { LoginPage } from './pages/login-page.js';
import { DEMO_PASSWORD } from '../../src/demo/seed.js';

let e2e: E2e;

beforeAll(async () => {
  e2e = await startE2e();
});
afterAll(() => e2e?.close());

describe('in Chromium', () => {
  it('the demo main contact logs in and sees the dashboard with tiles and the announcement', async () => {
    const page = await e2e.newPage();
    const login = new LoginPage(page);
    await login.open(e2e.url);
    await expect(page.getByRole('heading', { name: 'Welkom' }).isVisible()).resolves.toBe(true);
    await login.logIn('j.jansen@vtel.nl', DEMO_PASSWORD);
    await page.waitForURL(`${e2e.url}/`);
    const body = await page.locator('body').innerText();
    expect(body).toContain('Hallo Jan Jansen');
    expect(body).toContain('Welkom bij PIM');
    for (const app of ['Operator', 'Walldisplay', 'Recorder', 'Scheduler', 'Reporter', 'Pharma repeat', 'Redirect']) {
      expect(await page.getByRole('link', { name: `Open ${app}` }).count(), app).toBe(1);
    }
    expect(body).toContain('Aangepaste openingstijden');
    expect(body).toMatch(/\b\d{1,2}-\d{1,2}-20\d\d 09:19\b/); // published two days before loading, at the manual's 09:19
    // "Lees meer" opens the whole message, without JavaScript.
    await page.getByText('Lees meer').click();
    // (The excerpt above it gives way to the full text, so the text is looked for there.)
    await expect(page.locator('.announcement details > p').getByText('Pinksteren').isVisible()).resolves.toBe(true);
    // CSP violations and script errors show up as console errors.
    expect(page.consoleErrors).toEqual([]);
    await page.screenshot({ path: 'test-results/dashboard.png', fullPage: true });
    await page.close();
  });

  it('a wrong password shows the one refusal message', async () => {
    const page = await e2e.browser.newPage({ locale: 'nl-NL' });
    const login = new LoginPage(page);
    await login.open(e2e.url);
    await login.logIn('j.jansen@vtel.nl', 'not the password');
    await expect(page.getByRole('alert').innerText()).resolves.toContain('Inloggen is niet gelukt.');
    await page.close();
  });
});
