import { describe, expect, it } from "vitest";
import {
  parseEnvFile,
  parseJvmConfig,
  propertiesToSystemProperties,
  renderTemplate,
} from "./render-template.js";

describe("renderTemplate", () => {
  it("fills placeholders, with or without spaces", () => {
    expect(renderTemplate("a={{x}} b={{ y }}", { x: 1, y: "two" }, "f")).toBe("a=1 b=two");
  });
  it("rejects unknown placeholders naming the file", () => {
    expect(() => renderTemplate("a={{nope}}", { x: 1 }, "server.properties")).toThrow(
      /server.properties: unknown placeholder \{\{nope\}\}/,
    );
  });
  it("leaves Trino ${ENV:...} substitutions alone", () => {
    expect(renderTemplate("s3.endpoint=${ENV:FLOE_S3_ENDPOINT}", {}, "f")).toBe(
      "s3.endpoint=${ENV:FLOE_S3_ENDPOINT}",
    );
  });
});

describe("config file parsing", () => {
  it("parses env files, skipping comments and keeping '=' in values", () => {
    expect(parseEnvFile("# c\nA=1\n\nB = x=y\nbad\n")).toEqual({ A: "1", B: "x=y" });
  });
  it("turns properties into -D flags", () => {
    expect(propertiesToSystemProperties("node.environment=floe\n")).toEqual(["-Dnode.environment=floe"]);
  });
  it("reads jvm.config lines", () => {
    expect(parseJvmConfig("-server\n# c\n\n-Xmx3G\n")).toEqual(["-server", "-Xmx3G"]);
  });
});
