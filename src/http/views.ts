import path from 'node:path';
import nunjucks from 'nunjucks';
import type { Express } from 'express';
import { formatDate, formatDateTime, formatLongDateTime, formatMoney, type Locale } from '../i18n/index.js';

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
views.addFilter('longdatetime', (d: Date | null | undefined, lang: Locale, withTime = true) => formatLongDateTime(lang ?? 'nl', d, withTime));
views.addFilter('money', (n: number | string, lang: Locale) => formatMoney(lang ?? 'nl', n));

/** Lets Express render .njk files from views/. */
export function useViews(app: Express): void {
  views.express(app);
  app.set('view engine', 'njk');
  app.set('views', VIEWS_DIR);
}
