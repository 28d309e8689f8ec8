import path from 'node:path';
import nunjucks from 'nunjucks';
import { formatDate, formatDateTime, translate, type Locale } from '../i18n/index.js';
import { VIEWS_DIR } from '../http/views.js';

/** Plain-text mails: no HTML escaping ("Jansen & Co" stays as it is). */
const mailViews = new nunjucks.Environment(new nunjucks.FileSystemLoader(path.join(VIEWS_DIR, 'mail')), {
  autoescape: false,
  trimBlocks: true,
  lstripBlocks: true,
});
mailViews.addFilter('date', (d: Date | null | undefined, lang: Locale) => formatDate(lang ?? 'nl', d));
mailViews.addFilter('datetime', (d: Date | null | undefined, lang: Locale) => formatDateTime(lang ?? 'nl', d));

/**
 * Renders a plain-text mail (views/mail/<name>.njk) in the recipient's language. The subject
 * is the locale key `subjectKey` (default `mail.<name>.subject`) with the same parameters.
 */
export function renderMail(
  lang: Locale,
  name: string,
  ctx: Record<string, unknown>,
  subjectKey = `mail.${name}.subject`,
): { subject: string; text: string } {
  const t = (key: string, params?: Record<string, string | number>) => translate(lang, key, params);
  const text = mailViews.render(`${name}.njk`, { ...ctx, t, lang }).trim() + '\n';
  const subject = t(subjectKey, ctx as Record<string, string>);
  return { subject, text };
}
