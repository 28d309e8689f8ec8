import type { KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';

/** How the poller logs in to the mailbox (INBOUND_IMAP_AUTH and its INBOUND_IMAP_OAUTH_* settings). */
export type ImapAuth =
  | { kind: 'password' }
  | {
      /** Microsoft 365: an app registration's client-credentials grant (IMAP.AccessAsApp). */
      kind: 'oauth2-microsoft';
      tokenUrl: string;
      clientId: string;
      clientSecret: string;
      scope: string;
    }
  | {
      /** Google Workspace: a service account with domain-wide delegation, JWT-bearer grant (RFC 7523). */
      kind: 'oauth2-google';
      tokenUrl: string;
      clientEmail: string;
      privateKey: KeyObject;
      /** The key's id (private_key_id of the key file), sent as the JWT's kid when known. */
      keyId: string | undefined;
      scope: string;
    };

/** The OAuth2 kinds of ImapAuth. */
export type ImapOAuth = Exclude<ImapAuth, { kind: 'password' }>;

/** Microsoft's token endpoint for a tenant (v2.0, client credentials). */
export const microsoftTokenUrl = (tenant: string) =>
  `https://login.microsoftonline.com/${encodeURIComponent(tenant)}/oauth2/v2.0/token`;
/** Google's token endpoint (the token_uri of a service-account key file). */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
/** The scope that lets an app token log in to Exchange Online's IMAP. */
export const MICROSOFT_IMAP_SCOPE = 'https://outlook.office365.com/.default';
/** The scope that lets a token log in to Gmail's IMAP. */
export const GOOGLE_IMAP_SCOPE = 'https://mail.google.com/';

/** A token endpoint that gave no token (refused, unreachable, timed out, or an unreadable answer). */
export class ImapTokenError extends Error {
  override name = 'ImapTokenError';
}

/** An access token for the mailbox, fetched when needed and reused until shortly before it expires. */
export interface AccessTokenSource {
  /** A token valid at `now` (from the cache, or fetched); throws ImapTokenError when none can be had. */
  get(now: Date): Promise<string>;
  /** Drops the cached token (the server refused it: revoked or expired early), so the next get() fetches. */
  forget(): void;
}

/** How long a token request may take before the round gives up. */
const TOKEN_TIMEOUT_MS = 15_000;
/** A token is replaced this long before it expires (at most half its lifetime), so no login races its end. */
const REFRESH_MARGIN_S = 300;
/** Assumed lifetime when the endpoint names none (both providers give one hour). */
const DEFAULT_LIFETIME_S = 3600;

/**
 * The token source for one poller (one instance): each instance fetches and caches its own token;
 * no instance needs another's. Calls made while a request is under way share that request.
 */
export function accessTokenSource(
  auth: ImapOAuth,
  mailbox: string,
  opts: { timeoutMs?: number; fetch?: typeof fetch } = {},
): AccessTokenSource {
  let cached: { token: string; refreshAt: number } | undefined;
  let inFlight: Promise<string> | undefined;
  const timeoutMs = opts.timeoutMs ?? TOKEN_TIMEOUT_MS;
  const doFetch = opts.fetch ?? fetch;

  const request = async (now: Date): Promise<string> => {
    const form = new URLSearchParams(
      auth.kind === 'oauth2-microsoft'
        ? {
            grant_type: 'client_credentials',
            client_id: auth.clientId,
            client_secret: auth.clientSecret,
            scope: auth.scope,
          }
        : {
            grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
            assertion: await googleAssertion(auth, mailbox, now),
          },
    );
    const answer = await tokenRequest(doFetch, auth.tokenUrl, form, timeoutMs);
    const lifetime = answer.expiresIn ?? DEFAULT_LIFETIME_S;
    const margin = Math.min(REFRESH_MARGIN_S, lifetime / 2);
    cached = { token: answer.accessToken, refreshAt: now.getTime() + (lifetime - margin) * 1000 };
    return answer.accessToken;
  };

  return {
    get(now) {
      if (cached && now.getTime() < cached.refreshAt) return Promise.resolve(cached.token);
      inFlight ??= request(now).finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    forget() {
      cached = undefined;
    },
  };
}

/**
 * The service account's assertion (RFC 7523, as Google documents it for domain-wide delegation):
 * signed RS256 with its private key, for `sub` = the mailbox, valid one hour.
 */
async function googleAssertion(auth: Extract<ImapOAuth, { kind: 'oauth2-google' }>, mailbox: string, now: Date) {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ scope: auth.scope })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(auth.keyId ? { kid: auth.keyId } : {}) })
    .setIssuer(auth.clientEmail)
    .setSubject(mailbox)
    .setAudience(auth.tokenUrl)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(auth.privateKey);
}

/** One token request (RFC 6749 5.1/5.2): the token and its lifetime, or an ImapTokenError naming why. */
async function tokenRequest(
  doFetch: typeof fetch,
  url: string,
  form: URLSearchParams,
  timeoutMs: number,
): Promise<{ accessToken: string; expiresIn: number | undefined }> {
  const where = new URL(url).host;
  let res: Response;
  try {
    res = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form,
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const e = err as Error;
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : (e.cause as Error)?.message;
    throw new ImapTokenError(`token endpoint ${where} unreachable: ${why ?? e.message}`);
  }
  let body: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = await res.json();
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch (err) {
    // The time ran out while the answer was read: said as such, not as a refusal with its status.
    if ((err as Error).name === 'TimeoutError')
      throw new ImapTokenError(`token endpoint ${where} unreachable: no answer within ${timeoutMs / 1000} s`);
    // Not JSON: named below by its status.
  }
  if (!res.ok || !body) {
    // error and error_description name the cause (invalid_client, unauthorized_client...) and carry no secret.
    const code = typeof body?.error === 'string' ? body.error : `HTTP ${res.status}`;
    const detail =
      typeof body?.error_description === 'string' ? `: ${body.error_description.split(/\r?\n/)[0]!.slice(0, 300)}` : '';
    throw new ImapTokenError(`token endpoint ${where} refused (${code})${detail}`);
  }
  const accessToken = body.access_token;
  const tokenType = body.token_type;
  if (typeof accessToken !== 'string' || !accessToken)
    throw new ImapTokenError(`token endpoint ${where} answered without an access_token`);
  if (typeof tokenType === 'string' && tokenType.toLowerCase() !== 'bearer')
    throw new ImapTokenError(`token endpoint ${where} gave a ${tokenType} token, not a Bearer token`);
  const expiresIn = Number(body.expires_in);
  return { accessToken, expiresIn: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : undefined };
}
