import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startE2e, type E2e } from '../support/e2e.js';
import { LoginPage } from './pages/login-page.js';
import { DEMO_LOGIN, DEMO_PASSWORD } from '../../src/demo/seed.js';

/**
 * Irreversible security actions ask first, on a page of their own that works without JavaScript:
 * the first click only opens it (nothing changes), its button does it.
 */

let e2e: E2e;

beforeAll(async () => {
  e2e = await startE2e();
}, 60_000);
afterAll(() => e2e?.close());

/** The demo main contact, logged in in a browser with JavaScript switched off. */
async function janWithoutScripts(): Promise<Page> {
  const context = await e2e.browser.newContext({ locale: 'nl-NL', javaScriptEnabled: false });
  const page = await context.newPage();
  page.setDefaultTimeout(8_000);
  const login = new LoginPage(page);
  await login.open(e2e.url);
  await login.logIn(DEMO_LOGIN, DEMO_PASSWORD);
  await page.waitForURL(`${e2e.url}/`);
  return page;
}

describe('confirmation pages in Chromium without JavaScript', () => {
  it('"Twee stappen terugzetten" on a colleague: the link asks, naming what goes; the button resets', async () => {
    const { prisma } = e2e.db;
    const lisa = await prisma.contact.findFirstOrThrow({ where: { email: 'l.devries@vtel.nl' } });
    await prisma.totpSecret.create({
      data: { contactId: lisa.id, secretEncrypted: 'v1.x.y.z', confirmedAt: new Date(0) },
    });
    await prisma.recoveryCode.create({ data: { contactId: lisa.id, codeHash: 'h' } });
    const page = await janWithoutScripts();

    await page.goto(`${e2e.url}/contacts/${lisa.id}`);
    await page.getByRole('link', { name: 'Twee stappen terugzetten' }).click();
    await page.waitForURL(`${e2e.url}/contacts/${lisa.id}/two-step/reset`);
    const asked = await page.locator('main').innerText();
    expect(asked).toContain('Weet u zeker dat u het inloggen in twee stappen van Lisa de Vries wilt terugzetten?');
    expect(asked).toContain('de authenticator-app');
    expect(asked).toContain('Dit kunt u niet ongedaan maken.');
    expect(await prisma.totpSecret.count({ where: { contactId: lisa.id } })).toBe(1);

    // "Annuleren" goes back and changes nothing.
    await page.getByRole('link', { name: 'Annuleren' }).click();
    await page.waitForURL(`${e2e.url}/contacts/${lisa.id}`);
    expect(await prisma.totpSecret.count({ where: { contactId: lisa.id } })).toBe(1);

    await page.getByRole('link', { name: 'Twee stappen terugzetten' }).click();
    await page.getByRole('button', { name: 'Twee stappen terugzetten' }).click();
    await page.waitForURL(`${e2e.url}/contacts/${lisa.id}`);
    expect(await page.getByRole('status').first().innerText()).toContain('Het inloggen in twee stappen is teruggezet.');
    expect(await prisma.totpSecret.count({ where: { contactId: lisa.id } })).toBe(0);
    expect(await prisma.recoveryCode.count({ where: { contactId: lisa.id } })).toBe(0);
    await page.context().close();
  }, 60_000);

  it('"Nieuwe herstelcodes maken": the link asks, saying the old codes stop working; the button makes new ones', async () => {
    const { prisma } = e2e.db;
    const page = await janWithoutScripts();
    // Jan switched the app on in this session (the login was a moment ago, so no password is asked again).
    const jan = await prisma.contact.findFirstOrThrow({ where: { email: DEMO_LOGIN } });
    await prisma.totpSecret.create({
      data: { contactId: jan.id, secretEncrypted: 'v1.x.y.z', confirmedAt: new Date(0) },
    });
    await prisma.recoveryCode.createMany({
      data: ['a', 'b', 'c'].map((h) => ({ contactId: jan.id, codeHash: `old-${h}` })),
    });

    await page.goto(`${e2e.url}/profile/security`);
    await page.getByRole('link', { name: 'Nieuwe herstelcodes maken' }).click();
    await page.waitForURL(`${e2e.url}/profile/security/recovery-codes`);
    expect(await page.locator('main').innerText()).toContain('Uw 3 ongebruikte herstelcodes werken daarna niet meer.');
    expect(await prisma.recoveryCode.count({ where: { contactId: jan.id, codeHash: { startsWith: 'old-' } } })).toBe(3);

    await page.getByRole('button', { name: 'Nieuwe herstelcodes maken' }).click();
    expect(await page.locator('h1').innerText()).toBe('Uw herstelcodes');
    expect(await prisma.recoveryCode.count({ where: { contactId: jan.id, codeHash: { startsWith: 'old-' } } })).toBe(0);
    expect(await prisma.recoveryCode.count({ where: { contactId: jan.id } })).toBe(10);
    await page.context().close();
  }, 60_000);
});
