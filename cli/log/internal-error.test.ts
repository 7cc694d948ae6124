import { describe, expect, it } from "vitest";
import { interruptNotice } from "../commands/common-flags.js";
import { main } from "../main.js";
import { writeProject } from "../testing/project-fixture.js";
import { recordingIO } from "../testing/recording-io.js";

/** A bug in Floe (anything thrown that is not a FloeError) exits 3, so scripts can tell it from a usage error (2). */
describe("internal errors", () => {
  const dir = writeProject({ "models/a.sql": "select 1 as id\n" });
  const broken = () => {
    const io = recordingIO({ env: {}, cwd: dir });
    return {
      io,
      failing: {
        ...io,
        stdout: () => {
          throw new TypeError("boom");
        },
      },
    };
  };

  it("exit 3 with the stack to report", async () => {
    const { io, failing } = broken();
    expect(await main(["node", "floe", "compile", "--project-dir", dir], failing)).toBe(3);
    expect(io.stderrText()).toMatch(/^floe: internal error \(please report it\): TypeError: boom\n {4}at /);
  });

  it("exit 3 as one JSON line under --log-format json", async () => {
    const { io, failing } = broken();
    expect(
      await main(["node", "floe", "compile", "--project-dir", dir, "--log-format", "json"], failing),
    ).toBe(3);
    const lines = io.stderrText().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({
      level: "error",
      code: "INTERNAL",
      msg: "internal error (please report it): boom",
      exit_code: 3,
    });
  });

  it("a usage error stays 2", async () => {
    const io = recordingIO({ env: {}, cwd: dir });
    expect(await main(["node", "floe", "compile", "--threads", "0"], io)).toBe(2);
  });
});

describe("the Ctrl-C notice", () => {
  it("is written as given in text mode and as a JSON line under --log-format json", () => {
    const text = recordingIO();
    interruptNotice("text", text)("\nCancelling running queries… (Ctrl-C again to exit now)\n");
    expect(text.stderrText()).toBe("\nCancelling running queries… (Ctrl-C again to exit now)\n");
    const json = recordingIO();
    interruptNotice("json", json)("\nCancelling running queries… (Ctrl-C again to exit now)\n");
    expect(JSON.parse(json.stderrText())).toMatchObject({
      level: "warn",
      event: "interrupt",
      msg: "Cancelling running queries… (Ctrl-C again to exit now)",
    });
  });
});
