import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../main.js";
import { recordingIO } from "../testing/recording-io.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("floe ingest api-keys", () => {
  const floe = async (cwd: string, ...args: string[]) => {
    const io = recordingIO({ cwd });
    const code = await main(["node", "floe", "ingest", "api-keys", ...args], io);
    return { code, out: io.stdoutText(), err: io.stderrText() };
  };

  it("creates a key shown once, lists it without the secret, and revokes it", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "floe-api-keys-cli-"));
    dirs.push(cwd);
    const created = await floe(
      cwd,
      "create",
      "--name",
      "shop-web",
      "--topics",
      "user-events",
      "orders",
      "--rate",
      "500",
    );
    expect(created.code).toBe(0);
    const secret = created.out.trim();
    expect(secret).toMatch(/^floe_/);
    expect(created.err).toMatch(/topics user-events, orders, 500 events\/s/);
    // Relative to the command's directory, by default .floe/api-keys.json.
    expect(readFileSync(join(cwd, ".floe", "api-keys.json"), "utf8")).not.toContain(secret);

    const listed = await floe(cwd, "list");
    expect(listed.out).toMatch(/shop-web {2}topics=user-events,orders {2}rate=500\/s/);
    expect(listed.out).not.toContain(secret);

    expect((await floe(cwd, "revoke", "shop-web")).out).toMatch(/^revoked key_[0-9a-f]{12} "shop-web"/);
    expect((await floe(cwd, "list")).out).toMatch(/revoked=/);
  });

  it("refuses an unknown topic with the flag, the accepted values and exit 2", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "floe-api-keys-cli-"));
    dirs.push(cwd);
    const bad = await floe(cwd, "create", "--name", "x", "--topics", "payments");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--topics must be .*user-events.*got 'payments'/);
  });
});
