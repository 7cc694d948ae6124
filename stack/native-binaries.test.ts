import { describe, expect, it } from "vitest";
import {
  blockedAncestor,
  choosePostgresBinDir,
  debianPostgresDirs,
  discoverRedisServer,
  findOnPath,
  unprivileged,
  unprivilegedGroup,
} from "./native-binaries.js";

const existing =
  (...paths: string[]) =>
  (path: string) =>
    paths.includes(path);

describe("PostgreSQL server discovery", () => {
  it("orders Debian's versions numerically, newest first, and ignores other folders", () => {
    expect(debianPostgresDirs(["9.6", "15", "17", "common"], "/pg")).toEqual([
      "/pg/17/bin",
      "/pg/15/bin",
      "/pg/9.6/bin",
    ]);
  });

  it("takes the first folder that has both initdb and postgres", () => {
    const exists = existing("/a/bin/postgres", "/b/bin/initdb", "/b/bin/postgres");
    expect(choosePostgresBinDir(["/a/bin", "/b/bin"], exists)).toBe("/b/bin");
  });

  it("finds none when only client tools are installed (then Maven Central's binaries are used)", () => {
    expect(choosePostgresBinDir(["/usr/bin"], existing("/usr/bin/psql"))).toBeUndefined();
  });
});

describe("redis-server discovery", () => {
  it("searches PATH, then the sbin folders a non-login root shell may lack", () => {
    expect(findOnPath("redis-server", "/opt/x:/opt/y", existing("/opt/y/redis-server"))).toBe(
      "/opt/y/redis-server",
    );
    expect(findOnPath("redis-server", "", existing("/usr/sbin/redis-server"))).toBe("/usr/sbin/redis-server");
    expect(findOnPath("redis-server", "/opt/x", existing())).toBeUndefined();
  });

  it("without one, fails naming both fixes: install it, or point FLOE_REDIS_URL at a Redis", () => {
    expect(() => discoverRedisServer({ PATH: "/opt/x" }, existing())).toThrow(
      expect.objectContaining({
        code: "NO_REDIS",
        hint: expect.stringMatching(/apt-get install redis-server.*FLOE_REDIS_URL/),
      }),
    );
  });
});

describe("unprivileged", () => {
  it("leaves the command alone when not root", () => {
    expect(unprivileged("/pg/postgres", ["-D", "d"], 1000)).toEqual({
      command: "/pg/postgres",
      args: ["-D", "d"],
    });
  });

  it("as root, execs the command through setpriv as nobody (the PID stays the server's)", () => {
    expect(unprivileged("/pg/initdb", ["-D", "d"], 0, () => "nogroup")).toEqual({
      command: "setpriv",
      args: ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", "/pg/initdb", "-D", "d"],
    });
  });

  it("uses Debian's nogroup when it exists, else nobody", () => {
    expect(unprivilegedGroup("root:x:0:\nnogroup:x:65534:\n")).toBe("nogroup");
    expect(unprivilegedGroup("root:x:0:\nnobody:x:65534:\n")).toBe("nobody");
  });
});

describe("blockedAncestor", () => {
  const modes: Record<string, number> = { "/": 0o755, "/root": 0o700, "/work": 0o755, "/work/x": 0o750 };
  const modeOf = (dir: string) => modes[dir];

  it("finds the folder nobody cannot pass on the way to the cluster", () => {
    expect(blockedAncestor("/root/floe/.floe/stack/data", modeOf)).toBe("/root");
    expect(blockedAncestor("/work/x/stack/data", modeOf)).toBe("/work/x");
    expect(blockedAncestor("/work/x", modeOf)).toBe("/work/x");
  });

  it("finds none on an open path, or below folders not created yet (we create them with the default mode)", () => {
    expect(blockedAncestor("/work/stack/data", modeOf)).toBeUndefined();
    expect(blockedAncestor("/work/new/deeper/data", modeOf)).toBeUndefined();
  });
});
