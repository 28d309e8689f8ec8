import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Express } from 'express';
import { createTestDb, type TestDb } from '../support/db.js';
import { testApp } from '../support/app.js';
import { launchBrowser } from '../support/browser.js';
import { makeOrg, makePerson } from '../support/factories.js';
import { startOidcProvider, type TestOidcProvider } from '../support/oidc.js';
import { ssoClients, ssoEnv } from '../support/sso.js';
import { LoginPage } from './pages/login-page.js';
import { ProviderSignIn } from './pages/sso-pages.js';

let db: TestDb;
let browser: Browser;
let idp: TestOidcProvider;
let server: http.Server;
let base: string;

beforeAll(async () => {
  db = await createTestDb();
  // The redirect URI must name the app's real address, so the port is known before the app is built.
  let app: Express | undefined;
  server = http.createServer((req, res) => app!(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  idp = await startOidcProvider(ssoClients(base));
  ({ app } = testApp(db, { env: { ...ssoEnv(idp.url), BASE_URL: base } }));
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await idp?.close();
  await db?.drop();
});

describe('in Chromium', () => {
  it('a person logs in with Microsoft 365 at the provider, is linked, sees and unlinks the login', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id, {
      firstName: 'Kim',
      lastName: 'Sanders',
      roles: ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA'],
    });
    idp.accounts.set('kim', {
      email: p.email!,
      tid: 'tenant-e2e',
      oid: 'oid-kim',
      xms_edov: true,
      name: 'Kim Sanders',
    });
    const page = await browser.newPage({ locale: 'nl-NL' });
    const errors: string[] = [];
    // The app's pages only (the test provider has no favicon).
    page.on(
      'console',
      (m) =>
        m.type() === 'error' && m.location().url.startsWith(base) && errors.push(`${m.location().url}: ${m.text()}`),
    );

    await new LoginPage(page).open(base);
    await page.getByRole('link', { name: 'Inloggen met Microsoft 365' }).click();
    await page.waitForURL(`${idp.url}/**`);
    await new ProviderSignIn(page).signInAs('kim');
    await page.waitForURL(`${base}/`);
    const body = await page.locator('body').innerText();
    expect(body).toContain('Hallo Kim Sanders');
    expect(body).toContain('Uw Microsoft-account is nu gekoppeld aan PIM.');

    await page.goto(`${base}/profile/logins`);
    await expect(page.getByRole('heading', { name: 'Inlogmethoden' }).isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Microsoft 365 ontkoppelen' }).click();
    await expect(page.getByRole('status').innerText()).resolves.toContain('Uw Microsoft-account is ontkoppeld.');
    expect(await db.prisma.externalLogin.count({ where: { contactId: p.id } })).toBe(0);
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });

  it('a Google account no contact has gets the refusal page with a way back', async () => {
    idp.accounts.set('stranger', { email: 'stranger@gmail.example', email_verified: true });
    const page = await browser.newPage({ locale: 'nl-NL' });
    await new LoginPage(page).open(base);
    await page.getByRole('link', { name: 'Inloggen met Google' }).click();
    await new ProviderSignIn(page).signInAs('stranger');
    await page.waitForURL(`${base}/auth/google/callback**`);
    await expect(page.getByRole('heading', { name: 'Inloggen is niet gelukt' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('alert').innerText()).resolves.toContain(
      'Er is geen PIM-account dat u met dit Google-account kunt gebruiken.',
    );
    await page.getByRole('link', { name: 'Terug naar de inlogpagina' }).click();
    await page.waitForURL(`${base}/login`);
    await page.close();
  });
});
