import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Browser, Page } from 'playwright-core';
import { createTestDb, type TestDb } from '../support/db.js';
import { testApp } from '../support/app.js';
import { launchBrowser } from '../support/browser.js';
import { seedDemo, DEMO_LOGIN, DEMO_PASSWORD } from '../../src/demo/seed.js';
import { LoginPage } from './pages/login-page.js';

/**
 * Passkeys end to end in Chromium with the DevTools virtual authenticator (a platform
 * authenticator with user verification, as a laptop's fingerprint reader): add one on
 * Beveiliging, use it as the second step after the password, log in with it alone, remove it.
 * WebAuthn needs a secure context and a domain as relying party: the app runs as localhost.
 */

let db: TestDb;
let browser: Browser;
let server: Server;
let url: string;

beforeAll(async () => {
  db = await createTestDb();
  await seedDemo(db.prisma);
  let app: Express | undefined;
  server = createServer((req, res) => app!(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://localhost:${(server.address() as AddressInfo).port}`;
  ({ app } = testApp(db, { env: { BASE_URL: url } }));
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await db?.drop();
});

/** A browser tab with a virtual platform authenticator (resident keys, user verification). */
async function pageWithAuthenticator(): Promise<Page & { consoleErrors: string[] }> {
  const page = Object.assign(await browser.newPage({ locale: 'nl-NL' }), { consoleErrors: [] as string[] });
  page.setDefaultTimeout(15_000);
  page.on('console', (m) => m.type() === 'error' && page.consoleErrors.push(m.text()));
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return page;
}

/** Waits for the page to reach `expected`; a timeout says where the page is instead, and what it shows. */
async function arriveAt(page: Page, expected: string): Promise<void> {
  await page.waitForURL(expected).catch(async (e: Error) => {
    const shown = await page
      .locator('main, body')
      .first()
      .innerText()
      .catch(() => '');
    throw new Error(`${e.message}\nThe page is at ${page.url()}, showing:\n${shown.slice(0, 800)}`);
  });
}

async function logOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Uitloggen' }).first().click();
  await page.waitForURL(`${url}/login`);
}

describe('passkeys in Chromium', () => {
  it('add one, use it after the password, log in with it alone, remove it', async () => {
    const page = await pageWithAuthenticator();
    const login = new LoginPage(page);
    await login.open(url);
    await login.logIn(DEMO_LOGIN, DEMO_PASSWORD);
    await page.waitForURL(`${url}/`);

    // Jan is also logged in elsewhere (another browser).
    const elsewhere = await browser.newPage({ locale: 'nl-NL' });
    const otherLogin = new LoginPage(elsewhere);
    await otherLogin.open(url);
    await otherLogin.logIn(DEMO_LOGIN, DEMO_PASSWORD);
    await elsewhere.waitForURL(`${url}/`);

    // Add a passkey on Beveiliging: the page says beforehand that the other sessions end, and afterwards that they did.
    await page.goto(`${url}/profile/security`);
    expect(await page.locator('#passkeys').innerText()).toContain(
      'als u een passkey toevoegt of verwijdert, wordt u voor uw veiligheid uitgelogd op uw andere apparaten en browsers',
    );
    await page.getByLabel('Naam van de nieuwe passkey').fill('Laptop werk');
    await page.getByRole('button', { name: 'Passkey toevoegen' }).click();
    await page.waitForURL(`${url}/profile/security#passkeys`);
    await expect
      .poll(() => page.locator('.notice--success, [role=status]').first().innerText())
      .toContain(
        "De passkey 'Laptop werk' is toegevoegd. Voor uw veiligheid bent u op uw andere apparaten en browsers uitgelogd",
      );
    await elsewhere.goto(`${url}/`);
    expect(elsewhere.url()).toMatch(/\/login/);
    await elsewhere.close();
    expect(await page.locator('#passkeys tbody tr').count()).toBe(1);
    expect(await page.getByLabel('Naam van passkey Laptop werk').inputValue()).toBe('Laptop werk');
    const jan = await db.prisma.contact.findFirstOrThrow({ where: { email: DEMO_LOGIN } });
    expect(await db.prisma.passkey.count({ where: { contactId: jan.id } })).toBe(1);

    // Now the password is followed by a second step: the passkey.
    await logOut(page);
    await login.logIn(DEMO_LOGIN, DEMO_PASSWORD);
    await arriveAt(page, `${url}/login/second-step`);
    await page.getByRole('button', { name: 'Gebruik een passkey' }).click();
    await page.waitForURL(`${url}/`);
    expect(await page.locator('h1').innerText()).toBeTruthy();
    expect((await db.prisma.passkey.findFirstOrThrow({ where: { contactId: jan.id } })).lastUsedAt).not.toBeNull();

    // The passkey alone: no username, no password.
    await logOut(page);
    await page.getByRole('button', { name: 'Inloggen met een passkey' }).click();
    await page.waitForURL(`${url}/`);
    const { rows } = await db.pool.query(
      `SELECT login_method FROM session WHERE contact_id = $1 AND expire >= now() ORDER BY created_at DESC LIMIT 1`,
      [jan.id],
    );
    expect(rows[0].login_method).toBe('passkey');
    await page.goto(`${url}/profile/security`);
    expect(await page.locator('#sessions').innerText()).toContain('Passkey');

    // Remove it (a fresh login counts as confirmation).
    await page.getByRole('button', { name: 'Passkey Laptop werk verwijderen' }).click();
    await page.waitForURL(`${url}/profile/security#passkeys`);
    expect(await page.locator('#passkeys').innerText()).toContain('U heeft nog geen passkeys.');
    expect(await db.prisma.passkey.count({ where: { contactId: jan.id } })).toBe(0);
    const kinds = (
      await db.prisma.auditEvent.findMany({ where: { subjectType: 'passkey' }, orderBy: { id: 'asc' } })
    ).map((a) => a.kind);
    expect(kinds).toEqual(['two_step.passkey_added', 'two_step.passkey_removed']);

    // Without a passkey the passkey login is refused, with a message on the login page.
    await logOut(page);
    await page.getByRole('button', { name: 'Inloggen met een passkey' }).click();
    await expect
      .poll(() => page.locator('main').innerText())
      .toMatch(/Het is niet gelukt met de passkey|Inloggen met de passkey is niet gelukt/);
    expect(page.consoleErrors.filter((e) => !/NotAllowedError|credential/i.test(e))).toEqual([]);
    await page.close();
  }, 120_000);
});
