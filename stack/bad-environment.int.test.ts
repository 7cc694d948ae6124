import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EnvironmentError } from "../core/errors.js";
import { installServices } from "./install.js";
import { packageRoot, stackPaths } from "./paths.js";
import { SERVICES } from "./services.js";

const floe = join(packageRoot(), "bin", "floe.js");

function runFloe(args: string[], env: NodeJS.ProcessEnv) {
  const result = spawnSync(process.execPath, [floe, ...args], {
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr.trim() };
}

/**
 * Each bad environment gives one clear line with the fix, exit code 2, and starts nothing. They run while
 * the real stack is up, against a second, empty stack folder.
 */
describe("floe stack up in a bad environment", () => {
  it("refuses when the ports are taken, naming the port and the fix, and starts nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "floe-stack-"));
    const { code, stderr } = runFloe(["stack", "up"], { FLOE_STACK_DIR: dir });
    expect(code).toBe(2);
    expect(stderr.split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/^Error \[PORT_IN_USE\] Port 9000 \(S3 \(S3Proxy\)\).* is already in use/);
    expect(stderr).toContain("Fix: stop the process listening there");
    const status = runFloe(["stack", "status", "--json"], { FLOE_STACK_DIR: dir });
    expect(JSON.parse(status.stdout).map((s: { state: string }) => s.state)).toEqual(
      SERVICES.map(() => "stopped"),
    );
  });

  it("refuses without a JDK >= 24 for Trino, listing what it found", () => {
    const { code, stderr } = runFloe(["stack", "up"], {
      FLOE_STACK_DIR: mkdtempSync(join(tmpdir(), "floe-stack-")),
      FLOE_TRINO_JAVA_HOME: "/usr/lib/jvm/java-17-openjdk-amd64",
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^Error \[NO_JDK_24\] Trino 476 needs a JDK ≥ 24; found: .*17\./);
    expect(stderr).toContain("Fix: install a JDK 24 or 25");
  });

  it("reports an unreachable Maven Central as a download failure with the fix", async () => {
    // A Maven home whose only mirror is a closed local port: what a machine without network sees.
    const home = mkdtempSync(join(tmpdir(), "floe-m2-"));
    mkdirSync(join(home, ".m2"));
    writeFileSync(
      join(home, ".m2", "settings.xml"),
      `<settings><mirrors><mirror><id>nowhere</id><mirrorOf>*</mirrorOf><url>http://127.0.0.1:9/</url></mirror></mirrors></settings>`,
    );
    const previous = process.env.MAVEN_OPTS;
    process.env.MAVEN_OPTS = `-Duser.home=${home}`;
    try {
      const paths = stackPaths({ FLOE_STACK_DIR: mkdtempSync(join(tmpdir(), "floe-stack-")) });
      const error = await installServices(paths, ["s3"]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EnvironmentError);
      expect((error as EnvironmentError).code).toBe("DOWNLOAD_FAILED");
      expect((error as EnvironmentError).message).toContain("Could not download s3");
      expect((error as EnvironmentError).hint).toContain("reaches Maven Central");
    } finally {
      if (previous === undefined) delete process.env.MAVEN_OPTS;
      else process.env.MAVEN_OPTS = previous;
    }
  });
});
