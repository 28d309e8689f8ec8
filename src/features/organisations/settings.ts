import { recordAudit, type AuditActor } from '../../audit.js';
import { endPasswordOnlySessionsOf, endPortalLoginSessionsOf } from '../../auth/sessions.js';
import { inTransaction, type PrismaClient, type Tx } from '../../db/client.js';
import { refuse } from '../../http/errors.js';

/**
 * The organisation's switches, each written here only, with one audit kind each (the kinds the
 * Activiteiten page and the webhooks know): two-step login required
 * (`organization.two_factor_required_changed`), SSO required (`organization.sso_required_changed`)
 * and reports in the contract (`organization.reports`). The staff tool, the Organisatie page and
 * the API all change them through setOrganisationSettings.
 */
export interface OrganisationSettings {
  twoFactorRequired?: boolean;
  ssoRequired?: boolean;
  reportsInContract?: boolean;
}

type Setting = keyof OrganisationSettings;

const KIND = {
  twoFactorRequired: 'organization.two_factor_required_changed',
  ssoRequired: 'organization.sso_required_changed',
  reportsInContract: 'organization.reports',
} as const satisfies Record<Setting, string>;

const SETTINGS = Object.keys(KIND) as Setting[];

/** What a settings change did: the organisation, which settings changed, the sessions it ended. */
export interface SettingsResult {
  org: { id: number; name: string };
  changed: Setting[];
  /** Password and passkey sessions ended by switching SSO on. */
  passwordSessionsEnded: number;
  /** Password sessions without a second step ended with two-step login required (null: not asked). */
  passwordOnlySessionsEnded: number | null;
}

/** How a settings change is made: from where, and what it ends besides. */
export interface SettingsOptions {
  ip?: string;
  /**
   * With two-step login required (`twoFactorRequired: true`, now or already): also end the
   * sessions of the organisation's and its subsidiaries' people that logged in with a password
   * and no second step (`organization.password_only_sessions_ended`), except `keepSid`.
   */
  endPasswordOnlySessions?: { keepSid: string | null };
}

/**
 * Sets the given switches of an organisation (a missing one is left alone; one already so is no
 * change). Switching SSO on ends the password and passkey sessions of its people: the actor
 * refuses them anyway, and ending them keeps them from coming back when SSO is switched off.
 * A change moves the organisation's version (its ETag). Refused with NOT_FOUND (field `id`) for
 * an unknown organisation, and (field `endSessions`) when sessions are to end without two-step
 * login being required.
 */
export async function setOrganisationSettings(
  db: PrismaClient | Tx,
  who: AuditActor,
  orgId: number,
  settings: OrganisationSettings,
  opts: SettingsOptions = {},
): Promise<SettingsResult> {
  if (opts.endPasswordOnlySessions && settings.twoFactorRequired !== true)
    throw refuse('endSessions', 'only when two-step login is switched on');
  return inTransaction(db, async (tx) => {
    const org = await tx.organization.findUnique({
      where: { id: orgId },
      select: { id: true, name: true, twoFactorRequired: true, ssoRequired: true, reportsInContract: true },
    });
    if (!org) throw refuse('id', `no organisation with id ${orgId}`, { code: 'NOT_FOUND' });
    const changed = SETTINGS.filter((k) => settings[k] !== undefined && settings[k] !== org[k]);
    const result: SettingsResult = {
      org: { id: org.id, name: org.name },
      changed,
      passwordSessionsEnded: 0,
      passwordOnlySessionsEnded: null,
    };
    if (changed.length)
      await tx.organization.update({
        where: { id: org.id },
        data: { ...Object.fromEntries(changed.map((k) => [k, settings[k]])), version: { increment: 1 } },
      });
    for (const k of changed) {
      const now = settings[k]!;
      let after: Record<string, boolean | number> = { [k]: now };
      if (k === 'ssoRequired' && now) {
        result.passwordSessionsEnded = await endPortalLoginSessionsOf(tx, org.id);
        after = { ...after, passwordSessionsEnded: result.passwordSessionsEnded };
      }
      await recordAudit(tx, {
        actor: who,
        kind: KIND[k],
        organizationId: org.id,
        subjectType: 'organization',
        subjectId: org.id,
        before: { [k]: org[k] },
        after,
        ip: opts.ip ?? null,
      });
    }
    if (opts.endPasswordOnlySessions) {
      // In the switch's transaction, so neither happens without the other; also when it was already on.
      const n = await endPasswordOnlySessionsOf(tx, org.id, opts.endPasswordOnlySessions.keepSid);
      result.passwordOnlySessionsEnded = n;
      await recordAudit(tx, {
        actor: who,
        kind: 'organization.password_only_sessions_ended',
        organizationId: org.id,
        subjectType: 'organization',
        subjectId: org.id,
        after: { count: n },
        ip: opts.ip ?? null,
      });
    }
    return result;
  });
}
