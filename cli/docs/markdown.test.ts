import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./markdown.js";

describe("renderMarkdown (markdown-it, html off)", () => {
  it("renders paragraphs, headings, lists, emphasis, code and links", () => {
    const html = renderMarkdown(
      "# Orders\n\nOne row per **order**, *paid* or not;\nsee `fct_orders`.\n\n- placed\n- shipped\n  and delivered\n\n1. first\n2. second\n\n```sql\nselect 1 < 2\n```\n[docs](https://example.com/a?b=1&c=2)",
    );
    expect(html).toBe(
      [
        "<h1>Orders</h1>",
        "<p>One row per <strong>order</strong>, <em>paid</em> or not;\nsee <code>fct_orders</code>.</p>",
        "<ul>\n<li>placed</li>\n<li>shipped\nand delivered</li>\n</ul>",
        "<ol>\n<li>first</li>\n<li>second</li>\n</ol>",
        '<pre><code class="language-sql">select 1 &lt; 2\n</code></pre>',
        '<p><a href="https://example.com/a?b=1&amp;c=2" rel="noopener">docs</a></p>',
      ].join("\n"),
    );
  });

  it("escapes HTML in descriptions: markup shows as text, never as elements", () => {
    expect(renderMarkdown('<img src=x onerror="alert(1)"> & <b>bold</b>')).toBe(
      "<p>&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &lt;b&gt;bold&lt;/b&gt;</p>",
    );
    expect(renderMarkdown("`<script>`")).toBe("<p><code>&lt;script&gt;</code></p>");
  });

  it("refuses script and data links (they stay text) and keeps mailto, relative and anchor links", () => {
    for (const bad of ["[x](javascript:alert(1))", "[x](JavaScript:alert)", "[x](data:text/html,hi)"]) {
      expect(renderMarkdown(bad)).not.toContain("href");
    }
    expect(renderMarkdown("[x](mailto:a@b.c) [y](#top) [z](../other.html)")).toBe(
      '<p><a href="mailto:a@b.c" rel="noopener">x</a> <a href="#top" rel="noopener">y</a> <a href="../other.html" rel="noopener">z</a></p>',
    );
  });

  it("leaves snake_case names and lone asterisks alone", () => {
    expect(renderMarkdown("stg_user_events and a_b_c; 2 * 3")).toBe(
      "<p>stg_user_events and a_b_c; 2 * 3</p>",
    );
  });
});
