import { closestName } from "../../core/closest-name.js";
import { ConfigError } from "../../core/errors.js";
import type { ColumnInfo, DocNode, Fingerprint, ManifestNode, SourceNode } from "../manifest/manifest.js";
import { shortHash } from "./hashing.js";
import type { SourceText } from "./project-files.js";

/**
 * dbt's docs blocks: `{% docs name %} … {% enddocs %}` in `.md` files anywhere in the model (and seed) paths,
 * kept in dbt's Jinja syntax because these files come over from dbt projects as they are. A yml description
 * uses one with `{{doc "name"}}` (Floe's Handlebars) or `{{ doc('name') }}` (dbt's, accepted as written).
 * Pure: files in, descriptions out.
 */

export interface DocBlock {
  readonly name: string;
  /** The block's Markdown, without the blank lines around it. */
  readonly text: string;
  readonly file: string;
  readonly line: number;
}

const BLOCK = /\{%-?\s*docs\s+([A-Za-z_][\w]*)\s*-?%\}([\s\S]*?)\{%-?\s*enddocs\s*-?%\}/g;
const OPENING = /\{%-?\s*docs\b/g;

/** Every docs block of the files, by name; a duplicate name or an unclosed block is an error at its line. */
export function collectDocBlocks(files: readonly SourceText[]): Map<string, DocBlock> {
  const blocks = new Map<string, DocBlock>();
  for (const file of files) {
    let found = 0;
    for (const match of file.text.matchAll(BLOCK)) {
      found++;
      const name = match[1]!;
      const line = lineOf(file.text, match.index);
      const existing = blocks.get(name);
      if (existing) {
        throw new ConfigError(
          `docs block '${name}' is defined twice (also at ${existing.file}:${existing.line}).`,
          { location: { file: file.path, line }, hint: "rename or remove one of them." },
        );
      }
      blocks.set(name, { name, text: match[2]!.trim(), file: file.path, line });
    }
    const openings = [...file.text.matchAll(OPENING)];
    if (openings.length > found) {
      // The first opening no complete block starts at.
      const starts = new Set([...file.text.matchAll(BLOCK)].map((m) => m.index));
      const unclosed = openings.find((m) => !starts.has(m.index)) ?? openings[0]!;
      throw new ConfigError("a docs block is not closed or its name is not valid.", {
        location: { file: file.path, line: lineOf(file.text, unclosed.index) },
        hint: "write {% docs name %} … {% enddocs %} (a name of letters, digits and _).",
      });
    }
  }
  return blocks;
}

// `{{doc "name"}}`, `{{ doc 'name' }}`, `{{ doc("name") }}`, `{{ doc('name') }}`.
const REFERENCE = /\{\{-?\s*doc\s*(?:\(\s*(["'])([^"']*)\1\s*\)|(["'])([^"']*)\3)\s*-?\}\}/g;

/**
 * A description with each doc reference replaced by its block's text. `where` names the yml file (and the
 * entry) for an unknown name, which is an error naming the closest known block.
 */
export function renderDocReferences(
  description: string,
  blocks: ReadonlyMap<string, DocBlock>,
  where: { readonly file: string; readonly path: string },
): string {
  if (!description.includes("{{")) return description;
  return description.replace(
    REFERENCE,
    (_all, _q1, call: string | undefined, _q2, bare: string | undefined) => {
      const name = call ?? bare ?? "";
      const block = blocks.get(name);
      if (block) return block.text;
      const suggestion = closestName(name, blocks.keys());
      throw new ConfigError(
        `{{doc "${name}"}} in the description of ${where.path}: no docs block is named '${name}'.`,
        {
          location: { file: where.file, path: where.path },
          hint: suggestion
            ? `did you mean {{doc "${suggestion}"}}?`
            : `define it in a .md file under the model paths: {% docs ${name} %} … {% enddocs %}.`,
        },
      );
    },
  );
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

interface Described {
  description: string;
  columns: Record<string, ColumnInfo>;
  fingerprint: Fingerprint;
}

/**
 * Resolves the doc references of every model's, seed's and source's description and column descriptions,
 * in place, before anything reads them (the manifest, the docs site, persist_docs' COMMENTs). A node whose
 * descriptions used a block gets the resolved text in its yml fingerprint, so editing the .md file is a
 * change `state:modified` sees (its COMMENTs change).
 */
export function applyDocBlocks(
  nodes: Readonly<Record<string, ManifestNode>>,
  sources: Readonly<Record<string, SourceNode>>,
  blocks: ReadonlyMap<string, DocBlock>,
): void {
  const resolve = (target: Described, file: string, what: string) => {
    const resolved: string[] = [];
    if (target.description.includes("{{")) {
      target.description = renderDocReferences(target.description, blocks, { file, path: what });
      resolved.push(target.description);
    }
    for (const [key, column] of Object.entries(target.columns)) {
      if (!column.description.includes("{{")) continue;
      const description = renderDocReferences(column.description, blocks, {
        file,
        path: `${what}.columns.${column.name}`,
      });
      target.columns[key] = { ...column, description };
      resolved.push(`${key}\n${description}`);
    }
    if (resolved.length > 0) {
      const yml = shortHash([target.fingerprint.yml, ...resolved].join("\n"));
      target.fingerprint = { ...target.fingerprint, yml };
    }
  };
  for (const node of Object.values(nodes)) {
    if (node.resource_type === "test") continue;
    resolve(node as unknown as Described, node.patch_path ?? node.original_file_path, node.name);
  }
  for (const source of Object.values(sources)) {
    resolve(source as unknown as Described, source.original_file_path, source.name);
  }
}

/** The blocks as dbt's manifest lists them (`doc.<project>.<name>`), paths relative to their resource folder. */
export function docNodes(
  blocks: ReadonlyMap<string, DocBlock>,
  projectName: string,
  files: readonly SourceText[],
): Record<string, DocNode> {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const out: Record<string, DocNode> = {};
  for (const block of [...blocks.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const file = byPath.get(block.file);
    const base = file?.base ?? "";
    // An installed package's block is its package's, as in dbt's manifest.
    const packageName = file?.package ?? projectName;
    const id = `doc.${packageName}.${block.name}`;
    out[id] = {
      unique_id: id,
      resource_type: "doc",
      name: block.name,
      package_name: packageName,
      path: base && block.file.startsWith(`${base}/`) ? block.file.slice(base.length + 1) : block.file,
      original_file_path: block.file,
      block_contents: block.text,
    };
  }
  return out;
}
