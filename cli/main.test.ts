import { describe, expect, it } from "vitest";
import { main } from "./main.js";
import { writeProject } from "./testing/project-fixture.js";
import { recordingIO } from "./testing/recording-io.js";

/** The CLI run in-process with a recording IO: each action's exit code comes back, its text is recorded. */
async function floe(...args: string[]) {
  const io = recordingIO();
  const exitCode = await main(["node", "floe", ...args], io);
  return { exitCode, stdout: io.stdoutText(), stderr: io.stderrText() };
}

describe("floe with a recording IO", () => {
  it("returns 0 from parse and writes its summary line to stdout only", async () => {
    const dir = writeProject({
      "models/a.sql": "select 1 as id\n",
      "models/b.sql": 'select * from {{ref "a"}}\n',
    });
    const result = await floe("parse", "--project-dir", dir);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(
      /^Parsed 2 models, 0 tests, 0 seeds, 0 sources, 0 macros in \d+\.\d\ds\.\n$/,
    );
  });

  it("writes one JSON line per event with --log-format json", async () => {
    const dir = writeProject({ "models/a.sql": "select 1 as id\n" });
    const result = await floe("compile", "--project-dir", dir, "--log-format", "json");
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      event: "compile.done",
      level: "info",
      model: 1,
      written: 1,
    });
  });

  it("returns the exit code an action computes (validate: 2 on project errors), not only thrown ones", async () => {
    const dir = writeProject({ "models/a.sql": 'select {{var "not_set"}} as x\n' });
    const result = await floe("validate", "--no-engine", "--project-dir", dir);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toContain("models/a.sql:1:8: variable 'not_set' is not defined");
    expect(result.stdout).toContain("Project errors: 1");
  });

  it("renders a thrown error once, on stderr, with its exit code", async () => {
    const dir = writeProject({ "models/a.sql": 'select * from {{ref "nope"}}\n' });
    const result = await floe("ls", "--project-dir", dir);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^Error \[[A-Z_]+\] models\/a\.sql.*nope.*\n$/);
  });

  it("sends commander's own output (--version, unknown options) through the IO too", async () => {
    expect(await floe("--version")).toEqual({ exitCode: 0, stdout: "0.1.0\n", stderr: "" });
    const unknown = await floe("parse", "--no-such-flag");
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--no-such-flag'");
  });

  it("starts from the IO's directory when no --project-dir is given", async () => {
    const dir = writeProject({ "models/a.sql": "select 1 as id\n" });
    const io = recordingIO({ cwd: dir });
    expect(await main(["node", "floe", "ls"], io)).toBe(0);
    expect(io.stdoutText()).toBe("a\n");
  });
});
