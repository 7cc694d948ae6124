import { describe, expect, it } from "vitest";
import { chooseJava, type Jdk, parseReleaseFile } from "./java.js";

const jdk = (major: number, home = `/jvm/${major}`): Jdk => ({
  home,
  java: `${home}/bin/java`,
  major,
  version: `${major}.0.1`,
});

describe("parseReleaseFile", () => {
  it("reads modern and legacy versions", () => {
    expect(parseReleaseFile('IMPLEMENTOR="Eclipse Adoptium"\nJAVA_VERSION="25.0.3"\n')).toEqual({
      version: "25.0.3",
      major: 25,
    });
    expect(parseReleaseFile('JAVA_VERSION="1.8.0_402"')?.major).toBe(8);
    expect(parseReleaseFile("nothing")).toBeUndefined();
  });
});

describe("chooseJava", () => {
  it("runs Trino on the newest JDK >= 24 and the services on the oldest >= 17", () => {
    const choice = chooseJava([jdk(25), jdk(21), jdk(17)], {});
    expect(choice.trino.major).toBe(25);
    expect(choice.services.major).toBe(17);
  });
  it("fails with a fix when no JDK >= 24 exists", () => {
    expect(() => chooseJava([jdk(17)], {})).toThrow(/Trino 476 needs a JDK ≥ 24; found: 17.0.1/);
    try {
      chooseJava([], {});
    } catch (e) {
      expect((e as { hint: string }).hint).toContain("FLOE_TRINO_JAVA_HOME");
      expect((e as { exitCode: number }).exitCode).toBe(2);
    }
  });
  it("honours FLOE_TRINO_JAVA_HOME", () => {
    const choice = chooseJava([jdk(26), jdk(24, "/pinned")], { FLOE_TRINO_JAVA_HOME: "/pinned" });
    expect(choice.trino.home).toBe("/pinned");
  });
});
