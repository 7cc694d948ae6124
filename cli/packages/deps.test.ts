import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../main.js";
import { writeProject } from "../testing/project-fixture.js";
import { recordingIO } from "../testing/recording-io.js";

/**
 * `floe deps` and installed packages as a user meets them, through the CLI in-process (no engine): install,
 * the lock, a no-op rerun, a changed packages.yml, a missing package at compile time, and the package's
 * models, macros, tests and seeds in the root project's manifest.
 */
async function floe(dir: string, ...args: string[]) {
  const io = recordingIO({ env: {} });
  const exitCode = await main(["node", "floe", ...args, "--project-dir", dir], io);
  return { exitCode, stdout: io.stdoutText(), stderr: io.stderrText() };
}

/** A package project next to the root project: a model, a macro, a seed, a yml test. */
function utilsPackage(name = "utils"): string {
  return writeProject({
    "floe_project.yml": `name: ${name}\nprofile: floe\nmodels:\n  ${name}:\n    +materialized: table\n`,
    "macros/cents.sql": "({{column}} / 100.0)\n",
    "models/util_days.sql": 'select d, {{> cents column="c"}} as amount from {{ref "util_seed"}}\n',
    "models/schema.yml":
      "version: 2\nmodels:\n  - name: util_days\n    columns:\n      - name: d\n        tests: [not_null]\n",
    "seeds/util_seed.csv": "d,c\n1,250\n",
    "tests/assert_no_negative.sql": 'select * from {{ref "util_days"}} where amount < 0\n',
  });
}

function rootProject(packagesYml: string, extra: Record<string, string> = {}): string {
  return writeProject({
    "packages.yml": packagesYml,
    "models/orders.sql": 'select {{> utils/cents column="amount"}} as amount, d from {{ref "util_days"}}\n',
    ...extra,
  });
}

const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, "target/manifest.json"), "utf8"));

