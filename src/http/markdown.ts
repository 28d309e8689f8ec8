import MarkdownIt from 'markdown-it';

/**
 * Staff-written Markdown (FAQ answers, product information),
 * rendered safely: raw HTML is not allowed (`html: false`, so
 * `<script>` comes out as text), and links and images only keep http:, https: and mailto:
 * targets (a `javascript:` or `data:` link stays plain text). Links open normally; external
 * ones get rel="noopener noreferrer".
 */
const md = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false });

const SAFE_LINK = /^(https?:|mailto:)/i;
md.validateLink = (url: string) => SAFE_LINK.test(url.trim());

const defaultLinkOpen =
  md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const href = tokens[idx]!.attrGet('href') ?? '';
  if (/^https?:/i.test(href)) tokens[idx]!.attrSet('rel', 'noopener noreferrer');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/** HTML of a Markdown text (safe to output unescaped). */
export function renderMarkdown(source: string): string {
  return md.render(source);
}
