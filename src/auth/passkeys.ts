import { randomBytes } from 'node:crypto';
import type { Request } from 'express';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { PrismaClient, Tx } from '../db/client.js';
import type { Clock } from '../clock.js';

/** The relying party: the portal's host and origin from BASE_URL (never from the request's Host header). */
export interface RelyingParty {
  id: string;
  origin: string;
  name: string;
}

/** The relying party of a base URL. */
export function relyingParty(baseUrl: string): RelyingParty {
  const u = new URL(baseUrl);
  return { id: u.hostname, origin: u.origin, name: 'PIM' };
}

// The WebAuthn library (with its certificate and CBOR code) loads on the first passkey operation, not at the start.
const webauthn = () => import('@simplewebauthn/server');

type Purpose = 'register' | 'login' | 'second-step' | 'confirm';
const CHALLENGE_MS = 5 * 60_000;

/** Keeps the challenge this browser was given (one at a time, five minutes), and the user handle of a registration. */
function keepChallenge(req: Request, clock: Clock, challenge: string, purpose: Purpose, handle?: string): void {
  req.session.webauthn = { challenge, purpose, at: clock.now().getTime(), ...(handle ? { handle } : {}) };
}

/** Takes the browser's challenge for `purpose` (it is used once, whatever the outcome); null when there is none. */
export function takeChallenge(
  req: Request,
  clock: Clock,
  purpose: Purpose,
): { challenge: string; handle?: string } | null {
  const c = req.session.webauthn;
  delete req.session.webauthn;
  if (!c || c.purpose !== purpose || clock.now().getTime() - c.at > CHALLENGE_MS) return null;
  return { challenge: c.challenge, handle: c.handle };
}

const transportsOf = (s: string) => (s ? s.split(',') : []) as ('usb' | 'nfc' | 'ble' | 'internal' | 'hybrid')[];

/** Options for adding a passkey (a discoverable credential, so it can also log in without a username). */
export async function registrationOptions(
  prisma: PrismaClient,
  req: Request,
  clock: Clock,
  rp: RelyingParty,
  person: { id: number; email: string; displayName: string },
) {
  const existing = await prisma.passkey.findMany({
    where: { contactId: person.id },
    select: { credentialId: true, transports: true, userHandle: true },
    take: 100,
  });
  const handle = existing[0]?.userHandle ?? randomBytes(32).toString('base64url');
  const { generateRegistrationOptions } = await webauthn();
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: person.email,
    userDisplayName: person.displayName,
    userID: new Uint8Array(Buffer.from(handle, 'base64url')),
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: transportsOf(p.transports) })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
  });
  keepChallenge(req, clock, options.challenge, 'register', handle);
  return options;
}

/** Checks a new passkey from the browser and stores it; false when it does not verify. */
export async function registerPasskey(
  db: Tx | PrismaClient,
  rp: RelyingParty,
  opts: { contactId: number; challenge: string; handle: string; response: unknown; name: string; now: Date },
): Promise<{ id: number } | null> {
  const { verifyRegistrationResponse } = await webauthn();
  let verified;
  try {
    verified = await verifyRegistrationResponse({
      response: opts.response as RegistrationResponseJSON,
      expectedChallenge: opts.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: false,
    });
  } catch {
    return null;
  }
  if (!verified.verified) return null;
  const info = verified.registrationInfo;
  const created = await db.passkey.create({
    data: {
      contactId: opts.contactId,
      credentialId: info.credential.id,
      userHandle: opts.handle,
      publicKey: Buffer.from(info.credential.publicKey),
      counter: BigInt(info.credential.counter),
      transports: (info.credential.transports ?? []).join(','),
      name: opts.name,
      backedUp: info.credentialBackedUp,
      createdAt: opts.now,
    },
    select: { id: true },
  });
  return created;
}

/** Options for logging in or confirming with a passkey: the person's own passkeys, or any (username-less). */
export async function authenticationOptions(
  prisma: PrismaClient,
  req: Request,
  clock: Clock,
  rp: RelyingParty,
  purpose: Exclude<Purpose, 'register'>,
  contactId?: number,
) {
  const allow = contactId
    ? (
        await prisma.passkey.findMany({
          where: { contactId },
          select: { credentialId: true, transports: true },
          take: 100,
        })
      ).map((p) => ({ id: p.credentialId, transports: transportsOf(p.transports) }))
    : undefined;
  const { generateAuthenticationOptions } = await webauthn();
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    allowCredentials: allow,
    userVerification: contactId ? 'preferred' : 'required',
  });
  keepChallenge(req, clock, options.challenge, purpose);
  return options;
}

/**
 * Verifies a passkey assertion against the stored credential (of `contactId` when given);
 * moves its signature counter on and notes when it was used. Returns whose passkey it was,
 * or null. Username-less logins require user verification (the passkey is the whole login).
 */
export async function verifyPasskey(
  prisma: PrismaClient,
  rp: RelyingParty,
  opts: { challenge: string; response: unknown; contactId?: number; now: Date },
): Promise<{ contactId: number; passkeyId: number } | null> {
  const response = opts.response as AuthenticationResponseJSON;
  if (typeof response?.id !== 'string' || response.id.length > 1024) return null;
  const stored = await prisma.passkey.findFirst({
    where: { credentialId: response.id, ...(opts.contactId ? { contactId: opts.contactId } : {}) },
  });
  if (!stored) return null;
  if (!opts.contactId && response.response?.userHandle !== stored.userHandle) return null;
  const { verifyAuthenticationResponse } = await webauthn();
  let result;
  try {
    result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: opts.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: {
        id: stored.credentialId,
        publicKey: new Uint8Array(stored.publicKey),
        counter: Number(stored.counter),
        transports: transportsOf(stored.transports),
      },
      requireUserVerification: !opts.contactId,
    });
  } catch {
    return null;
  }
  if (!result.verified) return null;
  // The conditional update refuses a cloned authenticator whose counter went backwards.
  const moved = await prisma.passkey.updateMany({
    where: { id: stored.id, OR: [{ counter: { lt: BigInt(result.authenticationInfo.newCounter) } }, { counter: 0 }] },
    data: { counter: BigInt(result.authenticationInfo.newCounter), lastUsedAt: opts.now },
  });
  if (moved.count !== 1) return null;
  return { contactId: stored.contactId, passkeyId: stored.id };
}
