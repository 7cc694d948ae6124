import { describe, expect, it } from "vitest";
import { floe, writeRunnerProject } from "../testing/run-fixture.js";

/** Issue 12, defect 9: under --log-format json a fatal error was printed as plain text. */
describe("a fatal error under --log-format json", () => {
  const dir = writeRunnerProject("unused", {
    "models/a.sql": "select 1 as id\n",
    "models/schema.yml": "version: 2\nmodels:\n  - name: a\n    config: {materialized: tabel}\n",
  });

  /** Every line of stderr parsed as JSON: throws on a plain-text line. */
  const jsonLines = (stderr: string) =>
    stderr
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it("a config error is one JSON line with code, location and hint", async () => {
    const result = await floe(dir, "ls", "--log-format", "json");
    expect(result.exitCode).toBe(2);
    const lines = jsonLines(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: "error",
      event: "error",
      code: "CONFIG",
      location: { file: "models/schema.yml", path: "models[0].config.materialized" },
      exit_code: 2,
    });
    expect(String(lines[0]?.hint)).toContain("view, table");
  });

  it("a usage error (--log-format=json spelling) and commander's own errors too", async () => {
    const good = writeRunnerProject("unused", { "models/a.sql": "select 1 as id\n" });
    const selector = await floe(good, "ls", "--log-format=json", "-s", "a++");
    expect(selector.exitCode).toBe(2);
    expect(jsonLines(selector.stderr)).toEqual([expect.objectContaining({ code: "USAGE", level: "error" })]);
    const unknown = await floe(good, "ls", "--log-format", "json", "--no-such-flag");
    expect(unknown.exitCode).toBe(2);
    expect(jsonLines(unknown.stderr)).toEqual([
      expect.objectContaining({ code: "USAGE", msg: "unknown option '--no-such-flag'" }),
    ]);
  });

  it("text mode is unchanged", async () => {
    const result = await floe(dir, "ls");
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^Error \[CONFIG\] models\/schema\.yml:4/);
  });
});
