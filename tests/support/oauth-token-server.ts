import http from 'node:http';
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';

/** What the tests' token endpoint plays: Microsoft's client credentials and Google's JWT-bearer grant. */
export interface TestTokenServer {
  /** POST here for a token (both grants). */
  tokenUrl: string;
  /** RFC 7662 introspection, for Dovecot's oauth2 passdb (POST token=…). */
  introspectionUrl: string;
  /** The app registration the endpoint knows (Microsoft). */
  microsoft: { clientId: string; clientSecret: string };
  /** The service account the endpoint knows (Google): its key as Google's JSON key file has it. */
  google: { clientEmail: string; privateKeyPem: string; keyFile: (tokenUri: string) => string };
  /** Token requests received (answered or refused). */
  requests: number;
  /** Tokens issued. */
  issued: number;
  /** Every token issued so far is inactive from now on (revoked, or expired at the provider). */
  revokeAll(): void;
  /** The lifetime (expires_in, seconds) of the tokens issued from now on. */
  lifetimeSeconds: number;
  close(): Promise<void>;
}

const MICROSOFT_SCOPE = 'https://outlook.office365.com/.default';
const GOOGLE_SCOPE = 'https://mail.google.com/';

/**
 * A small OAuth2 token endpoint on 127.0.0.1: it checks the client secret (client_credentials) or
 * verifies the service account's JWT (RS256 with the account's public key, iss, aud, sub, scope,
 * times: RFC 7523) and issues opaque tokens for `mailbox`, and answers Dovecot's introspection.
 * (oidc-provider, which the SSO tests run, has no JWT-bearer grant and no way to revoke or count.)
 * `now` is the test's clock, so the JWT's times are checked against it.
 */
export async function startTokenServer(mailbox: string, now: () => Date): Promise<TestTokenServer> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const tokens = new Map<string, { username: string; active: boolean }>();
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const state: TestTokenServer = {
    tokenUrl: `${base}/token`,
    introspectionUrl: `${base}/introspect`,
    microsoft: { clientId: '3f1c0d5e-test-app', clientSecret: 'test-only-client-secret' },
    google: {
      clientEmail: 'pim-imap@pim-test.iam.gserviceaccount.com',
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      keyFile: (tokenUri) =>
        JSON.stringify({
          type: 'service_account',
          project_id: 'pim-test',
          private_key_id: 'test-key-1',
          private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
          client_email: 'pim-imap@pim-test.iam.gserviceaccount.com',
          client_id: '100000000000000000001',
          token_uri: tokenUri,
        }),
    },
    requests: 0,
    issued: 0,
    lifetimeSeconds: 3600,
    revokeAll: () => tokens.forEach((t) => (t.active = false)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  const issue = (res: http.ServerResponse, username: string) => {
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, { username, active: true });
    state.issued += 1;
    json(res, 200, { token_type: 'Bearer', expires_in: state.lifetimeSeconds, access_token: token });
  };

  server.on('request', (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      if (req.method === 'POST' && req.url === '/introspect') {
        const t = tokens.get(form.get('token') ?? '');
        return json(res, 200, t?.active ? { active: true, username: t.username } : { active: false });
      }
      if (req.method !== 'POST' || req.url !== '/token') return json(res, 404, { error: 'not_found' });
      state.requests += 1;
      void grant(form).then(
        (username) => issue(res, username),
        (err: unknown) =>
          err instanceof Refusal
            ? json(res, err.status, { error: err.error, error_description: err.message })
            : json(res, 500, { error: 'server_error', error_description: String(err) }),
      );
    });
  });

  async function grant(form: URLSearchParams): Promise<string> {
    const refuse = (status: number, error: string, description: string) => new Refusal(status, error, description);
    const type = form.get('grant_type');
    if (type === 'client_credentials') {
      if (form.get('client_id') !== state.microsoft.clientId)
        throw refuse(400, 'unauthorized_client', 'AADSTS700016: Application not found in the directory.');
      if (form.get('client_secret') !== state.microsoft.clientSecret)
        throw refuse(401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided.');
      if (form.get('scope') !== MICROSOFT_SCOPE) throw refuse(400, 'invalid_scope', 'AADSTS70011: invalid scope.');
      // The app was given this mailbox (Add-MailboxPermission): its token logs in as it.
      return mailbox;
    }
    if (type === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      const claims = await verifyAssertion(form.get('assertion') ?? '', publicKey, state, now).catch(() => {
        throw refuse(400, 'invalid_grant', 'Invalid JWT Signature.');
      });
      if (claims.scope !== GOOGLE_SCOPE) throw refuse(400, 'invalid_scope', 'Invalid OAuth scope.');
      // Domain-wide delegation for the mailbox's domain only.
      if (claims.sub !== mailbox) throw refuse(401, 'unauthorized_client', 'Client is unauthorized for this user.');
      return mailbox;
    }
    throw refuse(400, 'unsupported_grant_type', `Unsupported grant_type ${type ?? ''}`);
  }

  return state;
}

/** The endpoint's error answer (RFC 6749 5.2). */
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    description: string,
  ) {
    super(description);
  }
}

async function verifyAssertion(assertion: string, key: KeyObject, state: TestTokenServer, now: () => Date) {
  const { payload } = await jwtVerify(assertion, key, {
    algorithms: ['RS256'],
    issuer: state.google.clientEmail,
    audience: state.tokenUrl,
    currentDate: now(),
    maxTokenAge: '1h',
    requiredClaims: ['iat', 'exp', 'sub'],
  });
  if (payload.exp! - payload.iat! > 3600) throw new Error('lives longer than an hour');
  return payload;
}

function json(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
