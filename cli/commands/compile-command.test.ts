import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadProject, renderNodes } from "../compile/compile.js";
import { writeProject } from "../testing/project-fixture.js";

/**
 * `floe init/parse/compile` as users run them: the built CLI (`bin/floe.js` → dist/, which `npm test`
 * builds first) in its own process, with no engine. The compiled-SQL writer thread only exists in dist/,
 * so this is where it is exercised.
 */
const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function floe(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(repo, "bin/floe.js"), ...args], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("floe compile (the built CLI, no engine)", () => {
  it("compiles the project `floe init` creates", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "floe-init-")), "starter");
    expect(floe("init", dir).status).toBe(0);
    const compiled = floe("compile", "--project-dir", dir);
    expect(compiled.stderr).toBe("");
    expect(compiled.status).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, "target/manifest.json"), "utf8"));
    expect(manifest.metadata.dbt_schema_version).toBe("https://schemas.getdbt.com/dbt/manifest/v12.json");
    const nodes = Object.values(
      manifest.nodes as Record<string, { resource_type: string; compiled_path?: string }>,
    );
    const withSql = nodes.filter((n) => n.resource_type === "model" || n.resource_type === "test");
    expect(withSql.length).toBeGreaterThan(0);
    for (const node of withSql) expect(existsSync(join(dir, node.compiled_path ?? "?"))).toBe(true);
  });

  it("compiles the repository's own project", () => {
    const result = floe("compile", "--project-dir", repo);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Compiled \d+ nodes/);
  });

  it("writes many files through the writer thread exactly as the API renders them, and only changes after", () => {
    const files: Record<string, string> = {
      "macros/money.sql": "cast({{column}} as decimal(18, 2)) / 100\n",
    };
    let yml = "version: 2\nmodels:\n";
    for (let i = 0; i < 400; i++) {
      const ref = i === 0 ? "" : `join {{ref "m${i - 1}"}} p using (id)`;
      files[`models/g${i % 7}/m${i}.sql`] =
        `{{config materialized="${i % 5 === 0 ? "table" : "view"}"}}\nselect id, {{> money column="cents"}} as amount from src ${ref}\n`;
      yml += `  - name: m${i}\n    columns:\n      - name: id\n        tests: [not_null, unique]\n`;
    }
    files["models/schema.yml"] = yml;
    const dir = writeProject(files);

    const first = floe("compile", "--project-dir", dir);
    expect(first.stderr).toBe("");
    expect(first.stdout).toContain("(1200 files written, 0 unchanged)");
    const project = loadProject({ projectDir: dir, env: {} });
    const expected = renderNodes(project, Object.keys(project.manifest.nodes));
    expect(expected.size).toBe(1200);
    for (const [id, sql] of expected) {
      const node = project.manifest.nodes[id] as { compiled_path: string };
      expect(readFileSync(join(dir, node.compiled_path), "utf8")).toBe(sql.endsWith("\n") ? sql : `${sql}\n`);
    }

    expect(floe("compile", "--project-dir", dir).stdout).toContain("(0 files written, 1200 unchanged)");
    writeFileSync(join(dir, "models/g3/m3.sql"), "select 3 as id\n");
    expect(floe("compile", "--project-dir", dir).stdout).toContain("(1 files written, 1199 unchanged)");
    expect(readFileSync(join(dir, "target/compiled/shop/models/g3/m3.sql"), "utf8")).toBe("select 3 as id\n");
  });

  it("reuses an unchanged project's result: the same manifest with a new generated_at, patched in place", () => {
    const dir = writeProject({
      "models/a.sql": 'select {{env "FLOE_RESULT_TEST" "unset"}} as v\n',
      "models/b.sql": 'select * from {{ref "a"}} where x = {{var "x" 1}}\n',
    });
    const run = (env: Record<string, string>, ...args: string[]) =>
      spawnSync(process.execPath, [join(repo, "bin/floe.js"), "compile", "--project-dir", dir, ...args], {
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1", ...env },
      });
    const manifestPath = join(dir, "target/manifest.json");
    const a = join(dir, "target/compiled/shop/models/a.sql");
    expect(run({ FLOE_RESULT_TEST: "1" }).stdout).toContain("(2 files written, 0 unchanged)");
    const full = readFileSync(manifestPath, "utf8");
    const inode = statSync(manifestPath).ino;

    const second = run({ FLOE_RESULT_TEST: "1" });
    expect(second.stdout).toMatch(/^Compiled 2 nodes \(2 models.*\(0 files written, 2 unchanged\)\.\n$/);
    // Reused: the manifest was patched, not rewritten; only generated_at differs from the full run's.
    expect(statSync(manifestPath).ino).toBe(inode);
    const reused = readFileSync(manifestPath, "utf8");
    const generatedAt = (text: string) => JSON.parse(text).metadata.generated_at as string;
    expect(generatedAt(reused)).not.toBe(generatedAt(full));
    expect(reused.replace(generatedAt(reused), "")).toBe(full.replace(generatedAt(full), ""));
    expect(Number.isNaN(Date.parse(generatedAt(reused)))).toBe(false);

    // Each input the build read makes it a full compile again.
    expect(run({ FLOE_RESULT_TEST: "2" }).stdout).toContain("(1 files written, 1 unchanged)");
    // Rewritten (a new file renamed over it), checked at once: a later rewrite may get the freed inode back.
    expect(statSync(manifestPath).ino).not.toBe(inode);
    expect(readFileSync(a, "utf8")).toBe("select 2 as v\n");
    expect(run({ FLOE_RESULT_TEST: "2" }, "--vars", "{x: 5}").stdout).toContain(
      "(1 files written, 1 unchanged)",
    );
    // So does an output changed behind its back: deleted compiled SQL is written again.
    rmSync(join(dir, "target/compiled"), { recursive: true });
    expect(run({ FLOE_RESULT_TEST: "2" }, "--vars", "{x: 5}").stdout).toContain(
      "(2 files written, 0 unchanged)",
    );
    expect(readFileSync(a, "utf8")).toBe("select 2 as v\n");
    writeFileSync(manifestPath, "{}");
    expect(run({ FLOE_RESULT_TEST: "2" }, "--vars", "{x: 5}").stdout).toContain(
      "(0 files written, 2 unchanged)",
    );
    expect(JSON.parse(readFileSync(manifestPath, "utf8")).nodes["model.shop.b"]).toBeDefined();
  });

  it("after a render error part-way, keeps the old manifest and later rewrites files it replaced", () => {
    // A chain m0 → m1 → … so m0 renders first and m1199 last; 1,200 nodes use the writer threads.
    const files: Record<string, string> = {};
    for (let i = 0; i < 1200; i++) {
      files[`models/g${i % 5}/m${i}.sql`] =
        i === 0 ? "select 1 as id\n" : `select * from {{ref "m${i - 1}"}}\n`;
    }
    const dir = writeProject(files);
    expect(floe("compile", "--project-dir", dir).stdout).toContain("(1200 files written, 0 unchanged)");
    const manifest = readFileSync(join(dir, "target/manifest.json"), "utf8");
    const m0 = join(dir, "target/compiled/shop/models/g0/m0.sql");

    writeFileSync(join(dir, "models/g0/m0.sql"), "select 2 as id\n");
    writeFileSync(
      join(dir, "models/g4/m1199.sql"),
      'select * from {{ref "m1198"}} where {{no_such_value}}\n',
    );
    const failed = floe("compile", "--project-dir", dir);
    expect(failed.status).toBe(2);
    expect(failed.stderr).toContain("models/g4/m1199.sql");
    expect(readFileSync(join(dir, "target/manifest.json"), "utf8")).toBe(manifest);
    expect(readFileSync(m0, "utf8")).toBe("select 2 as id\n");

    // Both edits undone: m0's SQL is what the last good compile wrote, but its file now differs.
    writeFileSync(join(dir, "models/g0/m0.sql"), "select 1 as id\n");
    writeFileSync(join(dir, "models/g4/m1199.sql"), 'select * from {{ref "m1198"}}\n');
    expect(floe("compile", "--project-dir", dir).status).toBe(0);
    expect(readFileSync(m0, "utf8")).toBe("select 1 as id\n");
  });

  it("reports a file it cannot write by path with exit 2, and records neither manifest nor index", () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 1200; i++) files[`models/g${i % 5}/m${i}.sql`] = `select ${i} as id\n`;
    const dir = writeProject(files);
    // A folder where a compiled file goes: the writer thread's open() fails.
    mkdirSync(join(dir, "target/compiled/shop/models/g0/m5.sql"), { recursive: true });
    const result = floe("compile", "--project-dir", dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Error [ARTIFACT_WRITE_FAILED] cannot write compiled SQL: EISDIR");
    expect(result.stderr).toContain("target/compiled/shop/models/g0/m5.sql");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, "target/manifest.json"))).toBe(false);
    expect(existsSync(join(dir, "target/compiled/.floe-index"))).toBe(false);

    // The manifest's own path taken by a folder: reported by name too (a small project, written in place).
    const small = writeProject({ "models/a.sql": "select 1 as id\n" });
    mkdirSync(join(small, "target/manifest.json"), { recursive: true });
    const manifest = floe("compile", "--project-dir", small);
    expect(manifest.status).toBe(2);
    expect(manifest.stderr).toContain("Error [ARTIFACT_WRITE_FAILED] cannot write manifest.json");
    expect(manifest.stderr).not.toMatch(/\n\s+at /);
  });

  it("reports a template syntax error at file:line:column with exit 2 and no stack trace", () => {
    const dir = writeProject({ "models/bad.sql": "select 1\nfrom {{ref 'a'\n" });
    const result = floe("compile", "--project-dir", dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("models/bad.sql:2");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, "target/manifest.json"))).toBe(false);
  });

  it("finishes and exits 0 when the reader closes stdout early (floe compile | head -0)", async () => {
    const dir = writeProject({ "models/a.sql": "select 1 as id\n" });
    const child = spawn(process.execPath, [join(repo, "bin/floe.js"), "compile", "--project-dir", dir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk);
    });
    const code = await new Promise<number | null>((done) => child.on("exit", (c) => done(c)));
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(existsSync(join(dir, "target/compiled/shop/models/a.sql"))).toBe(true);
  });
});
