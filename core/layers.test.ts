import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * ARCHITECTURE.md's layer table as a check: an import may point to its own layer or below, never up.
 * biome's noImportCycles catches file-level cycles; this catches the upward import that has not closed a
 * cycle yet (ingest/ reaching into cli/, the data model reaching into the compiler).
 */
const ROOT = resolve(import.meta.dirname, "..");

const LAYERS: readonly (readonly string[])[] = [
  ["core"],
  ["trino"],
  ["cli/manifest", "cli/graph", "cli/data-tests"],
  ["stack", "ingest"],
  ["cli/templating", "cli/project", "cli/render", "cli/select", "cli/compile", "cli/plan"],
  [
    "cli/execute",
    "cli/runner",
    "cli/freshness",
    "cli/docs",
    "cli/validate",
    "cli/artifacts",
    "cli/log",
    "cli/maintain",
    "cli/packages",
    "cli/operation",
    "cli/serve",
    "cli/due",
  ],
];

/** The layer of a repository path, or undefined for the edge (cli/main.ts, cli/commands, cli/demo, tests). */
function layerOf(path: string): number | undefined {
  const index = LAYERS.findIndex((folders) => folders.some((f) => path === f || path.startsWith(`${f}/`)));
  return index === -1 ? undefined : index;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".test.ts"))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

describe("layers", () => {
  it("no module imports from a layer above its own", () => {
    const upward: string[] = [];
    for (const file of ["core", "trino", "stack", "ingest", "cli"].flatMap(sourceFiles)) {
      const own = layerOf(file);
      if (own === undefined) continue;
      for (const match of readFileSync(join(ROOT, file), "utf8").matchAll(
        /(?:from|import\()\s*"(\.{1,2}\/[^"]+)"/g,
      )) {
        const target = relative(ROOT, resolve(dirname(join(ROOT, file)), match[1] ?? ""));
        const layer = layerOf(target);
        if (layer === undefined || layer > own) upward.push(`${file} → ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it("knows every folder it checks", () => {
    expect(layerOf("ingest/sink.ts")).toBe(3);
    expect(layerOf("cli/commands/run.ts")).toBeUndefined();
    expect(layerOf("cli/manifest/manifest.ts")).toBe(2);
  });
});
