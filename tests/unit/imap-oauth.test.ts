import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { ConfigError, loadConfig } from '../../src/config.js';
import { accessTokenSource, ImapTokenError, type ImapOAuth } from '../../src/mail/imap-oauth.js';

const base = { NODE_ENV: 'test', INBOUND_MAIL_DOMAIN: 'reply.pim.test' };
const MAILBOX_URL = 'imaps://replies%40example.nl@outlook.office365.com/INBOX';
const microsoft = {
  ...base,
  INBOUND_IMAP_URL: MAILBOX_URL,
  INBOUND_IMAP_AUTH: 'oauth2-microsoft',
  INBOUND_IMAP_OAUTH_TENANT_ID: '0b5e7c2a-1111-4222-8333-944455556666',
  INBOUND_IMAP_OAUTH_CLIENT_ID: 'app-id',
  INBOUND_IMAP_OAUTH_CLIENT_SECRET: 'test-only-secret',
};
const pem = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const google = {
  ...base,
  INBOUND_IMAP_URL: 'imaps://replies%40example.nl@imap.gmail.com/INBOX',
  INBOUND_IMAP_AUTH: 'oauth2-google',
};
const imapAuth = (env: Record<string, string>) => loadConfig(env).inbound!.imap!.auth;

describe('IMAP login settings', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pim-imap-oauth-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('password login stays the default and needs the password in the URL', () => {
    expect(imapAuth({ ...base, INBOUND_IMAP_URL: 'imaps://pim:secret@mail.example.nl/INBOX' })).toEqual({
      kind: 'password',
    });
    expect(() => loadConfig({ ...base, INBOUND_IMAP_URL: 'imaps://pim@mail.example.nl/INBOX' })).toThrow(
      /INBOUND_IMAP_URL: must carry the password .*INBOUND_IMAP_AUTH=oauth2-microsoft or oauth2-google/,
    );
    expect(() => loadConfig({ ...base, INBOUND_IMAP_URL: MAILBOX_URL, INBOUND_IMAP_AUTH: 'kerberos' })).toThrow(
      /INBOUND_IMAP_AUTH/,
    );
  });

  it('Microsoft 365: the tenant gives the token endpoint; the secret, the client and an address are required', () => {
    expect(imapAuth(microsoft)).toEqual({
      kind: 'oauth2-microsoft',
      tokenUrl: 'https://login.microsoftonline.com/0b5e7c2a-1111-4222-8333-944455556666/oauth2/v2.0/token',
      clientId: 'app-id',
      clientSecret: 'test-only-secret',
      scope: 'https://outlook.office365.com/.default',
    });
    // A sovereign cloud: its own token endpoint and scope, no tenant needed.
    expect(
      imapAuth({
        ...microsoft,
        INBOUND_IMAP_OAUTH_TENANT_ID: '',
        INBOUND_IMAP_OAUTH_TOKEN_URL: 'https://login.microsoftonline.us/contoso.onmicrosoft.us/oauth2/v2.0/token',
        INBOUND_IMAP_OAUTH_SCOPE: 'https://outlook.office365.us/.default',
      }),
    ).toMatchObject({
      tokenUrl: 'https://login.microsoftonline.us/contoso.onmicrosoft.us/oauth2/v2.0/token',
      scope: 'https://outlook.office365.us/.default',
    });
    expect(() => loadConfig({ ...microsoft, INBOUND_IMAP_OAUTH_CLIENT_SECRET: '' })).toThrow(
      /INBOUND_IMAP_OAUTH_CLIENT_SECRET: required with INBOUND_IMAP_AUTH=oauth2-microsoft/,
    );
    expect(() => loadConfig({ ...microsoft, INBOUND_IMAP_OAUTH_CLIENT_ID: '' })).toThrow(
      /INBOUND_IMAP_OAUTH_CLIENT_ID: required/,
    );
    expect(() => loadConfig({ ...microsoft, INBOUND_IMAP_OAUTH_TENANT_ID: '' })).toThrow(
      /INBOUND_IMAP_OAUTH_TENANT_ID: required .*unless INBOUND_IMAP_OAUTH_TOKEN_URL/,
    );
    expect(() =>
      loadConfig({ ...microsoft, INBOUND_IMAP_URL: 'imaps://replies%40example.nl:pw@outlook.office365.com/INBOX' }),
    ).toThrow(/INBOUND_IMAP_URL: has a password, which oauth2-microsoft does not use/);
    expect(() => loadConfig({ ...microsoft, INBOUND_IMAP_URL: 'imaps://replies@outlook.office365.com/INBOX' })).toThrow(
      /INBOUND_IMAP_URL: with oauth2-microsoft the user is the mailbox address/,
    );
    expect(() => loadConfig({ ...microsoft, INBOUND_IMAP_OAUTH_TOKEN_URL: 'http://login.example.nl/token' })).toThrow(
      /INBOUND_IMAP_OAUTH_TOKEN_URL: must be an https URL/,
    );
  });

  it('Google Workspace: the JSON key file, or its client_email and private_key; a bad key is named, never shown', () => {
    const key = {
      type: 'service_account',
      private_key_id: 'k1',
      private_key: pem,
      client_email: 'pim@proj.iam.gserviceaccount.com',
      token_uri: 'https://oauth2.googleapis.com/token',
    };
    expect(imapAuth({ ...google, INBOUND_IMAP_OAUTH_KEY_FILE: file('key.json', JSON.stringify(key)) })).toMatchObject({
      kind: 'oauth2-google',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      clientEmail: 'pim@proj.iam.gserviceaccount.com',
      keyId: 'k1',
      scope: 'https://mail.google.com/',
    });
    // The two fields, the key's line breaks written as \n (one line in an .env file).
    expect(
      imapAuth({
        ...google,
        INBOUND_IMAP_OAUTH_CLIENT_EMAIL: 'pim@proj.iam.gserviceaccount.com',
        INBOUND_IMAP_OAUTH_PRIVATE_KEY: pem.replace(/\n/g, '\\n'),
      }),
    ).toMatchObject({ kind: 'oauth2-google', tokenUrl: 'https://oauth2.googleapis.com/token', keyId: undefined });

    const fails = (env: Record<string, string>, re: RegExp) => {
      let err: unknown;
      try {
        loadConfig({ ...google, ...env });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(re);
      expect((err as Error).message).not.toContain('PRIVATE KEY-----\n');
    };
    fails({}, /INBOUND_IMAP_OAUTH_CLIENT_EMAIL: required with INBOUND_IMAP_AUTH=oauth2-google/);
    fails(
      { INBOUND_IMAP_OAUTH_CLIENT_EMAIL: 'pim@proj.iam.gserviceaccount.com' },
      /INBOUND_IMAP_OAUTH_PRIVATE_KEY: required/,
    );
    fails(
      { INBOUND_IMAP_OAUTH_CLIENT_EMAIL: 'pim@proj.iam.gserviceaccount.com', INBOUND_IMAP_OAUTH_PRIVATE_KEY: 'abc' },
      /INBOUND_IMAP_OAUTH_PRIVATE_KEY: the private key is not a PEM private key/,
    );
    fails({ INBOUND_IMAP_OAUTH_KEY_FILE: path.join(dir, 'missing.json') }, /INBOUND_IMAP_OAUTH_KEY_FILE: cannot read/);
    fails({ INBOUND_IMAP_OAUTH_KEY_FILE: file('bad.json', '{') }, /INBOUND_IMAP_OAUTH_KEY_FILE: .*not JSON/);
    fails(
      { INBOUND_IMAP_OAUTH_KEY_FILE: file('user.json', JSON.stringify({ ...key, type: 'authorized_user' })) },
      /INBOUND_IMAP_OAUTH_KEY_FILE: not a service account key/,
    );
    fails(
      { INBOUND_IMAP_OAUTH_KEY_FILE: file('ec.json', JSON.stringify({ ...key, private_key: ecPem() })) },
      /must be an RSA key/,
    );
    fails(
      {
        INBOUND_IMAP_OAUTH_KEY_FILE: file('both.json', JSON.stringify(key)),
        INBOUND_IMAP_OAUTH_CLIENT_EMAIL: 'pim@proj.iam.gserviceaccount.com',
      },
      /set either the key file or/,
    );
  });
});

