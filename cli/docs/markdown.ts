import MarkdownIt from "markdown-it";

/**
 * Descriptions as Markdown for the docs site, rendered once at `docs generate` time with markdown-it
 * (CommonMark, well kept, no plugins), so the page itself carries no Markdown library.
 *
 * Safety first: `html: false` escapes any raw HTML in a description (an `<img onerror>` shows as text), and
 * markdown-it's link validation refuses `javascript:`, `vbscript:`, `file:` and non-image `data:` targets (such
 * a link renders as its text). Links open with `rel="noopener"`. The output is the only HTML the page
 * inserts as markup.
 */
const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });

const defaultLinkOpen =
  markdown.renderer.rules.link_open ??
  ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
markdown.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]?.attrSet("rel", "noopener");
  return defaultLinkOpen(tokens, idx, options, env, self);
};

export function renderMarkdown(text: string): string {
  return markdown.render(text).trimEnd();
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}
