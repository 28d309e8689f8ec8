import type { PrismaClient, Tx } from '../db/client.js';
import { enqueueMail } from '../mail/outbox.js';
import { renderMail } from '../http/views.js';
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

/**
 * Queues "Uw beveiliging is gewijzigd" to `to` in the change's own transaction: what changed,
 * when, and where to look (Beveiliging). Says nothing secret (no code, no address of a key).
 */
export async function queueSecurityNotice(
  db: Tx | PrismaClient,
  opts: { to: string; name: string; change: SecurityChange; now: Date; lang: Locale; baseUrl: string; by?: string },
): Promise<void> {
  const ctx = {
    name: opts.name,
    what: translate(opts.lang, `security.changed.${opts.change}`),
    when: `${formatDate(opts.lang, opts.now)} ${formatDateTime(opts.lang, opts.now).slice(-5)}`,
    by: opts.by ?? '',
    link: `${opts.baseUrl}/profile/security`,
  };
  await enqueueMail(db, { to: opts.to, ...renderMail(opts.lang, 'security-changed', ctx, 'security.mail.changed.subject') });
}
