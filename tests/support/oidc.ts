import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration } from 'oidc-provider';
import { exportJWK, generateKeyPair } from 'jose';

/** A person at the test provider: the claims it hands out (Entra-like tid/oid, or Google-like). */
export interface TestAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
  tid?: string;
  oid?: string;
  xms_edov?: boolean;
}

export interface TestClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

/** A running OpenID provider on 127.0.0.1 (oidc-provider), playing Microsoft and Google. */
export interface TestOidcProvider {
  url: string;
  accounts: Map<string, TestAccount>;
  close(): Promise<void>;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Starts oidc-provider in this process on a free loopback port. Its login interaction is a
 * minimal form ("Account" + "Sign in") that logs in the account typed; consent is granted
 * automatically (loadExistingGrant), as an organisation's admin consent would.
 */
export async function startOidcProvider(clients: TestClient[]): Promise<TestOidcProvider> {
  const accounts = new Map<string, TestAccount>();
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'test-key', use: 'sig', alg: 'RS256' };

  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const config: Configuration = {
    clients: clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: [c.redirectUri],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_post',
    })),
    jwks: { keys: [jwk] },
    cookies: { keys: ['pim-test-provider-cookie-key'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'tid', 'oid', 'xms_edov'] },
    // The ID token carries the scope's claims too (Entra puts tid, oid, email in it).
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    routes: { userinfo: '/userinfo' },
    pkce: { required: () => true },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      const a = accounts.get(sub);
      if (!a) return undefined;
      return { accountId: sub, claims: () => ({ sub, ...a }) };
    },
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session!.accountId!,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  };
  const provider = new Provider(url, config);

  server.on('request', (req, res) => {
    const m = /^\/interaction\/([\w-]+)(\/login)?$/.exec(req.url ?? '');
    if (!m) return void provider.callback()(req, res);
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'POST' && m[2]) {
        const body = await new Promise<string>((resolve) => {
          let b = '';
          req.on('data', (c: Buffer) => (b += c.toString()));
          req.on('end', () => resolve(b));
        });
        const login = new URLSearchParams(body).get('login') ?? '';
        if (!accounts.has(login)) {
          res.writeHead(200, { 'content-type': 'text/html' }).end(form(details.uid, 'Unknown account'));
          return;
        }
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId: login } },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html' }).end(form(details.uid));
    })().catch((e: unknown) => {
      res.writeHead(500).end(String(e));
    });
  });

  return {
    url,
    accounts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function form(uid: string, error?: string): string {
  return `<!DOCTYPE html><html lang="en"><head><title>Test provider</title></head><body>
<h1>Test provider</h1>${error ? `<p role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login">
<label for="login">Account</label> <input id="login" name="login" autofocus>
<button type="submit">Sign in</button></form></body></html>`;
}
