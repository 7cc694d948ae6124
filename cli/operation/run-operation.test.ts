import { describe, expect, it } from "vitest";
import { main } from "../main.js";
import { loadFixture, writeProject } from "../testing/project-fixture.js";
import { recordingIO } from "../testing/recording-io.js";
import { planOperation } from "./run-operation.js";

/**
 * `floe run-operation` before any statement runs: the plan (render + split), and the CLI's errors for an
 * unknown macro and bad --args, which stop before connecting (the stack-backed runs are in
 * run-operation.int.test.ts).
 */
const MACRO = {
  "macros/grant_select.sql":
    '{{#each roles}}grant select on {{ref "orders"}} to role {{this}};\n{{/each}}-- done; nothing more\n',
  "models/orders.sql": "select 1 as id\n",
};

async function floe(dir: string, ...args: string[]) {
  const io = recordingIO({ env: {} });
  const exitCode = await main(["node", "floe", ...args, "--project-dir", dir], io);
  return { exitCode, stdout: io.stdoutText(), stderr: io.stderrText() };
}

describe("planOperation", () => {
  it("renders the macro with the args and splits it into statements", () => {
    const plan = planOperation(loadFixture(MACRO), "grant_select", { roles: ["analyst", "bi"] });
    expect(plan).toEqual({
      macro: "grant_select",
      file: "macros/grant_select.sql",
      statements: [
        'grant select on "iceberg"."analytics"."orders" to role analyst',
        'grant select on "iceberg"."analytics"."orders" to role bi',
      ],
    });
  });

  it("passes args to a floe_utils macro, whose argument names are checked", () => {
    const project = loadFixture(MACRO);
    expect(planOperation(project, "floe_utils/generate_series", { upper_bound: 3 }).statements[0]).toContain(
      "_floe_n + 1 as generated_number",
    );
    expect(() => planOperation(project, "floe_utils/generate_series", { upper: 3 })).toThrow(
      "run-operation floe_utils/generate_series: {{> floe_utils/generate_series}} has no argument 'upper'",
    );
  });
});

describe("floe run-operation errors", () => {
  it("an unknown macro: exit 2 with the closest name", async () => {
    const result = await floe(writeProject(MACRO), "run-operation", "grant_selct");
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "Error [CONFIG] run-operation: no macro is named 'grant_selct'. Fix: did you mean `floe run-operation grant_select`?\n",
    );
  });

  it("--args that are not YAML, or not a mapping: exit 2 naming the flag", async () => {
    const dir = writeProject(MACRO);
    const broken = await floe(dir, "run-operation", "grant_select", "--args", "{roles: [analyst}");
    expect(broken.exitCode).toBe(2);
    expect(broken.stderr).toMatch(
      /^Error \[USAGE\] --args must be a YAML mapping of argument names to values, got '\{roles: \[analyst\}' \(not valid YAML: .+\)\. Fix: pass e\.g\. --args '\{role: analyst\}'\. Quote it for the shell\.\n$/,
    );
    const list = await floe(dir, "run-operation", "grant_select", "--args", "[analyst]");
    expect(list.exitCode).toBe(2);
    expect(list.stderr).toContain(
      "--args must be a YAML mapping of argument names to values, got '[analyst]'",
    );
  });

  it("a render error names the macro and where", async () => {
    const dir = writeProject({ "macros/needs_arg.sql": "drop table {{table}}\n" });
    const result = await floe(dir, "run-operation", "needs_arg");
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("run-operation needs_arg: '{{table}}' is not defined here.");
    expect(result.stderr).toContain("macros/needs_arg.sql:1");
  });
});
