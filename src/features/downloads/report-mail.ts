import type { Tx } from '../../db/client.js';
import { loadActor, type Actor } from '../../auth/actor.js';
import { Role } from '../../auth/roles.js';
import { queueMail } from '../../mail/outbox.js';
import type { Locale } from '../../i18n/index.js';
import { unsubscribeHeaders, unsubscribeToken } from '../../mail/preferences.js';

/**
 * The people who get a mail for a new report of `organizationId`: everyone who opted in and
 * may see it. SQL only narrows the candidates (opted in, in the organisation or one of its
 * ancestors); whether each may see the report is decided by loadActor, the same code that
 * decides it on every request (may log in, VIEW_REPORTS in effect, the report's organisation
 * in their scope), so the mail and the page can never disagree.
 */
export async function reportRecipients(tx: Tx, organizationId: number): Promise<(Actor & { language: Locale })[]> {
  const org = await tx.organization.findUnique({ where: { id: organizationId }, select: { reportsInContract: true } });
  if (!org?.reportsInContract) return [];
  const candidates = await tx.$queryRaw<{ id: number; session_epoch: number; language: Locale }[]>`
    WITH RECURSIVE up AS (
      SELECT id, parent_id FROM organizations WHERE id = ${organizationId}
      UNION
      SELECT o.id, o.parent_id FROM organizations o JOIN up ON o.id = up.parent_id
    )
    SELECT c.id, c.session_epoch, c.language::text AS language FROM contacts c
    WHERE c.organization_id IN (SELECT id FROM up) AND c.report_mail_opt_in AND c.deleted_at IS NULL AND c.email IS NOT NULL
    ORDER BY c.id`;
  const out: (Actor & { language: Locale })[] = [];
  for (const c of candidates) {
    // loadActor runs one $queryRaw; inside the transaction it sees the transaction's state.
    const actor = await loadActor(tx, c.id, c.session_epoch);
    if (actor && actor.roles.has(Role.VIEW_REPORTS) && actor.orgIds.includes(organizationId))
      out.push({ ...actor, language: c.language });
  }
  return out;
}

/**
 * Queues one "new report" mail per recipient, in the transaction that adds the report, in each
 * person's language and, given the mail-link key, with a one-click unsubscribe. Returns the addresses.
 */
export async function notifyNewReport(
  tx: Tx,
  report: { organizationId: number; fileName: string },
  baseUrl: string,
  linkSecret?: string,
): Promise<string[]> {
  const recipients = await reportRecipients(tx, report.organizationId);
  if (recipients.length === 0) return [];
  const org = await tx.organization.findUniqueOrThrow({ where: { id: report.organizationId }, select: { name: true } });
  for (const person of recipients) {
    const token = linkSecret ? unsubscribeToken(linkSecret, person.id, 'report_ready') : null;
    await queueMail(tx, {
      to: person.email,
      lang: person.language,
      template: 'report-ready',
      params: {
        name: person.displayName,
        organization: org.name,
        fileName: report.fileName,
        link: `${baseUrl}/downloads/reports`,
        unsubscribeUrl: token ? `${baseUrl}/mail/unsubscribe/${token}` : null,
      },
      subjectKey: 'downloads.mail.reportReady.subject',
      ...(token ? { headers: unsubscribeHeaders(baseUrl, token) } : {}),
    });
  }
  return recipients.map((p) => p.email);
}
