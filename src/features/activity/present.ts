import { hasKey, translate, type Locale } from '../../i18n/index.js';

/** Fields never shown, whatever an event holds. */
const SECRET = /password|hash|token|secret/i;

/** Who did it, as the page names them: a person, Vcare staff, or PIM itself. */
export function actorName(lang: Locale, label: string): string {
  if (label === 'system') return translate(lang, 'activity.system');
  if (label.startsWith('staff:')) return translate(lang, 'activity.staff', { name: label.slice('staff:'.length) });
  return label;
}

/** The readable sentence of one event ("Jan Jansen heeft de rollen van Lisa de Vries gewijzigd."). */
export function describe(lang: Locale, kind: string, actor: string, subject: string): string {
  const key = `activity.kinds.${kind}.sentence`;
  if (hasKey(lang, key)) return translate(lang, key, { actor, subject });
  return translate(lang, 'activity.generic', { actor, kind, subject });
}

/** The label of a kind in the filter ("Contactpersoon gewijzigd"). */
export function kindLabel(lang: Locale, kind: string): string {
  const key = `activity.kinds.${kind}.label`;
  return hasKey(lang, key) ? translate(lang, key) : kind;
}

/** A value of a changed field as a reader sees it. */
function formatValue(lang: Locale, field: string, v: unknown): string {
  if (v === null || v === undefined || v === '') return '–';
  if (typeof v === 'boolean') return translate(lang, v ? 'common.yes' : 'common.no');
  if (Array.isArray(v)) {
    if (v.length === 0) return '–';
    return v.map((x) => (typeof x === 'string' && hasKey(lang, `roles.name.${x}`) ? translate(lang, `roles.name.${x}`) : formatValue(lang, field, x))).join(', ');
  }
  if (typeof v === 'string' && field === 'gender' && hasKey(lang, `profile.genders.${v}`)) return translate(lang, `profile.genders.${v}`);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** One changed field: its label, the value before and the value after. */
export interface Change {
  field: string;
  before: string;
  after: string;
}

/** The fields that differ between before and after (secrets left out), in the order they appear. */
export function changes(lang: Locale, before: unknown, after: unknown): Change[] {
  const b = isRecord(before) ? before : {};
  const a = isRecord(after) ? after : {};
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => !SECRET.test(k));
  return keys
    .filter((k) => JSON.stringify(b[k] ?? null) !== JSON.stringify(a[k] ?? null))
    .map((k) => ({
      field: hasKey(lang, `activity.fields.${k}`) ? translate(lang, `activity.fields.${k}`) : k,
      before: k in b ? formatValue(lang, k, b[k]) : '–',
      after: k in a ? formatValue(lang, k, a[k]) : '–',
    }));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
