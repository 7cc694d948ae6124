import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../main.js";
import { writeProject } from "../testing/project-fixture.js";
import { recordingIO } from "../testing/recording-io.js";

/**
 * Issue 17's flags through `main(argv, recordingIO())`, for what needs no Trino: selection (--selector,
 * selectors.yml, --resource-type, "Nothing to do"), compile's printing (-s, --inline, -q), --vars @file and
 * --target-path. What runs queries (--fail-fast, --empty, --warn-error, -q on a run) is in
 * run-flags.int.test.ts, on the local stack.
 */
const FILES = {
  "models/stg_orders.sql": "select 1 as id, 'x' as status\n",
  "models/orders.sql": '{{config materialized="table"}}\nselect id from {{ref "stg_orders"}}\n',
  "models/report.sql": 'select {{var "limit"}} as n from {{ref "orders"}}\n',
  "models/schema.yml":
    "version: 2\nmodels:\n  - name: orders\n    config: {tags: [nightly]}\n    columns:\n      - name: id\n        tests: [not_null]\n",
};

async function floe(dir: string, ...args: string[]) {
  const io = recordingIO({ cwd: dir, env: {} });
  const exitCode = await main(["node", "floe", ...args, "--project-dir", dir], io);
  return { exitCode, stdout: io.stdoutText(), stderr: io.stderrText() };
}

const withVars = (_dir: string) => ["--vars", "{limit: 3}"];

describe("compile -s and --inline", () => {
  it("compile -s prints the selected model's compiled SQL (refs resolved) and still writes artifacts", async () => {
    const dir = writeProject(FILES);
    const out = await floe(dir, "compile", "-s", "orders", ...withVars(dir));
    expect(out.stderr).toBe("");
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toContain(
      `Compiled node 'orders' is:\nselect id from "iceberg"."analytics"."stg_orders"\n`,
    );
    // Only the selected model, not its test nor the other models.
    expect(out.stdout).not.toContain("Compiled node 'stg_orders'");
    expect(out.stdout).not.toContain("not_null");
    expect(out.stdout).toMatch(/Compiled 2 nodes/);
    expect(existsSync(join(dir, "target/compiled/shop/models/orders.sql"))).toBe(true);
  });

  it("compile -q -s prints only the SQL; without -s nothing is printed but the summary", async () => {
    const dir = writeProject(FILES);
    const quiet = await floe(dir, "compile", "-q", "-s", "stg_orders", ...withVars(dir));
    expect(quiet.exitCode).toBe(0);
    expect(quiet.stdout).toBe("select 1 as id, 'x' as status\n");
    const all = await floe(dir, "compile", ...withVars(dir));
    expect(all.stdout).not.toContain("Compiled node");
    expect(all.stdout).toMatch(/^Compiled 4 nodes/);
  });

  it("compile --inline renders an ad-hoc template against the project and writes nothing", async () => {
    const dir = writeProject(FILES);
    const out = await floe(
      dir,
      "compile",
      "--inline",
      'select count(*) from {{ref "orders"}}',
      ...withVars(dir),
    );
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toBe(
      `Compiled node 'inline query' is:\nselect count(*) from "iceberg"."analytics"."orders"\n\n`,
    );
    expect(existsSync(join(dir, "target/manifest.json"))).toBe(false);
    const bad = await floe(dir, "compile", "--inline", 'select * from {{ref "ordres"}}', ...withVars(dir));
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('did you mean {{ref "orders"}}');
  });

  it("compile --log-format json prints one compile.node event per selected model", async () => {
    const dir = writeProject(FILES);
    const out = await floe(dir, "compile", "-s", "orders", "--log-format", "json", ...withVars(dir));
    const events = out.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(events[0]).toMatchObject({ event: "compile.node", unique_id: "model.shop.orders" });
    expect(events[0].compiled_code).toContain('"stg_orders"');
    expect(events.at(-1).event).toBe("compile.done");
  });
});

describe("--vars @file", () => {
  it("reads the variables from a YAML file (relative to the current folder)", async () => {
    const dir = writeProject({ ...FILES, "vars/ci.yml": "limit: 42\n" });
    const out = await floe(dir, "compile", "-q", "-s", "report", "--vars", "@vars/ci.yml");
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toBe('select 42 as n from "iceberg"."analytics"."orders"\n');
  });

  it("a missing file is a usage error naming the path", async () => {
    const dir = writeProject(FILES);
    const out = await floe(dir, "compile", "--vars", "@nope.yml");
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toContain("--vars must be YAML text or @<file>, got '@nope.yml'");
    expect(out.stderr).toContain(`${join(dir, "nope.yml")} does not exist`);
  });
});

describe("--target-path", () => {
  it("writes the manifest and compiled SQL there instead of target/", async () => {
    const dir = writeProject(FILES);
    const out = await floe(dir, "compile", "--target-path", "out/ci", ...withVars(dir));
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toContain("to out/ci/compiled/shop");
    expect(existsSync(join(dir, "out/ci/manifest.json"))).toBe(true);
    expect(existsSync(join(dir, "out/ci/compiled/shop/models/orders.sql"))).toBe(true);
    expect(existsSync(join(dir, "target"))).toBe(false);
  });
});

