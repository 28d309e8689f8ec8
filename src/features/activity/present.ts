import { formatDate, hasKey, translate, type Locale } from '../../i18n/index.js';
import type { Lookups, Ref } from './lookups.js';
import type { ActivityEvent } from './service.js';
import { SENTENCES } from './sentences.js';
import { auditKindOf, type AuditKind } from '../../audit-kinds.js';
import { textOf } from '../../http/validation.js';

/** A piece of a sentence: plain text, or the name of something with a link while it exists. */
export interface Part {
  text: string;
  href: string | null;
}

/** One changed field: its label, the value before and the value after. */
export interface Change {
  field: string;
  before: string;
  after: string;
}

/** One event as a reader sees it: who, a sentence in the reader's language, the kind, what changed. */
export interface ActivityRow {
  id: string;
  at: Date;
  who: string;
  whoId: number | null;
  parts: Part[];
  sentence: string;
  kind: string;
  changes: Change[];
}

const record = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const idOf = (v: unknown): number | null =>
  typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : null;

/**
 * Who did it, as the page names them: a person (an event with its contact id), Vcare (staff
 * through the staff tool or one of Vcare's systems through an API token: never a user name or a
 * token's name), or PIM itself. Only an event without a contact is read as Vcare's or PIM's, so a
 * person whose name reads "staff:…" stays that person.
 */
export function actorName(lang: Locale, e: Pick<ActivityEvent, 'actorId' | 'actorLabel'>): string {
  if (e.actorId !== null) return e.actorLabel;
  if (e.actorLabel === 'system') return translate(lang, 'activity.system');
  if (e.actorLabel.startsWith('staff:') || e.actorLabel.startsWith('api:')) return translate(lang, 'activity.staff');
  return e.actorLabel;
}

/** The label of a kind in the filter and the list ("Contactpersoon gewijzigd"). */
export function kindLabel(lang: Locale, kind: string): string {
  const known = auditKindOf(kind);
  return translate(lang, known ? `activity.kinds.${known}.label` : 'activity.unknownLabel');
}

/** A value of a changed field as a reader sees it (names, not codes or ids). */
function formatValue(lang: Locale, field: string, v: unknown, look: Lookups): string {
  if (v === null || v === undefined || v === '') return '–';
  if (typeof v === 'boolean') return translate(lang, v ? 'common.yes' : 'common.no');
  if (Array.isArray(v)) {
    const names = v
      .filter((x): x is string => typeof x === 'string' && hasKey(lang, `roles.name.${x}`))
      .map((x) => translate(lang, `roles.name.${x}`));
    return names.length ? names.join(', ') : '–';
  }
  if (typeof v === 'object') return '–';
  const s = textOf(v);
  const named: Record<string, string> = {
    gender: `profile.genders.${s}`,
    language: `common.languageName.${s}`,
    status: `tickets.status.${s}`,
  };
  if (named[field] && hasKey(lang, named[field])) return translate(lang, named[field]);
  if (field === 'organizationId') return look.organizations.get(Number(s))?.text ?? '–';
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return formatDate(lang, new Date(`${s}T12:00:00Z`));
  return s;
}

/** The shown fields that differ between before and after, in the order they appear. */
export function changes(lang: Locale, kind: string, before: unknown, after: unknown, look: Lookups): Change[] {
  const known = auditKindOf(kind);
  const shown = known ? SENTENCES[known].shown : [];
  const b = record(before);
  const a = record(after);
  return [...new Set([...Object.keys(b), ...Object.keys(a)])]
    .filter((k) => shown.includes(k) && JSON.stringify(b[k] ?? null) !== JSON.stringify(a[k] ?? null))
    .map((k) => ({
      field: translate(lang, `activity.fields.${k}`),
      before: k in b ? formatValue(lang, k, b[k], look) : '–',
      after: k in a ? formatValue(lang, k, a[k], look) : '–',
    }));
}

/** What the event is about, named (and linked) from the lookups, or from what the event itself kept. */
function subjectOf(lang: Locale, e: ActivityEvent, look: Lookups): Ref {
  const id = idOf(e.subjectId);
  const kept = { ...record(e.before), ...record(e.after) };
  const plain = (text: string): Ref => ({ text, href: null });
  switch (e.subjectType) {
    case 'contact':
      return (id !== null && look.contacts.get(id)) || plain(translate(lang, 'activity.someone'));
    case 'organization':
      return (id !== null && look.organizations.get(id)) || plain(translate(lang, 'activity.anOrganisation'));
    case 'ticket':
      return (id !== null && look.tickets.get(id)) || plain(e.subjectId ?? '');
    case 'invoice':
      return (id !== null && look.invoices.get(id)) || plain(e.subjectId ?? '');
    case 'document':
      return (id !== null && look.documents.get(id)) || plain(typeof kept.fileName === 'string' ? kept.fileName : '');
    default:
      return plain('');
  }
}

