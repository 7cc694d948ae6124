import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createKey, hashKey, KeyIndex, readKeys, revokeKey } from "./api-keys.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const keysFile = () => {
  const dir = mkdtempSync(join(tmpdir(), "floe-keys-test-"));
  dirs.push(dir);
  return join(dir, ".floe", "api-keys.json");
};

describe("API keys", () => {
  it("stores only the hash, in a file only its owner may read", () => {
    const path = keysFile();
    const { secret, key } = createKey(path, { name: "shop-web", topics: ["user-events"], rate: 500 });
    expect(secret).toMatch(/^floe_[A-Za-z0-9_-]{43}$/);
    const text = readFileSync(path, "utf8");
    expect(text).not.toContain(secret);
    expect(text).toContain(hashKey(secret));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readKeys(path)).toEqual([key]);
    expect(key).toMatchObject({ name: "shop-web", topics: ["user-events"], rate: 500 });
  });

  it("hashes keys as SHA-256 in hex, so key files written before still match", () => {
    expect(hashKey("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("refuses a second active key of the same name, and revokes by name", () => {
    const path = keysFile();
    createKey(path, { name: "a" });
    expect(() => createKey(path, { name: "a" })).toThrow(/already exists/);
    expect(revokeKey(path, "a").revokedAt).toBeDefined();
    expect(() => revokeKey(path, "a")).toThrow(/No active API key/);
    expect(createKey(path, { name: "a" }).key.name).toBe("a");
  });

  it("the server's index sees keys created and revoked after it started", () => {
    const path = keysFile();
    const index = new KeyIndex(path, 0);
    const { secret } = createKey(path, { name: "late" });
    expect(index.lookup(secret, Date.now() + 1)?.name).toBe("late");
    expect(index.lookup(`${secret}x`, Date.now() + 2)).toBeUndefined();
    revokeKey(path, "late");
    expect(index.lookup(secret, Date.now() + 3)).toBeUndefined();
  });
});
