import { describe, expect, it } from "vitest";
import { main } from "../main.js";
import { recordingIO } from "../testing/recording-io.js";

/** `floe stack cdc-teardown --db-url` on a database that does not answer: a clear error, no password shown. */
describe("floe stack cdc-teardown", () => {
  it("names the database without its password and the fix when it cannot connect", async () => {
    // Port 1 on the loopback refuses at once; nothing local is stopped when --db-url is given.
    const io = recordingIO({ env: { FLOE_STACK_DIR: "/nonexistent/floe-stack" } });
    const code = await main(
      ["node", "floe", "stack", "cdc-teardown", "--db-url", "postgres://floe:s3cret@127.0.0.1:1/shop"],
      io,
    );
    expect(code).toBe(2);
    expect(io.stderrText()).toContain("Could not tear down CDC on postgres://floe:***@127.0.0.1:1/shop");
    expect(io.stderrText()).toContain("Fix: check the URL (--db-url or FLOE_SHOP_DB_URL)");
    expect(io.stderrText()).not.toContain("s3cret");
    expect(io.stdoutText()).toBe("");
  });
});