/** The values a sentence may name besides actor and subject. */
function extras(lang: Locale, e: ActivityEvent, look: Lookups): Record<string, Ref> {
  const b = record(e.before);
  const a = record(e.after);
  const plain = (text: string): Ref => ({ text, href: null });
  const provider = a.provider ?? b.provider;
  const docKind = a.kind ?? b.kind;
  const flag = [a.reportMailOptIn, a.reportsInContract, a.ssoRequired, a.twoFactorRequired].find(
    (x) => typeof x === 'boolean',
  );
  const source = idOf(b.copiedFrom);
  const contact = idOf(a.mainContactId);
  const title = lang === 'en' && typeof a.titleEn === 'string' && a.titleEn ? a.titleEn : a.titleNl;
  const mailKind = a.kind;
  const score = a.score;
  // A Betrokkene added (after) or taken off (before); taking oneself off says so.
  const colleagueId = idOf(a.contactId ?? b.contactId);
  const colleagueName = typeof a.name === 'string' ? a.name : typeof b.name === 'string' ? b.name : null;
  return {
    provider: plain(
      typeof provider === 'string' && hasKey(lang, `sso.provider.${provider}`)
        ? translate(lang, `sso.provider.${provider}`)
        : 'Microsoft 365 / Google',
    ),
    docKind: plain(
      translate(
        lang,
        typeof docKind === 'string' && hasKey(lang, `activity.docKind.${docKind}`)
          ? `activity.docKind.${docKind}`
          : 'activity.docKind.unknown',
      ),
    ),
    onOff: plain(translate(lang, flag === false ? 'activity.off' : 'activity.on')),
    source: (source !== null && look.contacts.get(source)) || plain(translate(lang, 'activity.anotherContact')),
    contact: (contact !== null && look.contacts.get(contact)) || plain(translate(lang, 'activity.someone')),
    app: plain(typeof a.application === 'string' ? (look.applications.get(a.application) ?? a.application) : ''),
    title: plain(typeof title === 'string' ? title : ''),
    count: plain(typeof a.count === 'number' ? String(a.count) : ''),
    mailKind: plain(
      typeof mailKind === 'string' && hasKey(lang, `notifications.kinds.${mailKind}`)
        ? translate(lang, `notifications.kinds.${mailKind}`)
        : translate(lang, 'activity.aKindOfMail'),
    ),
    colleague:
      a.self === true
        ? plain(translate(lang, 'activity.themselves'))
        : (colleagueId !== null && look.contacts.get(colleagueId)) ||
          plain(colleagueName ?? translate(lang, 'activity.aColleague')),
    score: plain(
      typeof score === 'number' && hasKey(lang, `tickets.verdict.score.${score}`)
        ? translate(lang, 'activity.score', { answer: translate(lang, `tickets.verdict.score.${score}`), score })
        : translate(lang, 'activity.aScore'),
    ),
  };
}

/** Splits a locale sentence at its {placeholders}, filling in names and links. */
function fill(template: string, values: Record<string, Ref>): Part[] {
  const parts: Part[] = [];
  for (const [i, piece] of template.split(/\{(\w+)\}/).entries()) {
    if (i % 2 === 0) {
      if (piece) parts.push({ text: piece, href: null });
    } else parts.push(values[piece] ?? { text: '', href: null });
  }
  return parts;
}

/**
 * Events a person does through a link only they hold (an unsubscribe link, a reset or invitation
 * link, the verdict link of their ticket). Events recorded before these named the person were
 * written as PIM's; the page names the person for those too.
 */
const OWN_ACT: Partial<Record<AuditKind, (e: ActivityEvent) => number | null>> = {
  'contact.mail_unsubscribed': (e) => (e.subjectType === 'contact' ? idOf(e.subjectId) : null),
  'password.reset': (e) => (e.subjectType === 'contact' ? idOf(e.subjectId) : null),
  'password.set_by_invitation': (e) => (e.subjectType === 'contact' ? idOf(e.subjectId) : null),
  'ticket.verdict': (e) => idOf(record(e.after).contactId),
};

/** The person behind an older event of `OWN_ACT` that was written as PIM's; null when it names its person already. */
function ownActor(lang: Locale, e: ActivityEvent, look: Lookups): { id: number; name: string } | null {
  const known = auditKindOf(e.kind);
  if (e.actorId !== null || e.actorLabel !== 'system' || !known) return null;
  const id = OWN_ACT[known]?.(e) ?? null;
  if (id === null) return null;
  return { id, name: look.contacts.get(id)?.text ?? translate(lang, 'activity.someone') };
}

/** One event as a sentence in the reader's language ("Vcare heeft factuur 200123 toegevoegd."), with its changes. */
export function presentEvent(lang: Locale, e: ActivityEvent, look: Lookups): ActivityRow {
  const own = ownActor(lang, e, look);
  const who = own?.name ?? actorName(lang, e);
  const known = auditKindOf(e.kind);
  const template = translate(lang, known ? `activity.kinds.${known}.sentence` : 'activity.unknown');
  const parts = fill(template, {
    actor: { text: who, href: null },
    subject: subjectOf(lang, e, look),
    ...extras(lang, e, look),
  });
  return {
    id: String(e.id),
    at: e.at,
    who,
    whoId: own?.id ?? e.actorId,
    parts,
    sentence: parts.map((p) => p.text).join(''),
    kind: kindLabel(lang, e.kind),
    changes: changes(lang, e.kind, e.before, e.after, look),
  };
}