describe("floe deps with a local package", () => {
  it("installs it, writes the lock, and its nodes join the manifest under the package's name", async () => {
    const pkg = utilsPackage();
    const dir = rootProject(`packages:\n  - local: ${pkg}\n`);
    const deps = await floe(dir, "deps");
    expect(deps.stderr).toBe("");
    expect(deps.exitCode).toBe(0);
    expect(deps.stdout).toMatch(/^Installed utils from local .* \(sha256 [0-9a-f]{12}\)$/m);
    expect(deps.stdout).toContain("Wrote package-lock.yml (1 package in floe_packages/).");
    expect(statSync(join(dir, "floe_packages/utils")).isDirectory()).toBe(true);
    const lock = readFileSync(join(dir, "package-lock.yml"), "utf8");
    expect(lock).toMatch(
      new RegExp(
        `^packages:\\n  - local: "${pkg}"\\n    name: utils\\n    sha256: [0-9a-f]{64}\\nsha256_hash: [0-9a-f]{64}\\n$`,
      ),
    );

    const compiled = await floe(dir, "compile");
    expect(compiled.stderr).toBe("");
    expect(compiled.exitCode).toBe(0);
    const manifest = manifestOf(dir);
    const days = manifest.nodes["model.utils.util_days"];
    expect(days.package_name).toBe("utils");
    expect(days.config.materialized).toBe("table"); // the package's own floe_project.yml
    expect(days.compiled_path).toBe("target/compiled/utils/models/util_days.sql");
    expect(days.depends_on).toEqual({ nodes: ["seed.utils.util_seed"], macros: ["macro.utils.cents"] });
    expect(manifest.nodes["model.shop.orders"].depends_on.nodes).toEqual(["model.utils.util_days"]);
    expect(
      Object.keys(manifest.nodes)
        .filter((id) => id.startsWith("test.utils."))
        .sort(),
    ).toEqual(["test.utils.assert_no_negative", "test.utils.not_null_util_days_d"]);
    expect(manifest.nodes["test.utils.assert_no_negative"].compiled_path).toBe(
      "target/compiled/utils/tests/assert_no_negative.sql",
    );
    expect(manifest.macros["macro.utils.cents"].package_name).toBe("utils");
    expect(readFileSync(join(dir, "target/compiled/shop/models/orders.sql"), "utf8")).toBe(
      'select (amount / 100.0) as amount, d from "iceberg"."analytics"."util_days"\n',
    );
    expect(readFileSync(join(dir, days.compiled_path), "utf8")).toBe(
      'select d, (c / 100.0) as amount from "iceberg"."analytics"."util_seed"\n',
    );
  });

  it("a package's sources are its own: source.<package>.…, found from its models and with floe_utils' star", async () => {
    const pkg = utilsPackage();
    writeFileSync(
      join(pkg, "models/sources.yml"),
      "version: 2\nsources:\n  - name: raw\n    schema: landing\n    tables:\n      - name: events\n        columns: [{name: id}, {name: kind}, {name: secret}]\n",
    );
    writeFileSync(
      join(pkg, "models/util_events.sql"),
      'select {{> floe_utils/star from=(source "raw" "events") except="secret"}} from {{source "raw" "events"}}\n',
    );
    const dir = rootProject(`packages:\n  - local: ${pkg}\n`);
    expect((await floe(dir, "deps")).exitCode).toBe(0);
    const compiled = await floe(dir, "compile");
    expect(compiled.stderr).toBe("");
    const manifest = manifestOf(dir);
    expect(Object.keys(manifest.sources)).toEqual(["source.utils.raw.events"]);
    expect(manifest.nodes["model.utils.util_events"].depends_on.nodes).toEqual(["source.utils.raw.events"]);
    expect(readFileSync(join(dir, "target/compiled/utils/models/util_events.sql"), "utf8")).toBe(
      'select "id",\n    "kind" from "iceberg"."landing"."events"\n',
    );
  });

  it("selects a package's nodes with package:<name> (and by the package's name as an fqn)", async () => {
    const dir = rootProject(`packages:\n  - local: ${utilsPackage()}\n`);
    expect((await floe(dir, "deps")).exitCode).toBe(0);
    const byMethod = await floe(dir, "ls", "-s", "package:utils", "--output", "name");
    expect(byMethod.stderr).toBe("");
    expect(byMethod.stdout.trim().split("\n").sort()).toEqual([
      "assert_no_negative",
      "not_null_util_days_d",
      "util_days",
      "util_seed",
    ]);
    const root = await floe(dir, "ls", "-s", "package:shop", "--output", "name");
    expect(root.stdout.trim()).toBe("orders");
  });

  it("does nothing on a rerun with an unchanged lock, and updates the lock when packages.yml changes", async () => {
    const pkg = utilsPackage();
    const other = utilsPackage("other_utils");
    const dir = rootProject(`packages:\n  - local: ${pkg}\n`);
    expect((await floe(dir, "deps")).exitCode).toBe(0);
    const lockPath = join(dir, "package-lock.yml");
    const before = { text: readFileSync(lockPath, "utf8"), mtime: statSync(lockPath).mtimeMs };

    const again = await floe(dir, "deps");
    expect(again.exitCode).toBe(0);
    const json = await floe(dir, "deps", "--log-format", "json");
    expect(
      json.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line)),
    ).toEqual([
      expect.objectContaining({
        event: "deps.package",
        name: "utils",
        action: "kept",
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      }),
      expect.objectContaining({ event: "deps.done", packages: 1, up_to_date: true }),
    ]);
    expect(again.stdout).toMatch(/^Up to date: utils from local /m);
    expect(again.stdout).toContain("package-lock.yml is up to date; nothing changed.");
    expect(statSync(lockPath).mtimeMs).toBe(before.mtime);

    writeFileSync(join(pkg, "macros/cents.sql"), "({{column}} / 1000.0)\n");
    const edited = await floe(dir, "deps");
    expect(edited.stdout).toMatch(/^Installed utils from local /m);
    expect(readFileSync(lockPath, "utf8")).not.toBe(before.text);

    writeFileSync(join(dir, "packages.yml"), `packages:\n  - local: ${other}\n`);
    const stale = await floe(dir, "compile");
    expect(stale.exitCode).toBe(2);
    expect(stale.stderr).toContain("packages.yml changed since `floe deps` last ran");
    expect(stale.stderr).toContain("Fix: run `floe deps`");

    const changed = await floe(dir, "deps");
    expect(changed.exitCode).toBe(0);
    expect(changed.stdout).toMatch(/^Installed other_utils from local /m);
    expect(changed.stdout).toContain("Removed utils (no longer in packages.yml)");
    const lock = readFileSync(lockPath, "utf8");
    expect(lock).not.toBe(before.text);
    expect(lock).toContain("name: other_utils");
    expect(lock).not.toContain("name: utils\n");
    expect(existsSync(join(dir, "floe_packages/utils"))).toBe(false);
    // Only the link went: the local package's own folder is untouched.
    expect(existsSync(join(pkg, "models/util_days.sql"))).toBe(true);
  });

  it("stops compile with `floe deps` as the fix when a package is not installed", async () => {
    const pkg = utilsPackage();
    const dir = rootProject(`packages:\n  - local: ${pkg}\n`);
    const never = await floe(dir, "compile");
    expect(never.exitCode).toBe(2);
    expect(never.stderr).toBe(
      "Error [CONFIG] packages.yml: packages.yml lists 1 package, but they are not installed (no package-lock.yml). Fix: run `floe deps` to install the packages listed in packages.yml.\n",
    );
    expect((await floe(dir, "deps")).exitCode).toBe(0);
    rmSync(join(dir, "floe_packages"), { recursive: true });
    const missing = await floe(dir, "compile");
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toBe(
      "Error [CONFIG] packages.yml: package 'utils' is not installed: floe_packages/utils/floe_project.yml is missing. Fix: run `floe deps` to install the packages listed in packages.yml.\n",
    );
  });

  it("warns that a package's own packages are not installed", async () => {
    const pkg = utilsPackage();
    writeFileSync(join(pkg, "packages.yml"), "packages:\n  - local: ../elsewhere\n");
    const dir = rootProject(`packages:\n  - local: ${pkg}\n`);
    expect((await floe(dir, "deps")).exitCode).toBe(0);
    const compiled = await floe(dir, "compile");
    expect(compiled.exitCode).toBe(0);
    expect(compiled.stderr).toContain(
      "Warning: package 'utils' lists packages of its own (floe_packages/utils/packages.yml); Floe installs only this project's packages.yml",
    );
  });

  it("applies the root project's config for the package over the package's own, and not the root's own subtree", async () => {
    const dir = rootProject(`packages:\n  - local: ${utilsPackage()}\n`, {
      "floe_project.yml":
        "name: shop\nprofile: floe\nmodels:\n  +tags: [everything]\n  shop:\n    +materialized: table\n  utils:\n    +materialized: ephemeral\n",
    });
    expect((await floe(dir, "deps")).exitCode).toBe(0);
    expect((await floe(dir, "compile")).exitCode).toBe(0);
    const nodes = manifestOf(dir).nodes;
    expect(nodes["model.utils.util_days"].config.materialized).toBe("ephemeral");
    expect(nodes["model.utils.util_days"].tags).toEqual(["everything"]);
    expect(nodes["model.shop.orders"].config.materialized).toBe("table");
  });

  it("honours packages-install-path", async () => {
    const pkg = utilsPackage();
    const dir = rootProject(`packages:\n  - local: ${pkg}\n`, {
      "floe_project.yml": "name: shop\nprofile: floe\npackages-install-path: vendor/floe\n",
    });
    const deps = await floe(dir, "deps");
    expect(deps.stdout).toContain("(1 package in vendor/floe/)");
    expect(existsSync(join(dir, "vendor/floe/utils/floe_project.yml"))).toBe(true);
    expect((await floe(dir, "compile")).exitCode).toBe(0);
  });
});

