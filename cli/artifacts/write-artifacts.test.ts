import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, isFloeError } from "../../core/errors.js";
import type { Manifest } from "../manifest/manifest.js";
import { DBT_MANIFEST_SCHEMA_URL, fromDbtManifest, toDbtManifest } from "./dbt-manifest.js";
import { artifactWriteError, whileWritingManifest, writeManifest } from "./write-artifacts.js";

describe("whileWritingManifest", () => {
  const manifest: Manifest = {
    schemaVersion: 1,
    metadata: {
      floe_version: "0.1.0",
      generated_at: "2026-12-06T00:00:00.000Z",
      project_name: "shop",
      target_name: "dev",
      adapter_type: "trino",
    },
    nodes: {},
    sources: {},
    macros: {},
    unit_tests: {},
    parent_map: {},
    child_map: {},
  };

  it("replaces the manifest after the work succeeds and returns its result", async () => {
    const root = mkdtempSync(join(tmpdir(), "floe-artifacts-"));
    expect(await whileWritingManifest(root, "target", manifest, async () => 42)).toBe(42);
    // Written in dbt's shape (dbt-manifest.ts), read back as it was.
    const written = JSON.parse(readFileSync(join(root, "target/manifest.json"), "utf8"));
    expect(written.metadata.dbt_schema_version).toBe(DBT_MANIFEST_SCHEMA_URL);
    expect(fromDbtManifest(written)).toEqual(manifest);
    expect(readdirSync(join(root, "target"))).toEqual(["manifest.json"]);
  });

  it("writes a manifest of several megabytes, multi-byte text included, as JSON.stringify would", async () => {
    const nodes: Record<string, unknown> = {};
    for (let i = 0; i < 4000; i++) {
      const id = `model.shop.m${i}`;
      nodes[id] = {
        unique_id: id,
        resource_type: "model",
        name: `m${i}`,
        // Three-byte and four-byte UTF-8 near every buffer boundary; a long one now and then.
        description: `Umsatz € ${"🦆".repeat(i % 7)} ${i % 500 === 0 ? "x".repeat(400_000) : ""}`,
        depends_on: { nodes: [], macros: [] },
        config: { materialized: "view", meta: {} },
        fingerprint: { body: "b", config: "c", macros: "m", yml: "y" },
        relation: { catalog: "iceberg", schema: "shop", identifier: `m${i}` },
        compiled_path: `target/compiled/shop/models/m${i}.sql`,
      };
    }
    const big = { ...manifest, nodes } as unknown as Manifest;
    const root = mkdtempSync(join(tmpdir(), "floe-artifacts-"));
    await whileWritingManifest(root, "target", big, async () => undefined);
    const expected = JSON.stringify(toDbtManifest(big));
    expect(expected.length).toBeGreaterThan(4 << 20);
    expect(readFileSync(join(root, "target/manifest.json"), "utf8")).toBe(expected);
    writeManifest(root, "target", big);
    expect(readFileSync(join(root, "target/manifest.json"), "utf8")).toBe(expected);
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

describe("artifactWriteError", () => {
  it("turns a system error into a user error naming what failed, and leaves everything else alone", () => {
    const system = Object.assign(new Error("ENOSPC: no space left on device, write"), {
      code: "ENOSPC",
      syscall: "write",
    });
    const wrapped = artifactWriteError(system, "manifest.json");
    expect(isFloeError(wrapped) && wrapped.code).toBe("ARTIFACT_WRITE_FAILED");
    expect((wrapped as Error).message).toBe(
      "cannot write manifest.json: ENOSPC: no space left on device, write.",
    );
    const config = new ConfigError("bad template");
    expect(artifactWriteError(config, "x")).toBe(config);
    const bug = new TypeError("undefined is not a function");
    expect(artifactWriteError(bug, "x")).toBe(bug);
  });
});
