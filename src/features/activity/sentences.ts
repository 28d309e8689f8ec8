import type nl from '../../../locales/nl/activity.json';
import type en from '../../../locales/en/activity.json';
import type { AuditKind } from '../../audit-kinds.js';

/**
 * How Activiteiten tells one kind of event. Its words are `activity.kinds.<kind>.sentence` and
 * `.label` in each locale (the compiler checks below that every kind has them); `shown` are the
 * fields whose before and after the page lists under the sentence. Everything else an event
 * holds (ids, provider subjects, file types, staff user names, import summaries) is for Vcare's
 * staff and never shown.
 */
export interface Sentence {
  shown: readonly string[];
}

/** The fields of a contact whose before and after the page shows (the personal page and the contact form). */
const CONTACT_FIELDS = [
  'lastName',
  'firstName',
  'initials',
  'infix',
  'gender',
  'birthDate',
  'email',
  'phone',
  'fax',
  'mobile',
  'privateStreet',
  'privatePostcode',
  'privateCity',
  'privateCountry',
  'language',
  'active',
  'webAccess',
  'organizationId',
  'subscribeUpdate',
  'subscribeCare',
  'subscribeBusiness',
  'subscribeFlash',
];

const JUST_THE_SENTENCE: Sentence = { shown: [] };
const showing = (...shown: string[]): Sentence => ({ shown });

/** Every kind's telling: total over the kinds, so a new kind does not compile without one. */
export const SENTENCES: Record<AuditKind, Sentence> = {
  'contact.created': JUST_THE_SENTENCE,
  'contact.copied': JUST_THE_SENTENCE,
  'contact.updated': showing(...CONTACT_FIELDS),
  'contact.deleted': JUST_THE_SENTENCE,
  'contact.web_access_on': showing('webAccess', 'roles'),
  'contact.web_access_off': showing('webAccess'),
  'contact.roles_changed': showing('roles'),
  'contact.invited': JUST_THE_SENTENCE,
  'contact.reinvited': JUST_THE_SENTENCE,
  'contact.report_mail_opt_in': showing('reportMailOptIn'),
  'contact.mail_preferences': JUST_THE_SENTENCE,
  'contact.mail_unsubscribed': JUST_THE_SENTENCE,
  'contact.signed_out_everywhere': JUST_THE_SENTENCE,
  'contact.two_step_reset': JUST_THE_SENTENCE,
  'profile.updated': showing(...CONTACT_FIELDS),
  'profile.email_changed': showing('email'),
  'application.activated': JUST_THE_SENTENCE,
  'application.deactivated': JUST_THE_SENTENCE,
  'login.password': JUST_THE_SENTENCE,
  'login.passkey': JUST_THE_SENTENCE,
  'login.passkey_refused': JUST_THE_SENTENCE,
  'login.refused_sso_required': JUST_THE_SENTENCE,
  'sso.login': JUST_THE_SENTENCE,
  'sso.linked': JUST_THE_SENTENCE,
  'sso.unlinked': JUST_THE_SENTENCE,
  'sso.refused': JUST_THE_SENTENCE,
  'password.changed': JUST_THE_SENTENCE,
  'password.reset_requested': JUST_THE_SENTENCE,
  'password.reset': JUST_THE_SENTENCE,
  'password.set_by_invitation': JUST_THE_SENTENCE,
  'password.reset_refused_sso_required': JUST_THE_SENTENCE,
  'two_step.totp_on': JUST_THE_SENTENCE,
  'two_step.totp_off': JUST_THE_SENTENCE,
  'two_step.recovery_codes_renewed': JUST_THE_SENTENCE,
  'two_step.recovery_code_used': JUST_THE_SENTENCE,
  'two_step.passkey_added': JUST_THE_SENTENCE,
  'two_step.passkey_removed': JUST_THE_SENTENCE,
  'session.ended_others': JUST_THE_SENTENCE,
  'invoice.created': JUST_THE_SENTENCE,
  'invoice.imported': JUST_THE_SENTENCE,
  'invoice.replaced': JUST_THE_SENTENCE,
  'invoice.pdf_stored': JUST_THE_SENTENCE,
  'invoice.downloaded': JUST_THE_SENTENCE,
  'document.created': JUST_THE_SENTENCE,
  'document.updated': JUST_THE_SENTENCE,
  'document.removed': JUST_THE_SENTENCE,
  'document.downloaded': JUST_THE_SENTENCE,
  'ticket.created': JUST_THE_SENTENCE,
  'ticket.imported': JUST_THE_SENTENCE,
  'ticket.note_added': JUST_THE_SENTENCE,
  'ticket.staff_reply': JUST_THE_SENTENCE,
  'ticket.status_changed': showing('status'),
  'ticket.deadline_changed': showing('deadline'),
  'ticket.watcher_added': JUST_THE_SENTENCE,
  'ticket.watcher_removed': JUST_THE_SENTENCE,
  'ticket.verdict': JUST_THE_SENTENCE,
  'organization.created': JUST_THE_SENTENCE,
  'organization.updated': JUST_THE_SENTENCE,
  'organization.main_contact_set': JUST_THE_SENTENCE,
  'organization.reports': showing('reportsInContract'),
  'organization.sso_required_changed': showing('ssoRequired'),
  'organization.two_factor_required_changed': JUST_THE_SENTENCE,
  'organization.password_only_sessions_ended': JUST_THE_SENTENCE,
  'announcement.created': JUST_THE_SENTENCE,
  'announcement.updated': JUST_THE_SENTENCE,
  'announcement.removed': JUST_THE_SENTENCE,
  'faq.created': JUST_THE_SENTENCE,
  'faq.updated': JUST_THE_SENTENCE,
  'faq.removed': JUST_THE_SENTENCE,
  'pageContent.updated': JUST_THE_SENTENCE,
  'pageContent.reset': JUST_THE_SENTENCE,
  'api_token.created': JUST_THE_SENTENCE,
  'api_token.revoked': JUST_THE_SENTENCE,
  'webhook.added': JUST_THE_SENTENCE,
  'webhook.removed': JUST_THE_SENTENCE,
  'mail.retried': JUST_THE_SENTENCE,
  'demo.seeded': JUST_THE_SENTENCE,
};

type Words = { label: string; sentence: string };
/** The kinds a locale's activity.json gives both words ("contact.created" from kinds.contact.created). */
type Worded<Kinds> = {
  [Area in keyof Kinds & string]: {
    [Name in keyof Kinds[Area] & string]: Kinds[Area][Name] extends Words ? `${Area}.${Name}` : never;
  }[keyof Kinds[Area] & string];
}[keyof Kinds & string];
/** Fails to compile with "'<kind>' does not satisfy the constraint 'never'" for a kind without words. */
type NoneMissing<Missing extends never> = Missing;

/** The compile-time proof that every kind has its label and sentence in Dutch and in English. */
export type EveryKindWorded = [
  NoneMissing<Exclude<AuditKind, Worded<typeof nl.kinds>>>,
  NoneMissing<Exclude<AuditKind, Worded<typeof en.kinds>>>,
];
