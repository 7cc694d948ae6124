import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * What `npm pack` puts in Floe's package (the built dist/, which `npm test` builds first): what a user's
 * `floe` needs at run time, and no tests, benches, fixtures or TypeScript sources.
 */
const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function npm(args: string[], cwd = repo) {
  // --ignore-scripts: `prepare` would rebuild dist/ while other tests run the CLI from it.
  return spawnSync("npm", [...args, "--ignore-scripts"], { cwd, encoding: "utf8" });
}

describe("npm pack", () => {
  const dry = npm(["pack", "--dry-run", "--json"]);
  const [pack] = JSON.parse(dry.stdout) as { name: string; files: { path: string }[] }[];
  const files = (pack?.files ?? []).map((f) => f.path);

  it("is the scoped package whose bin is floe", () => {
    expect(dry.status).toBe(0);
    expect(pack?.name).toBe("@floe-data/floe");
    const manifest = JSON.parse(readFileSync(join(repo, "package.json"), "utf8"));
    expect(manifest.bin).toEqual({ floe: "bin/floe.js" });
  });

  it("holds what a user needs: the launcher, the bundle and its workers, the stack's configs and poms", () => {
    expect(files).toEqual(
      expect.arrayContaining([
        "package.json",
        "README.md",
        "bin/floe.js",
        "dist/bundle/floe.js",
        "dist/bundle/parse-worker.js",
        "dist/bundle/write-worker.js",
        "dist/bundle/log-writer.js",
        "trino/etc/config.properties",
        "trino/etc/jvm.config",
        "trino/etc/catalog/iceberg.properties",
        "trino/pom.xml",
        "catalog/iceberg-rest/pom.xml",
        "catalog/iceberg-rest/rest-catalog.env",
        "stack/kafka/pom.xml",
        "stack/kafka/server.properties",
        "stack/s3proxy/pom.xml",
        "stack/s3proxy/s3proxy.conf",
        "stack/postgres/pom.xml",
        "stack/postgres/shop-schema.sql",
        "stack/postgres/shop-publication.sql",
        "stack/redis/redis.conf",
        "stack/connect/pom.xml",
        "stack/connect/worker.properties",
        "stack/connect/shop-cdc.properties",
        "stack/connect/log4j2.properties",
        "docs/templates.md",
      ]),
    );
  });

  it("and nothing else: no tests, benches, testing helpers, fixtures or sources", () => {
    const unwanted = files.filter(
      (f) =>
        /\.test\.|(^|\/)(bench|testing|fixtures?|__tests__)\//.test(f) ||
        (f.endsWith(".ts") && !f.endsWith(".d.ts")),
    );
    expect(unwanted).toEqual([]);
    expect(files.every((f) => /^(bin|dist\/bundle|trino|catalog|stack|docs)\/|^[^/]+$/.test(f))).toBe(true);
  });

  it("runs from the unpacked tarball: floe --version, init and compile", () => {
    const dir = mkdtempSync(join(tmpdir(), "floe-pack-"));
    const packed = npm(["pack", "--pack-destination", dir, "--json"]);
    expect(packed.status).toBe(0);
    const [tarball] = JSON.parse(packed.stdout) as { filename: string }[];
    expect(spawnSync("tar", ["xzf", join(dir, tarball?.filename ?? "?"), "-C", dir]).status).toBe(0);
    // The dependencies `npm install` would fetch, taken from this checkout.
    symlinkSync(join(repo, "node_modules"), join(dir, "package", "node_modules"));
    const floe = (...args: string[]) =>
      spawnSync(process.execPath, [join(dir, "package", "bin", "floe.js"), ...args], {
        cwd: dir,
        encoding: "utf8",
      });
    expect(floe("--version").stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(floe("init", "starter").status).toBe(0);
    const compiled = floe("compile", "--project-dir", "starter");
    expect(compiled.stderr).toBe("");
    expect(compiled.stdout).toMatch(/Compiled \d+ nodes/);
  }, 60_000);

  it("npm install -g . from the clone puts floe on PATH", () => {
    const prefix = mkdtempSync(join(tmpdir(), "floe-global-"));
    // --offline: the dependencies are this clone's; a global install of a folder links to it.
    const installed = npm(["install", "-g", ".", "--prefix", prefix, "--offline", "--no-audit", "--no-fund"]);
    expect(installed.status).toBe(0);
    const onPath = spawnSync("floe", ["--help"], {
      encoding: "utf8",
      env: { ...process.env, PATH: `${join(prefix, "bin")}:${process.env.PATH}` },
    });
    expect(onPath.status).toBe(0);
    expect(onPath.stdout).toMatch(/^Usage: floe /);
  }, 60_000);
});
