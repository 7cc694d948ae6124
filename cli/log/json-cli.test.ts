import { describe, expect, it } from "vitest";
import { main } from "../main.js";
import { writeProject } from "../testing/project-fixture.js";
import { recordingIO } from "../testing/recording-io.js";

/** Every line parsed as JSON: throws on a plain-text one. */
const lines = (text: string) =>
  text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("--log-format json: every line is JSON with dbt's field names", () => {
  it("a command's lines, warnings and its fatal error alike", async () => {
    const dir = writeProject({ "models/a.sql": "select 1 as id\n" });
    const io = recordingIO({ env: {}, cwd: dir });
    expect(
      await main(["node", "floe", "compile", "--project-dir", dir, "--log-format", "json", "-s", "nope"], io),
    ).toBe(0);
    const all = [...lines(io.stdoutText()), ...lines(io.stderrText())];
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const line of all) {
      expect(line).toMatchObject({
        level: expect.any(String),
        invocation_id: expect.any(String),
        msg: expect.any(String),
      });
      expect(typeof line.ts).toBe("string");
    }
    expect(all.find((l) => l.level === "warn")?.msg).toBe("no nodes selected.");
    expect(all.find((l) => l.event === "compile.done")).toMatchObject({
      model: 1,
      elapsed_s: expect.any(Number),
    });
    // Floats are rounded (3 decimals), never 0.30000000000000004.
    const elapsed = String(all.find((l) => l.event === "compile.done")?.elapsed_s);
    expect(elapsed).toMatch(/^\d+(\.\d{1,3})?$/);

    const broken = writeProject({ "models/a.sql": "select {{ ref('b') }}\n" });
    const failing = recordingIO({ env: {}, cwd: broken });
    expect(
      await main(["node", "floe", "compile", "--project-dir", broken, "--log-format", "json"], failing),
    ).toBe(2);
    expect(failing.stdoutText()).toBe("");
    expect(lines(failing.stderrText())).toEqual([
      expect.objectContaining({
        level: "error",
        code: "CONFIG",
        msg: "Jinja call {{ ref('b') }}. Floe templates are Handlebars, not Jinja.",
        exit_code: 2,
        invocation_id: expect.any(String),
      }),
    ]);
  });
});
