import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../main.js";
import { recordingIO } from "../testing/recording-io.js";

/**
 * `floe stack reset` and `stack down --purge` on a throw-away stack folder (FLOE_STACK_DIR in the injected
 * env; nothing runs there, so only its data/ folder is at stake): they ask before deleting.
 */
function throwAwayStack(): { env: Record<string, string>; dataFile: string } {
  const root = mkdtempSync(join(tmpdir(), "floe-stack-reset-"));
  mkdirSync(join(root, "data"), { recursive: true });
  const dataFile = join(root, "data", "table.parquet");
  writeFileSync(dataFile, "rows");
  return { env: { FLOE_STACK_DIR: root }, dataFile };
}

describe("floe stack reset asks before deleting data", () => {
  it("refuses without a terminal and without --yes, naming the fix", async () => {
    const { env, dataFile } = throwAwayStack();
    const io = recordingIO({ env });
    expect(await main(["node", "floe", "stack", "reset"], io)).toBe(2);
    expect(io.stderrText()).toContain("there is no terminal to confirm it on");
    expect(io.stderrText()).toContain("Fix: pass --yes to delete without asking: floe stack reset --yes.");
    expect(existsSync(dataFile)).toBe(true);
  });

  it("on a terminal, anything but y keeps the data (default no) and exits 1", async () => {
    for (const answer of ["", "n", "no way"]) {
      const { env, dataFile } = throwAwayStack();
      const io = recordingIO({ env, answers: [answer] });
      expect(await main(["node", "floe", "stack", "reset"], io)).toBe(1);
      expect(io.stderrText()).toMatch(/Delete all data of the local stack in .*\/data .*\? \[y\/N\] $/);
      expect(io.stdoutText()).toBe("Nothing deleted.\n");
      expect(existsSync(dataFile)).toBe(true);
    }
  });

  it("on a terminal, y deletes", async () => {
    const { env, dataFile } = throwAwayStack();
    const io = recordingIO({ env, answers: ["y"] });
    expect(await main(["node", "floe", "stack", "reset"], io)).toBe(0);
    expect(io.stdoutText()).toBe("stack stopped and data deleted\n");
    expect(existsSync(dataFile)).toBe(false);
  });

  it("--yes deletes without asking, terminal or not", async () => {
    const { env, dataFile } = throwAwayStack();
    const io = recordingIO({ env });
    expect(await main(["node", "floe", "stack", "reset", "--yes"], io)).toBe(0);
    expect(io.stderrText()).toBe("");
    expect(existsSync(dataFile)).toBe(false);
  });

  it("stack down --purge asks the same way; plain down never asks", async () => {
    const { env, dataFile } = throwAwayStack();
    const refused = recordingIO({ env });
    expect(await main(["node", "floe", "stack", "down", "--purge"], refused)).toBe(2);
    expect(refused.stderrText()).toContain("floe stack down --purge --yes");
    const down = recordingIO({ env });
    expect(await main(["node", "floe", "stack", "down"], down)).toBe(0);
    expect(existsSync(dataFile)).toBe(true);
    expect(await main(["node", "floe", "stack", "down", "--purge", "-y"], recordingIO({ env }))).toBe(0);
    expect(existsSync(dataFile)).toBe(false);
  });
});
