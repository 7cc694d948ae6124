import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isRetriable } from "../../core/retry.js";
import { HttpStatusError, isUrl, localFiles, sha256File } from "./source.js";

const dir = mkdtempSync(join(tmpdir(), "floe-source-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("local sources", () => {
  it("a file is itself; a folder is its loadable files in name order", async () => {
    const folder = join(dir, "in");
    mkdirSync(join(folder, "sub"), { recursive: true });
    for (const name of ["b.csv", "a.ndjson", "c.parquet", "notes.md", "sub/d.csv"])
      writeFileSync(join(folder, name), "x");
    expect((await localFiles(folder)).map((f) => f.name)).toEqual([
      join(folder, "a.ndjson"),
      join(folder, "b.csv"),
      join(folder, "c.parquet"),
    ]);
    expect(await localFiles(join(folder, "notes.md"))).toEqual([
      { name: join(folder, "notes.md"), path: join(folder, "notes.md") },
    ]);
  });

  it("a missing path or a folder without loadable files is LOAD_NOT_FOUND with the fix", async () => {
    await expect(localFiles(join(dir, "missing"))).rejects.toMatchObject({
      code: "LOAD_NOT_FOUND",
      hint: expect.stringMatching(/check the path/),
    });
    const empty = join(dir, "empty");
    mkdirSync(empty);
    await expect(localFiles(empty)).rejects.toThrow(
      /holds no \.ndjson, \.jsonl, \.json, \.csv or \.parquet file/,
    );
  });

  it("hashes a file's bytes with SHA-256", async () => {
    const path = join(dir, "h.ndjson");
    const bytes = Buffer.from('{"a":1}\n'.repeat(10_000));
    writeFileSync(path, bytes);
    expect(await sha256File(path)).toEqual({
      sha256: createHash("sha256").update(bytes).digest("hex"),
      bytes: bytes.length,
    });
  });
});

describe("URLs", () => {
  it("knows a URL from a path", () => {
    expect(isUrl("https://example.com/a.csv")).toBe(true);
    expect(isUrl("HTTP://example.com/a.csv")).toBe(true);
    expect(isUrl("./http/a.csv")).toBe(false);
  });

  it("retries 408, 429 and 5xx, not other 4xx", () => {
    for (const status of [408, 429, 500, 503])
      expect(isRetriable(new HttpStatusError("u", status))).toBe(true);
    for (const status of [400, 401, 403, 404])
      expect(isRetriable(new HttpStatusError("u", status))).toBe(false);
  });
});
