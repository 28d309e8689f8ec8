/**
 * Every kind of audit event the code records, in one list. The kind names the change
 * ('<subject>.<what_happened>', snake_case after the dot) and decides the rest: the webhook
 * event it sends (src/webhooks/events.ts) and the sentence Activiteiten tells
 * (src/features/activity/sentences.ts). Both are total over this list, so a new kind does not
 * compile until it has both.
 */
export const AUDIT_KINDS = [
  // A person's own account and their colleagues'.
  'contact.created',
  'contact.copied',
  'contact.updated',
  'contact.deleted',
  'contact.web_access_on',
  'contact.web_access_off',
  'contact.roles_changed',
  'contact.invited',
  'contact.reinvited',
  'contact.report_mail_opt_in',
  'contact.mail_preferences',
  'contact.mail_unsubscribed',
  'contact.signed_out_everywhere',
  'contact.two_step_reset',
  'profile.updated',
  'profile.email_changed',
  'application.activated',
  'application.deactivated',
  // Logging in, passwords and the second step.
  'login.password',
  'login.passkey',
  'login.passkey_refused',
  'login.refused_sso_required',
  'sso.login',
  'sso.linked',
  'sso.unlinked',
  'sso.refused',
  'password.changed',
  'password.reset_requested',
  'password.reset',
  'password.set_by_invitation',
  'password.reset_refused_sso_required',
  'two_step.totp_on',
  'two_step.totp_off',
  'two_step.recovery_codes_renewed',
  'two_step.recovery_code_used',
  'two_step.passkey_added',
  'two_step.passkey_removed',
  'session.ended_others',
  // Invoices and documents.
  'invoice.created',
  'invoice.imported',
  'invoice.replaced',
  'invoice.pdf_stored',
  'invoice.downloaded',
  'document.created',
  'document.updated',
  'document.removed',
  'document.downloaded',
  // Tickets.
  'ticket.created',
  'ticket.imported',
  'ticket.note_added',
  'ticket.staff_reply',
  'ticket.status_changed',
  'ticket.deadline_changed',
  'ticket.watcher_added',
  'ticket.watcher_removed',
  'ticket.verdict',
  // Organisations and what Vcare publishes.
  'organization.created',
  'organization.updated',
  'organization.main_contact_set',
  'organization.reports',
  'organization.sso_required_changed',
  'organization.two_factor_required_changed',
  'organization.password_only_sessions_ended',
  'announcement.created',
  'announcement.updated',
  'announcement.removed',
  'faq.created',
  'faq.updated',
  'faq.removed',
  'pageContent.updated',
  'pageContent.reset',
  // Vcare's own tooling: API tokens, webhooks, the mail outbox, the demo.
  'api_token.created',
  'api_token.revoked',
  'webhook.added',
  'webhook.removed',
  'mail.retried',
  'demo.seeded',
] as const;

/** One kind of audit event. */
export type AuditKind = (typeof AUDIT_KINDS)[number];

const KNOWN: ReadonlySet<string> = new Set(AUDIT_KINDS);

/** Spellings stored before a kind was renamed (migration 20261207070000_audit_kind_spelling renames the rows). */
const OLD_SPELLINGS: Readonly<Record<string, AuditKind>> = { 'contact.reportMailOptIn': 'contact.report_mail_opt_in' };

/** True when `s` is a kind the code records. */
export function isAuditKind(s: string): s is AuditKind {
  return KNOWN.has(s);
}

/** The kind of a stored event (an old spelling read as today's), or null for a kind no code records any more. */
export function auditKindOf(stored: string): AuditKind | null {
  return isAuditKind(stored) ? stored : (OLD_SPELLINGS[stored] ?? null);
}
