import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Manifest } from "./manifest.js";
import { whileWritingManifest } from "./write-artifacts.js";

describe("whileWritingManifest", () => {
  const manifest = { schemaVersion: 1, nodes: { a: 1 } } as unknown as Manifest;

  it("replaces the manifest after the work succeeds and returns its result", async () => {
    const root = mkdtempSync(join(tmpdir(), "floe-artifacts-"));
    expect(await whileWritingManifest(root, "target", manifest, async () => 42)).toBe(42);
    expect(JSON.parse(readFileSync(join(root, "target/manifest.json"), "utf8"))).toEqual(manifest);
    expect(readdirSync(join(root, "target"))).toEqual(["manifest.json"]);
  });

  it("keeps the previous manifest and leaves no temporary file when the work fails", async () => {
    const root = mkdtempSync(join(tmpdir(), "floe-artifacts-"));
    await whileWritingManifest(root, "target", manifest, async () => undefined);
    writeFileSync(join(root, "target/manifest.json"), '{"old":true}');
    const failing = whileWritingManifest(root, "target", manifest, async () => {
      throw new Error("render failed");
    });
    await expect(failing).rejects.toThrow("render failed");
    expect(readFileSync(join(root, "target/manifest.json"), "utf8")).toBe('{"old":true}');
    expect(readdirSync(join(root, "target"))).toEqual(["manifest.json"]);
  });
});
