import type { Actor } from '../../auth/actor.js';
import { clientOf, type ServiceDeps } from '../../services.js';
import type { ProfileInput } from './schema.js';
import { changePassword, getProfile, updateProfile, type SecurityContext } from './service.js';

/** The person's own data ("Mijn gegevens › Persoonlijk") and their password. */
export function profileServices(deps: ServiceDeps) {
  const { db } = deps;
  const client = () => clientOf(db);
  return {
    /** The person's own data. */
    get: (actor: Actor) => getProfile(client(), actor),
    /** Saves the person's own data (a new address needs the current password). */
    update: (actor: Actor, input: ProfileInput, ctx: SecurityContext) => updateProfile(client(), actor, input, ctx),
    /** "PIM Wachtwoord wijzigen": the new epoch, or null for a wrong current password. */
    changePassword: (actor: Actor, opts: SecurityContext & { current: string; password: string }) =>
      changePassword(client(), actor, opts),
  };
}
