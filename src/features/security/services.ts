import { recordAudit } from '../../audit.js';
import { loadActor, type Actor } from '../../auth/actor.js';
import { authenticationOptions, registrationOptions, verifyPasskey, type RelyingParty } from '../../auth/passkeys.js';
import { verifyPassword } from '../../auth/passwords.js';
import { isKnownBrowser } from '../../auth/browsers.js';
import { endSessionByHandle, listSessions } from '../../auth/sessions.js';
import { secondStepOf, useSecondStepCode } from '../../auth/two-factor.js';
import { clientOf, type ServiceDeps } from '../../services.js';
import type { OrganisationServices } from '../organisations/services.js';
import { colleagueSecurity, resetColleagueTwoStep, signOutColleague } from './colleague-service.js';
import { addPasskey, listPasskeys, removePasskey, renamePasskey } from './passkey-service.js';
import { requireTwoStep, twoStepRequirement } from './requirement.js';
import {
  confirmTotp,
  disableTotp,
  endOtherSessions,
  regenerateRecoveryCodes,
  totpSetupSecret,
  twoStepStatus,
  type ChangeContext,
} from './service.js';

type Req = Parameters<typeof registrationOptions>[1];

/**
 * Security as the pages see it: the second step (app, recovery codes, passkeys), sessions, a
 * colleague's security, the organisation's two-step requirement (written through the
 * organisation's settings command).
 */
