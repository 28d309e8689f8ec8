import type { Request } from 'express';
import type { Passport } from 'passport';
import * as oidc from 'openid-client';
import { Strategy as OidcStrategy, type AuthenticateOptions } from 'openid-client/passport';
import { Strategy as GoogleStrategy, type Profile, type VerifyCallback } from 'passport-google-oauth20';
import type { GoogleConfig, MicrosoftConfig } from '../../config.js';
import type { ProviderIdentity } from './service.js';

type PassportInstance = InstanceType<typeof Passport>;

/** Thrown by the verify callbacks when the provider's answer lacks what PIM needs. */
export class IdentityError extends Error {}

/**
 * openid-client's strategy adds PKCE always, but state and nonce only in some cases; PIM
 * asks for all three on every request. The strategy keeps them in the browser's session
 * (under `sso:microsoft`) and checks them on the callback: code_verifier, state, and the
 * ID token's nonce.
 */
class PimOidcStrategy extends OidcStrategy {
  override authorizationRequestParams<T extends AuthenticateOptions>(req: Request, options: T): URLSearchParams {
    const params = new URLSearchParams(super.authorizationRequestParams(req, options) as URLSearchParams);
    params.set('state', oidc.randomState());
    params.set('nonce', oidc.randomNonce());
    return params;
  }
}

const truthy = (v: unknown) => v === true || v === 'true' || v === 1 || v === '1';
const str = (v: unknown) => (typeof v === 'string' && v ? v : null);

/**
 * The identity in an Entra ID token. The subject is tenant id + object id (`tid:oid`), both
 * immutable; the e-mail counts as verified only with the `xms_edov` claim (Microsoft's
 * "email domain owner verified"), because Entra's `email` claim is an editable attribute
 * (the "nOAuth" flaw).
 */
export function entraIdentity(claims: Record<string, unknown>, issuerTemplate: string): ProviderIdentity {
  const tid = str(claims.tid);
  const oid = str(claims.oid);
  if (!tid || !oid) throw new IdentityError('ID token without tid or oid');
  // openid-client already compared iss with the issuer (with {tenantid} filled in from tid
  // for the multi-tenant endpoints); this repeats it so the rule is visible here.
  if (claims.iss !== issuerTemplate.replace('{tenantid}', tid))
    throw new IdentityError('issuer does not match the tenant');
  return {
    provider: 'MICROSOFT',
    subject: `${tid}:${oid}`,
    email: str(claims.email),
    emailVerified: truthy(claims.xms_edov),
  };
}

/** The identity in Google's userinfo: `sub`, and the e-mail only with `email_verified`. */
export function googleIdentity(json: Record<string, unknown>): ProviderIdentity {
  const sub = str(json.sub);
  if (!sub) throw new IdentityError('userinfo without sub');
  return { provider: 'GOOGLE', subject: sub, email: str(json.email), emailVerified: truthy(json.email_verified) };
}

/** Test hook: routes the providers' HTTP calls elsewhere (loopback) and allows plain http. */
export interface ProviderFetch {
  fetch: typeof fetch;
}

/**
 * Registers the Microsoft strategy on first use: discovery needs Microsoft to answer, and a
 * start-up that waits for it would fail while Microsoft is unreachable. Returns a function
 * that resolves once the strategy is ready; a failed discovery is retried on the next use.
 */
export function microsoftStrategy(
  passport: PassportInstance,
  cfg: MicrosoftConfig,
  callbackURL: string,
  hook?: ProviderFetch,
): () => Promise<void> {
  let ready: Promise<void> | undefined;
  const discover = async () => {
    const issuer = new URL(cfg.issuerUrl);
    const insecure = issuer.protocol === 'http:' || !!hook;
    const config = await oidc.discovery(issuer, cfg.clientId, cfg.clientSecret, undefined, {
      timeout: 10,
      execute: insecure ? [oidc.allowInsecureRequests] : [],
      ...(hook ? { [oidc.customFetch]: hook.fetch } : {}),
    });
    const template = config.serverMetadata().issuer;
    const strategy = new PimOidcStrategy(
      { config, name: 'microsoft', sessionKey: 'sso:microsoft', callbackURL, scope: 'openid profile email' },
      (tokens, verified) => {
        try {
          verified(null, entraIdentity(tokens.claims() ?? {}, template) as unknown as Express.User);
        } catch (e) {
          verified(e);
        }
      },
    );
    passport.use('microsoft', strategy);
  };
  return () =>
    (ready ??= discover().catch((e: unknown) => {
      ready = undefined;
      throw e;
    }));
}

/**
 * Google through passport-google-oauth20 with state and PKCE in the session. It does not
 * verify an ID token: the identity comes from the userinfo endpoint, fetched over TLS with
 * the access token that the code exchange (authenticated with the client secret) returned.
 */
export function registerGoogle(passport: PassportInstance, cfg: GoogleConfig, callbackURL: string): void {
  const strategy = new GoogleStrategy(
    {
      clientID: cfg.clientId,
      clientSecret: cfg.clientSecret,
      callbackURL,
      authorizationURL: cfg.authUrl,
      tokenURL: cfg.tokenUrl,
      userProfileURL: cfg.userinfoUrl,
      scope: ['openid', 'email', 'profile'],
      state: true,
      pkce: true,
      sessionKey: 'sso:google',
    },
    (_accessToken: string, _refreshToken: string, profile: Profile, done: VerifyCallback) => {
      try {
        // Passport calls the result "user"; here it is the provider identity, which the
        // callback route turns into a contact (or a refusal).
        done(null, googleIdentity(profile._json ?? {}) as unknown as Express.User);
      } catch (e) {
        done(e);
      }
    },
  );
  // The access token goes in the Authorization header, not the userinfo URL's query string
  // (where proxies and logs would keep it).
  (
    strategy as unknown as { _oauth2: { useAuthorizationHeaderforGET(on: boolean): void } }
  )._oauth2.useAuthorizationHeaderforGET(true);
  passport.use('google', strategy);
}
