import type { PrismaClient, Tx } from '../db/client.js';
import { queueMail } from '../mail/outbox.js';
import { formatDate, formatDateTime, translate, type Locale } from '../i18n/index.js';

/** What changed, as "Uw beveiliging is gewijzigd" names it (locale key security.changed.<what>). */
export type SecurityChange =
  | 'password'
  | 'email'
  | 'totpOn'
  | 'totpOff'
  | 'recoveryCodes'
  | 'passkeyAdded'
  | 'passkeyRemoved'
  | 'twoStepReset'
  | 'signedOutEverywhere';

/** "12-3-2027 09:14": the date as the portal writes it, and the time. */
export function mailMoment(lang: Locale, d: Date): string {
  return `${formatDate(lang, d)} ${formatDateTime(lang, d).slice(-5)}`;
}

/**
 * Queues "Uw beveiliging is gewijzigd" to `to` in the change's own transaction, in the
 * person's own language: what changed, when, and where to look (Beveiliging). Says nothing
 * secret (no code, no key). `lang` is used only when the person has no language set.
 */
export async function queueSecurityNotice(
  db: Tx | PrismaClient,
  opts: {
    contactId: number;
    to: string;
    name: string;
    change: SecurityChange;
    now: Date;
    lang: Locale;
    baseUrl: string;
    by?: string;
  },
): Promise<void> {
  const lang =
    (await db.contact.findUnique({ where: { id: opts.contactId }, select: { language: true } }))?.language ?? opts.lang;
  const params = {
    name: opts.name,
    what: translate(lang, `security.changed.${opts.change}`),
    when: mailMoment(lang, opts.now),
    by: opts.by ?? '',
    link: `${opts.baseUrl}/profile/security`,
  };
  await queueMail(db, {
    to: opts.to,
    lang,
    template: 'security-changed',
    params,
    subjectKey: 'security.mail.changed.subject',
  });
}
