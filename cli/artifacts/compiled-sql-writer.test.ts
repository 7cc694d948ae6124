import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Manifest } from "../manifest/manifest.js";
import { openCompiledSqlWriter, readIndex } from "./compiled-sql-writer.js";

/**
 * The writer's bookkeeping (under vitest it writes in place; the writer threads are exercised through the
 * built CLI in compile-command.test.ts).
 */
function manifestOf(names: readonly string[]): Manifest {
  const nodes: Record<string, unknown> = {};
  for (const name of names) {
    nodes[`model.p.${name}`] = {
      resource_type: "model",
      compiled_path: `target/compiled/p/models/${name}.sql`,
    };
  }
  nodes["seed.p.s"] = { resource_type: "seed", compiled_path: "target/compiled/p/seeds/s.csv" };
  return { nodes } as unknown as Manifest;
}

async function compile(root: string, manifest: Manifest, sql: Record<string, string>) {
  const writer = openCompiledSqlWriter(root, "target", manifest, Object.keys(sql).length);
  for (const [name, text] of Object.entries(sql)) writer.add(`model.p.${name}`, text);
  writer.add("seed.p.s", "ignored");
  return writer.finish();
}

const compiledFile = (root: string, name: string) =>
  readFileSync(join(root, `target/compiled/p/models/${name}.sql`), "utf8");
const index = (root: string) => join(root, "target/compiled/.floe-index");

describe("openCompiledSqlWriter", () => {
  it("writes new SQL with a final newline, skips unchanged files and seeds, and rewrites changed ones", async () => {
    const root = mkdtempSync(join(tmpdir(), "floe-writer-"));
    const manifest = manifestOf(["a", "b"]);
    expect(await compile(root, manifest, { a: "select 1", b: "select 2\n" })).toEqual({
      written: 2,
      unchanged: 0,
    });
    expect(compiledFile(root, "a")).toBe("select 1\n");
    expect(existsSync(join(root, "target/compiled/p/seeds/s.csv"))).toBe(false);
    expect(await compile(root, manifest, { a: "select 1", b: "select 2\n" })).toEqual({
      written: 0,
      unchanged: 2,
    });
    expect(await compile(root, manifest, { a: "select 1", b: "select 3" })).toEqual({
      written: 1,
      unchanged: 1,
    });
    expect(compiledFile(root, "b")).toBe("select 3\n");
  });

  it("records a first compile's index even when nothing needs writing", async () => {
    const root = mkdtempSync(join(tmpdir(), "floe-writer-"));
    expect(await compile(root, manifestOf([]), {})).toEqual({ written: 0, unchanged: 0 });
    expect(readIndex(index(root))).toEqual(new Map());
  });

  it("leaves no index after an abandoned compile, so a file it replaced is not trusted later", async () => {
    const root = mkdtempSync(join(tmpdir(), "floe-writer-"));
    const manifest = manifestOf(["a", "b"]);
    await compile(root, manifest, { a: "select 1", b: "select 2" });

    // A compile that writes a's new SQL, then fails (say, b does not render).
    const failing = openCompiledSqlWriter(root, "target", manifest, 2);
    failing.add("model.p.a", "select 'edited'");
    await failing.abandon();
    expect(compiledFile(root, "a")).toBe("select 'edited'\n");
    expect(existsSync(index(root))).toBe(false);

    // The edit is undone: a's SQL equals what the old index recorded, yet the file must be rewritten.
    expect(await compile(root, manifest, { a: "select 1", b: "select 2" })).toEqual({
      written: 2,
      unchanged: 0,
    });
    expect(compiledFile(root, "a")).toBe("select 1\n");
  });
});
