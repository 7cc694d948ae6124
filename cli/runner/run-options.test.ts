import { describe, expect, it } from "vitest";
import type { TrinoConnection } from "../../trino/connection.js";
import { loadProject } from "../compile/compile.js";
import { writeRunnerProject } from "../testing/run-fixture.js";
import { runTaskOptions } from "./run-options.js";

const noTrino = {} as TrinoConnection;

describe("runTaskOptions", () => {
  const dir = writeRunnerProject("opts_s", { "models/a.sql": "select 1 as id\n" }, { threads: 3 });
  const project = loadProject({ projectDir: dir, env: {} });
  const base = { project, kind: "build", selected: new Set<string>(), connection: noTrino } as const;

  it("defaults threads to the profile's, reads project files from its root, records the bare command", () => {
    const options = runTaskOptions({ ...base, logger: { event: () => {} } });
    expect(options.threads).toBe(3);
    expect(options.fullRefresh).toBe(false);
    expect(options.locationRoot).toBe("s3://warehouse");
    expect(options.readProjectFile("models/a.sql")).toBe("select 1 as id\n");
    expect(JSON.stringify(options.args)).toBe(
      '{"which":"build","full_refresh":false,"store_failures":false,"threads":3,"target":"dev"}',
    );
  });

  it("records the command line in run_results.json's order; state only with defer", () => {
    const options = runTaskOptions({
      ...base,
      logger: { event: () => {} },
      threads: 2,
      fullRefresh: true,
      commandLine: {
        profilesDir: "p",
        projectDir: "d",
        state: "/abs/state",
        defer: true,
        vars: "{a: 1}",
        exclude: ["b"],
        select: ["a+"],
      },
    });
    expect(Object.keys(options.args)).toEqual([
      "which",
      "select",
      "exclude",
      "full_refresh",
      "store_failures",
      "threads",
      "target",
      "vars",
      "defer",
      "state",
      "project_dir",
      "profiles_dir",
    ]);
    expect(options.args.state).toBe("/abs/state");
    const noDefer = runTaskOptions({ ...base, logger: { event: () => {} }, commandLine: { state: "/s" } });
    expect(noDefer.args.state).toBeUndefined();
  });
});