export function securityServices(deps: ServiceDeps, people: { organisations: OrganisationServices }) {
  const { db, clock } = deps;
  const client = () => clientOf(db);
  return {
    /** The person's second step as the Beveiliging page shows it. */
    status: (actor: Actor) => twoStepStatus(client(), actor),
    /** What second step a person has set up, and whether it is required. */
    secondStep: (contactId: number) => secondStepOf(db, contactId),
    /** Whether this browser completed a login to the person's account before (its second-step counter is its own). */
    knowsBrowser: (contactId: number, browser: string | null) =>
      browser ? isKnownBrowser(db, contactId, browser) : Promise.resolve(false),
    /** Uses an app code or a recovery code: which one, or null. */
    useSecondStepCode: (key: Buffer, contactId: number, code: string) =>
      useSecondStepCode(db, key, contactId, code, clock.now()),
    /** Records the use of a recovery code at login (`two_step.recovery_code_used`). */
    recoveryCodeUsed: (actor: Actor, ip: string) =>
      recordAudit(db, {
        actor,
        kind: 'two_step.recovery_code_used',
        organizationId: actor.organizationId,
        subjectType: 'contact',
        subjectId: actor.id,
        ip,
      }),
    /** Whether `password` is the person's own (the confirmation before a security change). */
    verifyOwnPassword: async (actor: Actor, password: string) => {
      const me = await db.contact.findFirst({
        where: { id: actor.id, organizationId: actor.organizationId, deletedAt: null },
        select: { passwordHash: true },
      });
      return verifyPassword(me?.passwordHash, password);
    },
    /** The secret of an app being set up (null when it already is, or when none is pending and `create` is off). */
    totpSetupSecret: (key: Buffer, actor: Actor, opts?: { create?: boolean; madeAt?: number }) =>
      totpSetupSecret(client(), key, actor, clock.now(), opts),
    /** Confirms the app with a code: the recovery codes, or null for a wrong code. */
    confirmTotp: (key: Buffer, actor: Actor, code: string, ctx: ChangeContext) =>
      confirmTotp(client(), key, actor, code, ctx),
    /** Switches the app off, or says why not. */
    disableTotp: (actor: Actor, ctx: ChangeContext) => disableTotp(client(), actor, ctx),
    /** New recovery codes (null without a second step). */
    regenerateRecoveryCodes: (actor: Actor, ctx: ChangeContext) => regenerateRecoveryCodes(client(), actor, ctx),
    /** The person's sessions, one page. */
    sessions: (contactId: number, currentSid: string, page: { take: number; skip: number }) =>
      listSessions(db, contactId, currentSid, page),
    /** Ends one of the person's own sessions; false when there is no such session. */
    endSession: (contactId: number, handle: string) => endSessionByHandle(db, contactId, handle),
    /** Ends the person's other sessions. */
    endOtherSessions: (actor: Actor, ctx: ChangeContext) => endOtherSessions(client(), actor, ctx),
    /** The person's passkeys. */
    passkeys: (actor: Actor) => listPasskeys(client(), actor),
    /** Options for adding a passkey (the challenge is kept in the session). */
    registrationOptions: (req: Req, rp: RelyingParty, person: { id: number; email: string; displayName: string }) =>
      registrationOptions(client(), req, clock, rp, person),
    /** Options for logging in with a passkey, or for the second step of `contactId`. */
    authenticationOptions: (req: Req, rp: RelyingParty, purpose: 'login' | 'second-step', contactId?: number) =>
      authenticationOptions(client(), req, clock, rp, purpose, contactId),
    /** Checks a passkey's answer: whose it is, or null. */
    verifyPasskey: (rp: RelyingParty, opts: { challenge: string; response: unknown; contactId?: number }) =>
      verifyPasskey(client(), rp, { ...opts, now: clock.now() }),
    /**
     * The person a verified passkey logs in, by the checks of every login (may log in, not in an
     * organisation that requires SSO); a refusal is recorded (`login.passkey_refused`).
     */
    passkeyLogin: async (contactId: number, ip: string): Promise<Actor | null> => {
      const epoch = (await db.contact.findUnique({ where: { id: contactId }, select: { sessionEpoch: true } }))
        ?.sessionEpoch;
      const actor = epoch !== undefined ? await loadActor(db, contactId, epoch, 'passkey') : null;
      if (!actor)
        await recordAudit(db, {
          actor: 'system',
          kind: 'login.passkey_refused',
          subjectType: 'contact',
          subjectId: contactId,
          ip,
        });
      return actor;
    },
    /** Adds a verified passkey; false when it does not verify. */
    addPasskey: (
      rp: RelyingParty,
      actor: Actor,
      input: { challenge: string; handle: string; response: unknown; name: string },
      ctx: ChangeContext,
    ) => addPasskey(client(), rp, actor, input, ctx),
    /** Renames one of the person's passkeys. */
    renamePasskey: (actor: Actor, id: number, name: string) => renamePasskey(client(), actor, id, name),
    /** Removes one of the person's passkeys, or says why not. */
    removePasskey: (actor: Actor, id: number, ctx: ChangeContext) => removePasskey(client(), actor, id, ctx),
    /** What a contact manager sees of a colleague's security. */
    colleague: (actor: Actor, id: number) => colleagueSecurity(client(), actor, id),
    /** Ends every session of a colleague. */
    signOutColleague: (actor: Actor, id: number, ctx: ChangeContext) => signOutColleague(client(), actor, id, ctx),
    /** Resets a colleague's two-step login; false when there was nothing to reset. */
    resetColleagueTwoStep: (actor: Actor, id: number, ctx: ChangeContext) =>
      resetColleagueTwoStep(client(), actor, id, ctx),
    /** Whether an organisation in the actor's scope requires two-step login (itself or through a parent). */
    twoStepRequirement: (actor: Actor, orgId: number) => twoStepRequirement(client(), actor, orgId),
    /**
     * The Organisatie page's switch, through the organisation's settings command; switching it on can
     * end the password-only sessions at once (all but the session `endSessions.keepSid` of whoever switched).
     */
    requireTwoStep: (
      actor: Actor,
      orgId: number,
      wanted: boolean,
      ip: string,
      endSessions: { keepSid: string | null } | null = null,
    ) =>
      requireTwoStep(
        client(),
        (id) =>
          people.organisations.setSettings(
            actor,
            id,
            { twoFactorRequired: wanted },
            { ip, ...(endSessions ? { endPasswordOnlySessions: endSessions } : {}) },
          ),
        actor,
        orgId,
      ),
  };
}