const SELECTORS = `selectors:
  - name: nightly
    description: the nightly tables and what they read
    definition:
      method: tag
      value: nightly
      parents: true
  - name: just_staging
    default: true
    definition: "path:models/stg_orders.sql"
  - name: all_but_report
    definition:
      union:
        - "fqn:*"
        - exclude: ["report"]
`;

describe("--selector and selectors.yml", () => {
  it("selects with a named selector: method, value and parents", async () => {
    const dir = writeProject({ ...FILES, "selectors.yml": SELECTORS });
    const out = await floe(dir, "ls", "--selector", "nightly", ...withVars(dir));
    expect(out.exitCode).toBe(0);
    expect(out.stdout.trim().split("\n")).toEqual(["orders", "stg_orders", "not_null_orders_id"]);
  });

  it("a union with an exclude; the default selector applies when nothing is selected", async () => {
    const dir = writeProject({ ...FILES, "selectors.yml": SELECTORS });
    const union = await floe(dir, "ls", "--selector", "all_but_report", ...withVars(dir));
    expect(union.stdout).not.toContain("report");
    expect(union.stdout).toContain("stg_orders");
    const byDefault = await floe(dir, "ls", ...withVars(dir));
    expect(byDefault.stdout.trim()).toBe("stg_orders");
    // --select replaces the default, as in dbt.
    const explicit = await floe(dir, "ls", "-s", "report", ...withVars(dir));
    expect(explicit.stdout.trim()).toBe("report");
  });

  it("an unknown selector name says which exist; --selector with --select is refused", async () => {
    const dir = writeProject({ ...FILES, "selectors.yml": SELECTORS });
    const unknown = await floe(dir, "ls", "--selector", "nighly", ...withVars(dir));
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain("selectors.yml defines no selector named 'nighly'");
    expect(unknown.stderr).toContain("did you mean --selector nightly?");
    const both = await floe(dir, "ls", "--selector", "nightly", "-s", "orders", ...withVars(dir));
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain("--selector cannot be combined with --select or --exclude");
  });

  it("selectors.yml has strict keys: a misspelled key names the closest one, with its line", async () => {
    const dir = writeProject({
      ...FILES,
      "selectors.yml": "selectors:\n  - name: x\n    definition:\n      method: tag\n      valeu: nightly\n",
    });
    const out = await floe(dir, "ls", "--selector", "x", ...withVars(dir));
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toContain("selectors.yml:5");
    expect(out.stderr).toContain("did you mean 'value'?");
  });
});

describe("a selection that matches nothing", () => {
  it("run/build/test/seed warn as dbt does, exit 0 and leave run_results.json alone", async () => {
    const dir = writeProject(FILES);
    writeFileSync(join(dir, "target-marker"), "");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(dir, "target"));
    writeFileSync(join(dir, "target/run_results.json"), '{"previous": true}');
    for (const command of ["run", "build", "test", "seed"]) {
      const out = await floe(dir, command, "-s", "tag:nothing_has_this", ...withVars(dir));
      expect(out.exitCode, command).toBe(0);
      expect(out.stderr).toBe(
        "Warning: Nothing to do. Try checking your model configs and model specification args\n",
      );
    }
    expect(readFileSync(join(dir, "target/run_results.json"), "utf8")).toBe('{"previous": true}');
    // `floe seed` in a project without seeds: also nothing to do.
    const warnError = await floe(dir, "seed", "--warn-error", ...withVars(dir));
    expect(warnError.exitCode).toBe(1);
    expect(warnError.stderr).toContain("Nothing to do.");
  });

  it("build --resource-type keeps only those types (repeatable); snapshot selects nothing yet", async () => {
    const dir = writeProject(FILES);
    const snapshots = await floe(dir, "build", "--resource-type", "snapshot", ...withVars(dir));
    expect(snapshots.exitCode).toBe(0);
    expect(snapshots.stderr).toContain("Nothing to do.");
    const wrong = await floe(dir, "build", "--resource-type", "modle", ...withVars(dir));
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toContain(
      "--resource-type must be one of model, test, seed, snapshot, unit_test, got 'modle'",
    );
  });

  it("-q hides the warning", async () => {
    const dir = writeProject(FILES);
    const out = await floe(dir, "run", "-q", "-s", "tag:none", ...withVars(dir));
    expect(out.exitCode).toBe(0);
    expect(out.stderr).toBe("");
    expect(out.stdout).toBe("");
  });
});

describe("--warn-error on project warnings", () => {
  it("a project warning (an empty yml file) stops run/build before connecting: exit 1, the warning named", async () => {
    const dir = writeProject({ ...FILES, "models/empty.yml": "" });
    const lenient = await floe(dir, "run", "-s", "tag:none", ...withVars(dir));
    expect(lenient.exitCode).toBe(0);
    expect(lenient.stderr).toContain("Warning: models/empty.yml is empty; it was skipped.");
    const strict = await floe(dir, "build", "--warn-error", ...withVars(dir));
    expect(strict.exitCode).toBe(1);
    expect(strict.stderr).toContain(
      "Error [WARN_ERROR] --warn-error: the project has 1 warning (models/empty.yml is empty; it was skipped.).",
    );
  });
});
