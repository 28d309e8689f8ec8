import type { Express } from 'express';
import { createTestDb, type TestDb } from './db.js';
import { testApp } from './app.js';
import { startOidcProvider, type TestOidcProvider } from './oidc.js';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { expect } from 'vitest';

export const APP_BASE = 'http://pim.test';

/** The environment that points the app's Microsoft and Google logins at a test provider. */
export function ssoEnv(providerUrl: string, over: Record<string, string> = {}): Record<string, string> {
  return {
    MICROSOFT_CLIENT_ID: 'pim-microsoft',
    MICROSOFT_CLIENT_SECRET: 'microsoft-secret-for-tests',
    MICROSOFT_ISSUER_URL: providerUrl,
    GOOGLE_CLIENT_ID: 'pim-google',
    GOOGLE_CLIENT_SECRET: 'google-secret-for-tests',
    GOOGLE_AUTH_URL: `${providerUrl}/auth`,
    GOOGLE_TOKEN_URL: `${providerUrl}/token`,
    GOOGLE_USERINFO_URL: `${providerUrl}/userinfo`,
    ...over,
  };
}

/** The two clients the app is registered as at the test provider. */
export function ssoClients(appBase = APP_BASE) {
  return [
    {
      clientId: 'pim-microsoft',
      clientSecret: 'microsoft-secret-for-tests',
      redirectUri: `${appBase}/auth/microsoft/callback`,
    },
    { clientId: 'pim-google', clientSecret: 'google-secret-for-tests', redirectUri: `${appBase}/auth/google/callback` },
  ];
}

/** ssoJourney's answer when the callback was followed. */
export async function ssoLogin(
  agent: TestAgent,
  providerUrl: string,
  provider: 'microsoft' | 'google',
  account: string,
): Promise<request.Response> {
  const { res } = await ssoJourney(agent, providerUrl, provider, account);
  return res!;
}

/**
 * Follows the whole redirect journey by hand, as a browser would: the app's /auth/<provider>
 * sends the browser to the provider, whose login form is filled in with `account`; the
 * provider sends the browser back to the app's callback. `idp` is the browser's cookie jar at
 * the provider (a new one is a browser that never signed in there). Returns the app's answer
 * to the callback (unless `follow: false`) and the callback URL (path + query).
 */
export async function ssoJourney(
  agent: TestAgent,
  providerUrl: string,
  provider: 'microsoft' | 'google',
  account: string,
  idp: TestAgent = request.agent(providerUrl),
  opts: { follow?: boolean } = {},
): Promise<{ res: request.Response | undefined; callback: string }> {
  const start = await agent.get(`/auth/${provider}`);
  expect(start.status, start.text).toBe(302);
  let location = String(start.headers.location);
  for (let hop = 0; hop < 12; hop++) {
    if (location.startsWith(APP_BASE)) {
      const callback = location.slice(APP_BASE.length);
      return { res: opts.follow === false ? undefined : await agent.get(callback), callback };
    }
    expect(location.startsWith(providerUrl), location).toBe(true);
    const res = await idp.get(location.slice(providerUrl.length));
    if (res.status === 302 || res.status === 303) {
      location = new URL(String(res.headers.location), providerUrl).href;
      continue;
    }
    const action = /<form method="post" action="([^"]+)"/.exec(res.text)?.[1];
    expect(action, `${res.status} ${res.text}`).toBeTruthy();
    const posted = await idp.post(action!).type('form').send({ login: account });
    expect([302, 303], posted.text).toContain(posted.status);
    location = new URL(String(posted.headers.location), providerUrl).href;
  }
  throw new Error('too many redirects');
}

/** One SSO test file's world: its own database, the in-process provider, the app configured for it. */
export interface SsoTestbed {
  db: TestDb;
  idp: TestOidcProvider;
  app: Express;
  /** Waits for work the app deferred past its responses. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the SSO test world (call in beforeAll; close in afterAll). */
export async function startSsoTestbed(): Promise<SsoTestbed> {
  const db = await createTestDb();
  const idp = await startOidcProvider(ssoClients());
  const { app, settle } = testApp(db, { env: ssoEnv(idp.url) });
  return {
    db,
    idp,
    app,
    settle,
    async close() {
      await idp.close();
      await db.drop();
    },
  };
}