function ecPem() {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
}

describe('the token request', () => {
  let server: http.Server;
  let url: string;
  const seen: URLSearchParams[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push(new URLSearchParams(body));
        if (req.url === '/slow') return; // never answers
        if (req.url === '/stalls') {
          // The status and the first bytes of the JSON, then nothing.
          res.writeHead(200, { 'content-type': 'application/json' });
          return void res.write('{"access_token":');
        }
        if (req.url === '/broken') {
          res.writeHead(502, { 'content-type': 'text/html' });
          return res.end('<html>Bad gateway</html>');
        }
        if (req.url === '/mac') {
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ access_token: 'x', token_type: 'mac' }));
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: `token-${seen.length}`, token_type: 'Bearer', expires_in: 600 }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const ms = (tokenUrl: string): ImapOAuth => ({
    kind: 'oauth2-microsoft',
    tokenUrl,
    clientId: 'app',
    clientSecret: 's3cret',
    scope: 'https://outlook.office365.com/.default',
  });
  const t0 = new Date('2026-03-02T09:00:00Z');
  const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

  it('sends the client-credentials grant, shares one request between callers, refreshes at half a short lifetime', async () => {
    seen.length = 0;
    const source = accessTokenSource(ms(`${url}/token`), 'replies@example.nl');
    expect(await Promise.all([source.get(t0), source.get(t0)])).toEqual(['token-1', 'token-1']);
    expect(Object.fromEntries(seen[0]!)).toEqual({
      grant_type: 'client_credentials',
      client_id: 'app',
      client_secret: 's3cret',
      scope: 'https://outlook.office365.com/.default',
    });
    // expires_in 600: kept 300 s (the margin is at most half the lifetime).
    expect(await source.get(at(4))).toBe('token-1');
    expect(await source.get(at(5))).toBe('token-2');
    source.forget();
    expect(await source.get(at(6))).toBe('token-3');
  });

  it('signs the Google assertion for the mailbox (RS256, aud = token URL, one hour)', async () => {
    seen.length = 0;
    const { createPrivateKey } = await import('node:crypto');
    const source = accessTokenSource(
      {
        kind: 'oauth2-google',
        tokenUrl: `${url}/token`,
        clientEmail: 'pim@proj.iam.gserviceaccount.com',
        privateKey: createPrivateKey(pem),
        keyId: 'k1',
        scope: 'https://mail.google.com/',
      },
      'replies@example.nl',
    );
    await source.get(t0);
    expect(seen[0]!.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const assertion = seen[0]!.get('assertion')!;
    expect(decodeProtectedHeader(assertion)).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'k1' });
    const iat = t0.getTime() / 1000;
    expect(decodeJwt(assertion)).toEqual({
      iss: 'pim@proj.iam.gserviceaccount.com',
      sub: 'replies@example.nl',
      aud: `${url}/token`,
      scope: 'https://mail.google.com/',
      iat,
      exp: iat + 3600,
    });
  });

  it('a slow, unreachable or broken endpoint is an ImapTokenError that names it, without the secret', async () => {
    const fails = async (tokenUrl: string, re: RegExp) => {
      const err = await accessTokenSource(ms(tokenUrl), 'replies@example.nl', { timeoutMs: 200 })
        .get(t0)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ImapTokenError);
      expect((err as Error).message).toMatch(re);
      expect((err as Error).message).not.toContain('s3cret');
    };
    await fails(`${url}/slow`, /^token endpoint 127\.0\.0\.1:\d+ unreachable: no answer within 0\.2 s$/);
    await fails(`${url}/stalls`, /^token endpoint 127\.0\.0\.1:\d+ unreachable: no answer within 0\.2 s$/);
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await fails(`http://127.0.0.1:${port}/token`, /unreachable: .*ECONNREFUSED/);
    await fails(`${url}/broken`, /refused \(HTTP 502\)$/);
    await fails(`${url}/mac`, /gave a mac token, not a Bearer token/);
  });
});