describe("floe deps with a tarball", () => {
  it("unpacks a .tar.gz whose project sits in one top-level folder, and locks the archive's sha256", async () => {
    const pkg = utilsPackage();
    const archiveDir = mkdtempSync(join(tmpdir(), "floe-tarball-"));
    const archive = join(archiveDir, "utils-1.0.tar.gz");
    execFileSync("tar", ["-czf", archive, "-C", join(pkg, ".."), pkg.split("/").at(-1) ?? ""]);
    const dir = rootProject(`packages:\n  - tarball: ${archive}\n    name: utils\n`);
    const deps = await floe(dir, "deps");
    expect(deps.stderr).toBe("");
    expect(deps.stdout).toMatch(/^Installed utils from tarball .*utils-1\.0\.tar\.gz/m);
    const sha = execFileSync("sha256sum", [archive], { encoding: "utf8" }).split(" ")[0];
    expect(readFileSync(join(dir, "package-lock.yml"), "utf8")).toContain(`sha256: ${sha}\n`);
    expect(statSync(join(dir, "floe_packages/utils/models/util_days.sql")).isFile()).toBe(true);
    expect((await floe(dir, "compile")).exitCode).toBe(0);
    expect(manifestOf(dir).nodes["model.utils.util_days"].package_name).toBe("utils");
    expect((await floe(dir, "deps")).stdout).toContain("package-lock.yml is up to date; nothing changed.");
  });

  it("downloads a tarball URL (a server on 127.0.0.1), and says which URL failed", async () => {
    const pkg = utilsPackage();
    const archive = join(mkdtempSync(join(tmpdir(), "floe-tarball-")), "utils.tar.gz");
    execFileSync("tar", ["-czf", archive, "-C", pkg, "."]);
    const server = createServer((request, response) => {
      if (request.url === "/utils.tar.gz") response.end(readFileSync(archive));
      else response.writeHead(404).end();
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const { port } = server.address() as AddressInfo;
    try {
      const dir = rootProject(
        `packages:\n  - tarball: http://127.0.0.1:${port}/utils.tar.gz\n    name: utils\n`,
      );
      const deps = await floe(dir, "deps");
      expect(deps.stderr).toBe("");
      expect(deps.stdout).toMatch(/^Installed utils from tarball http:\/\/127\.0\.0\.1:\d+\/utils\.tar\.gz/m);
      expect((await floe(dir, "compile")).exitCode).toBe(0);

      const missing = rootProject(
        `packages:\n  - tarball: http://127.0.0.1:${port}/nope.tar.gz\n    name: utils\n`,
      );
      const failed = await floe(missing, "deps");
      expect(failed.exitCode).toBe(2);
      expect(failed.stderr).toContain(
        `Error [PACKAGE_DOWNLOAD_FAILED] packages.yml: cannot download http://127.0.0.1:${port}/nope.tar.gz: HTTP 404.`,
      );
    } finally {
      server.close();
    }
  });

  it("refuses a tarball whose project has another name than name:", async () => {
    const pkg = utilsPackage();
    const archive = join(mkdtempSync(join(tmpdir(), "floe-tarball-")), "x.tar");
    execFileSync("tar", ["-cf", archive, "-C", pkg, "."]);
    const dir = rootProject(`packages:\n  - tarball: ${archive}\n    name: helpers\n`);
    const deps = await floe(dir, "deps");
    expect(deps.exitCode).toBe(2);
    expect(deps.stderr).toContain(`tarball ${archive} holds project 'utils', not 'helpers'.`);
    expect(deps.stderr).toContain("Fix: set name: utils for this package in packages.yml.");
  });
});

describe("packages.yml is strict", () => {
  it("names dbt Hub packages as unsupported, with the way to install them", async () => {
    const dir = rootProject("packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.3.0\n");
    const deps = await floe(dir, "deps");
    expect(deps.exitCode).toBe(2);
    expect(deps.stderr).toContain("dbt's `package` is not supported by Floe yet");
    expect(deps.stderr).toContain("point `tarball:` at the package's release archive instead");
  });

  it("says a tarball needs a name, and a misspelled key gets the closest one", async () => {
    const noName = await floe(rootProject("packages:\n  - tarball: x.tar.gz\n"), "deps");
    expect(noName.exitCode).toBe(2);
    expect(noName.stderr).toContain("a tarball package needs a name:");
    const typo = await floe(rootProject("packages:\n  - locale: ../x\n"), "deps");
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toContain("unknown key 'locale' in a packages.yml entry");
    expect(typo.stderr).toContain("did you mean 'local'?");
  });

  it("a hand-edited package-lock.yml with an unknown key says how to write it again", async () => {
    const dir = rootProject(`packages:\n  - local: ${utilsPackage()}\n`);
    expect((await floe(dir, "deps")).exitCode).toBe(0);
    const lockPath = join(dir, "package-lock.yml");
    writeFileSync(
      lockPath,
      readFileSync(lockPath, "utf8").replace("    name: utils", "    version: 1.0\n    name: utils"),
    );
    const compiled = await floe(dir, "compile");
    expect(compiled.exitCode).toBe(2);
    expect(compiled.stderr).toContain("unknown key 'version' in a package-lock.yml entry");
    expect(compiled.stderr).toContain("package-lock.yml:3");
  });

  it("refuses a package named like the project", async () => {
    const dir = rootProject(`packages:\n  - local: ${utilsPackage("shop")}\n`);
    const deps = await floe(dir, "deps");
    expect(deps.exitCode).toBe(2);
    expect(deps.stderr).toContain("is named 'shop', like this project.");
    expect(existsSync(join(dir, "package-lock.yml"))).toBe(false);
    expect(existsSync(join(dir, "floe_packages/shop"))).toBe(false);
  });

  it("with no packages.yml, says there is nothing to install", async () => {
    const dir = writeProject({});
    const deps = await floe(dir, "deps");
    expect(deps.exitCode).toBe(0);
    expect(deps.stdout).toBe("No packages in packages.yml: nothing to install.\n");
    expect(existsSync(join(dir, "package-lock.yml"))).toBe(false);
  });
});
