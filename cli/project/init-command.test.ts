import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../main.js";
import { recordingIO } from "../testing/recording-io.js";

describe("floe init", () => {
  it("ends by saying how to run the project", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "floe-init-cmd-"));
    const io = recordingIO({ env: {}, cwd });
    expect(await main(["node", "floe", "init", "my-shop"], io)).toBe(0);
    const out = io.stdoutText();
    expect(out).toMatch(/^Created a Floe project in my-shop \(\d+ files\)\. To run it:\n {2}cd my-shop\n/);
    expect(out).toContain("  floe stack up ");
    expect(out).toContain("  floe build ");
    expect(out).toContain("Its profile reads MY_SHOP_TRINO_HOST, MY_SHOP_TRINO_SCHEMA");
  });

  it("gives the new project its own environment variable names, never the shop's FLOE_*", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "floe-init-env-"));
    expect(await main(["node", "floe", "init", "starter"], recordingIO({ env: {}, cwd }))).toBe(0);
    const profiles = readFileSync(join(cwd, "starter", "profiles.yml"), "utf8");
    expect(profiles).not.toContain("FLOE_");
    expect(profiles).toContain('{{env "STARTER_TRINO_SCHEMA" "starter"}}');
    // The shop's variable set in this shell does not move the new project's tables.
    const dir = join(cwd, "starter");
    const io = recordingIO({ env: { FLOE_TRINO_SCHEMA: "analytics" }, cwd });
    expect(await main(["node", "floe", "compile", "--project-dir", dir], io)).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, "target", "manifest.json"), "utf8"));
    expect(manifest.nodes["model.starter.stg_orders"].schema).toBe("starter");
  });
});
