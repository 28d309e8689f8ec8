import MarkdownIt from 'markdown-it';

/**
 * Staff write page content in Markdown. Raw HTML is off (it is shown as text) and
 * markdown-it refuses javascript:, vbscript:, file: and data: links, so the rendered HTML is
 * safe to insert into a page.
 */
const md = new MarkdownIt({ html: false, linkify: true, typographer: false });

/** The safe HTML of staff-written Markdown. */
export function renderContent(markdown: string): string {
  return md.render(markdown);
}

/** The key of the product-information page's content. */
export const PRODUCT_INFO_KEY = 'product-information';
