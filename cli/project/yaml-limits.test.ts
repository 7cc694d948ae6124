import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors.js";
import { loadProjectFast } from "../compile/compile-pipeline.js";
import { errorOf, loadFixture, writeProject } from "../testing/project-fixture.js";
import { MAX_ALIAS_EXPANSION, MAX_YAML_BYTES, MAX_YAML_DEPTH, parseYaml } from "./yaml-file.js";

/**
 * Issue 12, defect 4: a YAML "billion laughs" in schema.yml ran the compiler out of memory (V8 abort, exit
 * 134). Every YAML file goes through `parseYaml`, which bounds alias expansion, nesting and size.
 */

/** `levels` anchors, each a list of `width` aliases of the one before: width^levels leaves. */
function aliasBomb(levels: number, indent: string, width = 9): string {
  let yaml = `${indent}l0: &l0 [${Array(width).fill('"lol"').join(", ")}]\n`;
  for (let i = 1; i < levels; i++) {
    yaml += `${indent}l${i}: &l${i} [${Array(width)
      .fill(`*l${i - 1}`)
      .join(", ")}]\n`;
  }
  return yaml;
}

function schemaWithBomb(levels: number): string {
  return `version: 2\nmodels:\n  - name: a\n    config:\n      meta:\n${aliasBomb(levels, "        ")}        top: *l${levels - 1}\n`;
}

describe("YAML limits", () => {
  it("an alias bomb in schema.yml is a ConfigError naming the file, at once", () => {
    const started = performance.now();
    const error = errorOf(() =>
      loadFixture({ "models/a.sql": "select 1", "models/schema.yml": schemaWithBomb(7) }),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.location?.file).toBe("models/schema.yml");
    expect(error.message).toContain("aliases");
    expect(error.hint).toContain("anchors");
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("the full-size bomb (9^9 nodes) fails just as fast through the CLI's cached pipeline", async () => {
    const dir = writeProject({ "models/a.sql": "select 1", "models/schema.yml": schemaWithBomb(9) });
    const started = performance.now();
    await expect(loadProjectFast({ projectDir: dir, env: {} })).rejects.toMatchObject({
      code: "CONFIG",
      location: { file: "models/schema.yml" },
    });
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("`floe compile` on the full-size bomb: exit 2 and one line naming the file (was: 91 s, 4.2 GB, exit 134)", () => {
    const dir = writeProject({ "models/a.sql": "select 1", "models/schema.yml": schemaWithBomb(9) });
    const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
    const started = performance.now();
    // A 512 MB heap: the old parser's expansion aborts within it at once instead of taking the machine's memory.
    const result = spawnSync(process.execPath, [join(repo, "bin/floe.js"), "compile", "--project-dir", dir], {
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: "--max-old-space-size=512" },
      timeout: 60_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^Error \[CONFIG\] models\/schema\.yml:\d+: the aliases in models\/schema\.yml expand to more than 100,000 nodes/,
    );
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it("a bomb in floe_project.yml or profiles.yml is caught the same way", () => {
    const project = errorOf(() =>
      loadFixture({
        "floe_project.yml": `name: shop\nprofile: floe\nvars:\n${aliasBomb(8, "  ")}  all: *l7\n`,
      }),
    );
    expect(project).toMatchObject({ code: "CONFIG", location: { file: "floe_project.yml" } });
    expect(() => parseYaml(`x:\n${aliasBomb(8, "  ")}  all: *l7\n`, "profiles.yml")).toThrow(/aliases/);
  });

  it("anchors and aliases of ordinary size still work, merges included", () => {
    const text = `defaults: &defaults {materialized: table, tags: [a, b]}\none: *defaults\ntwo: {<<: *defaults, tags: [c]}\n`;
    expect(parseYaml(text, "f.yml")).toEqual({
      defaults: { materialized: "table", tags: ["a", "b"] },
      one: { materialized: "table", tags: ["a", "b"] },
      two: { materialized: "table", tags: ["c"] },
    });
    // A shared column list reused by a few hundred models is far below the limit.
    let many = "cols: &cols [{name: id, tests: [not_null, unique]}, {name: ts}]\nmodels:\n";
    for (let i = 0; i < 300; i++) many += `  - {name: m${i}, columns: *cols}\n`;
    expect((parseYaml(many, "f.yml") as { models: unknown[] }).models).toHaveLength(300);
  });

  it("a chain of merge keys (quadratic work in the parser) is cut off", () => {
    let text = "a0: &a0 {k0: 1}\n";
    for (let i = 1; i < 3000; i++) text += `a${i}: &a${i} {<<: *a${i - 1}, k${i}: 1}\n`;
    const started = performance.now();
    expect(() => parseYaml(text, "models/m.yml")).toThrow(/aliases/);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("an alias inside its own anchor (a cycle) is a ConfigError, not a stack overflow later", () => {
    for (const text of ["&a [*a]", "a: &a {b: *a}", "a: &a\n  b:\n    - c: *a\n"]) {
      const error = errorOf(() => parseYaml(text, "models/s.yml"));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toContain("refers to itself");
      expect(error.location?.file).toBe("models/s.yml");
    }
  });

  it("deep nesting and oversized files are ConfigErrors with the limit and the fix", () => {
    const deep = errorOf(() => parseYaml(`${"[".repeat(5000)}${"]".repeat(5000)}`, "models/s.yml"));
    expect(deep).toBeInstanceOf(ConfigError);
    expect(deep.message).toContain(`${MAX_YAML_DEPTH} levels`);
    const big = errorOf(() => parseYaml(`# ${"x".repeat(MAX_YAML_BYTES)}\n`, "models/big.yml"));
    expect(big).toBeInstanceOf(ConfigError);
    expect(big.location?.file).toBe("models/big.yml");
    expect(big.hint).toContain("split");
  });

  it("the limit is on expanded nodes: just under passes, just over fails", () => {
    // One anchored list of n scalars (n + 1 nodes) aliased k times adds k * (n + 1) nodes.
    const list = (n: number, k: number) =>
      `a: &a [${Array(n).fill(1).join(",")}]\nb: [${Array(k).fill("*a").join(",")}]\n`;
    const n = 999;
    const k = Math.floor(MAX_ALIAS_EXPANSION / (n + 1));
    expect(() => parseYaml(list(n, k), "f.yml")).not.toThrow();
    expect(() => parseYaml(list(n, k + 1), "f.yml")).toThrow(/aliases/);
  });
});
