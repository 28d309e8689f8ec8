import type { AuditActor } from '../../audit.js';
import type { Actor } from '../../auth/actor.js';
import type { Locale } from '../../i18n/index.js';
import { clientOf, type ServiceDeps } from '../../services.js';
import { linkedLoginsOf, unlinkAsStaff } from './staff.js';
import {
  listLinkedLogins,
  mailSsoRequired,
  refuse,
  refusePasswordForSso,
  resolveSsoLogin,
  ssoRequiredFor,
  unlinkOwnLogin,
  type Provider,
  type ProviderIdentity,
  type SsoRefusal,
} from './service.js';

/** Single sign-on (Microsoft 365, Google) as the doors see it: logins, links, the organisation's requirement. */
export function ssoServices(deps: ServiceDeps) {
  const { db, clock } = deps;
  const client = () => clientOf(db);
  return {
    /** Which SSO buttons the login pages show: the configured providers. */
    buttons: () => ({ microsoft: !!deps.config.microsoft, google: !!deps.config.google }),
    /** A provider's identity as a login: the person, linked now or before, or why not. */
    resolveLogin: (identity: ProviderIdentity, ip: string) =>
      resolveSsoLogin(client(), identity, { now: clock.now(), ip }),
    /** Records a refused SSO login (`sso.refused`). */
    refuse: (
      id: Pick<ProviderIdentity, 'provider'> & Partial<ProviderIdentity>,
      reason: SsoRefusal,
      ip: string,
      who: { contactId?: number; organizationId?: number } = {},
      detail?: string,
    ) => refuse(client(), id, reason, ip, who, detail),
    /** The person's own linked logins. */
    linkedLogins: (actor: Actor) => listLinkedLogins(client(), actor),
    /** Removes one of the person's own linked logins. */
    unlinkOwn: (actor: Actor, loginId: number, ip: string) => unlinkOwnLogin(client(), actor, loginId, ip),
    /** Whether the organisation requires SSO (no password). */
    requiredFor: (organizationId: number) => ssoRequiredFor(client(), organizationId),
    /** Records a correct password refused for SSO (`login.refused_sso_required`). */
    refusePassword: (actor: Actor, ip: string) => refusePasswordForSso(client(), actor, ip),
    /** Instead of a reset link, the mail that says which button to use. */
    mailRequired: (
      contact: {
        id: number;
        email: string;
        firstName: string | null;
        infix: string | null;
        lastName: string;
        organizationId: number;
        language: Locale;
      },
      opts: { baseUrl: string; ip: string },
    ) => mailSsoRequired(client(), contact, opts),
    /** Staff: a contact's linked logins. */
    linkedLoginsOf: (contactId: number) => linkedLoginsOf(db, contactId),
    /** Staff: removes a contact's logins with one provider. */
    unlink: (who: AuditActor, contactId: number, provider: Provider) => unlinkAsStaff(db, who, contactId, provider),
  };
}

/** The SSO services' type, for the services built on them. */
export type SsoServices = ReturnType<typeof ssoServices>;
