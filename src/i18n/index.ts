import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { amsterdamWallTime } from '../calendar.js';

/** The portal's languages; Dutch first. */
export const LOCALES = ['nl', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'nl';

type Tree = { [key: string]: string | Tree };

/** locales/<lang>/*.json, one file per feature, merged under the file's name. */
export const LOCALES_DIR = path.resolve(import.meta.dirname, '../../locales');

function load(lang: Locale): Map<string, string> {
  const flat = new Map<string, string>();
  const dir = path.join(LOCALES_DIR, lang);
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const tree = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Tree;
    flatten(path.basename(file, '.json'), tree, flat);
  }
  return flat;
}

function flatten(prefix: string, tree: Tree, out: Map<string, string>): void {
  for (const [k, v] of Object.entries(tree)) {
    const key = `${prefix}.${k}`;
    if (typeof v === 'string') out.set(key, v);
    else flatten(key, v, out);
  }
}

const catalogs: Record<Locale, Map<string, string>> = { nl: load('nl'), en: load('en') };

/** Every key of a locale (for the test that both languages are complete). */
export function localeKeys(lang: Locale): string[] {
  return [...catalogs[lang].keys()];
}

/** Translates `key` with `{name}` placeholders; a missing key shows itself, loudly, in tests. */
export function translate(lang: Locale, key: string, params?: Record<string, string | number>): string {
  const s = catalogs[lang].get(key) ?? catalogs[DEFAULT_LOCALE].get(key);
  if (s === undefined) {
    if (process.env.VITEST) throw new Error(`Missing locale key: ${key}`);
    return key;
  }
  if (!params) return s;
  return s.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** True if `key` exists. */
export function hasKey(lang: Locale, key: string): boolean {
  return catalogs[lang].has(key);
}

/** The locale asked for: ?lang=, then the session's, then Accept-Language, then Dutch. */
export function pickLocale(query: unknown, sessionLang: unknown, acceptLanguage: string | undefined): Locale {
  if (isLocale(query)) return query;
  if (isLocale(sessionLang)) return sessionLang;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.split(';')[0]?.trim().slice(0, 2).toLowerCase();
    if (isLocale(tag)) return tag;
  }
  return DEFAULT_LOCALE;
}

/** Type guard for a supported locale. */
export function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v);
}

// Formatters are built once: constructing an Intl formatter costs ten times what formatting does.
const moneyFmts: Record<Locale, Intl.NumberFormat> = {
  nl: new Intl.NumberFormat('nl-NL', { style: 'currency', currency: 'EUR' }),
  en: new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'EUR' }),
};

/** The one date format of every page, mail, PDF and export (the manual's): day and month without leading zeros. */
const DATE_SEPARATOR: Record<Locale, string> = { nl: '-', en: '/' };

/** "6-7-2017" (nl) / "6/7/2017" (en), in Europe/Amsterdam. */
export function formatDate(lang: Locale, d: Date | null | undefined): string {
  if (!d) return '';
  const p = amsterdamWallTime(d);
  return [p.day, p.month, p.year].join(DATE_SEPARATOR[lang]);
}

/** "6-7-2017 10:51" (nl) / "6/7/2017 10:51" (en): the manual's date and time, in Europe/Amsterdam. */
export function formatDateTime(lang: Locale, d: Date | null | undefined): string {
  if (!d) return '';
  return `${formatDate(lang, d)} ${formatTime(d)}`;
}

/** "10:51": the clock time in Europe/Amsterdam. */
export function formatTime(d: Date): string {
  const p = amsterdamWallTime(d);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

/** "€ 1.234,56" (nl) / "€1,234.56" (en). */
export function formatMoney(lang: Locale, amount: number | string | { toString(): string }): string {
  const n = typeof amount === 'number' ? amount : Number(amount.toString());
  return moneyFmts[lang].format(n).replace(/\u00a0/g, ' ');
}
