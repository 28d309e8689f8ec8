import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

/** What the next ID token says; a test changes a field to play a provider gone wrong. */
export interface TokenPlan {
  iss?: string;
  aud?: string;
  /** Replace the nonce the app sent with this one. */
  nonce?: string;
  claims?: Record<string, unknown>;
}

/**
 * A hand-made OpenID provider on 127.0.0.1 that signs its ID tokens with a test key (jose):
 * the authorization endpoint answers at once with a code (the person is "already signed in"),
 * the token endpoint returns an ID token built from `plan`. Each code works once.
 */
export async function startFakeIdp(opts: { issuer?: (url: string) => string; clientId: string }) {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'fake', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { nonce: string | null; redirectUri: string }>();
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = opts.issuer ? opts.issuer(url) : url;
  const state = { plan: {} as TokenPlan, tokenRequests: 0 };

  server.on('request', (req, res) => {
    const u = new URL(req.url ?? '/', url);
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (u.pathname.endsWith('/.well-known/openid-configuration')) {
      return json(200, {
        issuer,
        authorization_endpoint: `${url}/authorize`,
        token_endpoint: `${url}/token`,
        jwks_uri: `${url}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_post'],
      });
    }
    if (u.pathname === '/jwks') return json(200, { keys: [jwk] });
    if (u.pathname === '/authorize') {
      const code = randomBytes(16).toString('hex');
      const redirectUri = u.searchParams.get('redirect_uri')!;
      codes.set(code, { nonce: u.searchParams.get('nonce'), redirectUri });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', u.searchParams.get('state') ?? '');
      return res.writeHead(302, { location: back.href }).end();
    }
    if (u.pathname === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        void (async () => {
          state.tokenRequests++;
          const form = new URLSearchParams(body);
          const grant = codes.get(form.get('code') ?? '');
          codes.delete(form.get('code') ?? '');
          if (!grant) return json(400, { error: 'invalid_grant', error_description: 'code unknown or already used' });
          const plan = state.plan;
          const claims = { tid: 'tenant-a', oid: 'oid-1', email: 'nobody@example.nl', xms_edov: true, ...plan.claims };
          const iss = plan.iss ?? issuer.replace('{tenantid}', String(claims.tid));
          const idToken = await new SignJWT({ ...claims, nonce: plan.nonce ?? grant.nonce ?? undefined })
            .setProtectedHeader({ alg: 'RS256', kid: 'fake' })
            .setIssuer(iss)
            .setAudience(plan.aud ?? opts.clientId)
            .setSubject(`pairwise-${String(claims.oid)}`)
            .setIssuedAt()
            .setExpirationTime('5m')
            .sign(privateKey);
          json(200, {
            access_token: randomBytes(16).toString('hex'),
            token_type: 'Bearer',
            expires_in: 300,
            id_token: idToken,
          });
        })();
      });
      return;
    }
    res.writeHead(404).end();
  });

  return {
    url,
    issuer,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
