import path from 'node:path';
import nunjucks from 'nunjucks';
import type { Express } from 'express';
import { formatDate, formatDateTime, formatMoney, type Locale } from '../i18n/index.js';

/** The views folder. */
export const VIEWS_DIR = path.resolve(import.meta.dirname, '../../views');

/** One Nunjucks environment (autoescape on) for pages and mails. */
export const views = new nunjucks.Environment(new nunjucks.FileSystemLoader(VIEWS_DIR), {
  autoescape: true,
  throwOnUndefined: false,
  trimBlocks: true,
  lstripBlocks: true,
});

views.addFilter('date', (d: Date | null | undefined, lang: Locale) => formatDate(lang ?? 'nl', d));
views.addFilter('datetime', (d: Date | null | undefined, lang: Locale) => formatDateTime(lang ?? 'nl', d));
views.addFilter('money', (n: number | string, lang: Locale) => formatMoney(lang ?? 'nl', n));

/** Text escaped for HTML (what autoescape does). */
function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Person-given text (a name, a title, a file name) isolated in `<bdi>`, so a right-to-left run in
 * it cannot reorder the text around it ("Kim ‫…‬ (Vcare)", a table cell beside a number).
 */
export function isolated(value: string | number | null | undefined): nunjucks.runtime.SafeString {
  const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
  return new nunjucks.runtime.SafeString(text ? `<bdi>${escapeHtml(text)}</bdi>` : '');
}

/**
 * A locale sentence with its parameters isolated (see isolated), for a heading that names a person
 * or a title; the sentence itself is escaped. A page's <title> keeps plain t(): it holds no markup.
 */
export function translateIsolated(
  sentence: string,
  params: Record<string, string | number>,
): nunjucks.runtime.SafeString {
  return new nunjucks.runtime.SafeString(
    escapeHtml(sentence).replace(/\{(\w+)\}/g, (m, name: string) =>
      name in params ? isolated(params[name]).toString() : m,
    ),
  );
}

views.addFilter('bdi', isolated);

/** Lets Express render .njk files from views/. */
export function useViews(app: Express): void {
  views.express(app);
  app.set('view engine', 'njk');
  app.set('views', VIEWS_DIR);
}
