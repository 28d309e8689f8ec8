import { loadActor, type LoginMethod } from '../../auth/actor.js';
import { clearKeys, releaseAttempt, takeAttempt, type Rule } from '../../auth/throttle.js';
import { findUsableToken } from '../../auth/tokens.js';
import { clientOf, type ServiceDeps } from '../../services.js';
import type { SsoServices } from '../sso/services.js';
import { requestPasswordReset, setPasswordWithToken } from './service.js';

/**
 * Logging in as the pages see it: the attempt counters (login, password checks, second step),
 * the person a session stands for, and the forgotten-password links. The organisation's SSO
 * requirement comes from the SSO services.
 */
export function authServices(deps: ServiceDeps, people: { sso: SsoServices }) {
  const { db, clock } = deps;
  const client = () => clientOf(db);
  return {
    /** Takes and counts an attempt on every rule before the costly check: refused over any limit. */
    takeAttempt: (rules: Rule[], now: Date = clock.now()) => takeAttempt(client(), rules, now),
    /** Gives an attempt back on keys a success does not forget (the client address's). */
    releaseAttempt: (rules: Rule[]) => releaseAttempt(client(), rules),
    /** Forgets the counters of these keys (after a success). */
    clearKeys: (keys: string[]) => clearKeys(client(), keys),
    /** The person for a session: still allowed in, with this epoch (null otherwise). */
    actor: (contactId: number, epoch: number, method?: LoginMethod) => loadActor(db, contactId, epoch, method),
    /** An unused, unexpired reset or invitation link. */
    usableToken: (raw: string) => findUsableToken(client(), raw, clock.now()),
    /** Mails a reset link (or, where SSO is required, which button to use) to someone who may log in. */
    requestPasswordReset: (opts: { email: string; now: Date; ip: string }) =>
      requestPasswordReset(client(), people.sso, { ...opts, baseUrl: deps.baseUrl }),
    /** Sets a new password with a link's token. */
    setPasswordWithToken: (opts: { raw: string; password: string; ip: string }) =>
      setPasswordWithToken(client(), { ...opts, now: clock.now() }),
  };
}
