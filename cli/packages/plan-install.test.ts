import { describe, expect, it } from "vitest";
import type { LockEntry, LockFile } from "../project/packages-file.js";
import { type InstallState, planInstall } from "./plan-install.js";

const SHA = "a".repeat(64);
const local: LockEntry = { local: "../utils", name: "utils", sha256: "1".repeat(64) };
const tarball: LockEntry = { tarball: "https://x/currency.tar.gz", name: "currency", sha256: "2".repeat(64) };
const lock: LockFile = { packages: [local, tarball], sha256_hash: SHA };

function state(overrides: Partial<InstallState>): InstallState {
  return {
    specs: [{ local: "../utils" }, { tarball: "https://x/currency.tar.gz", name: "currency" }],
    previous: lock,
    packagesSha: SHA,
    isInstalled: () => true,
    isCurrent: () => true,
    ...overrides,
  };
}

describe("planInstall", () => {
  it("does nothing without packages, and nothing when the lock matches packages.yml and disk", () => {
    expect(planInstall(state({ specs: [], previous: undefined }))).toEqual({ kind: "no-packages" });
    expect(planInstall(state({}))).toEqual({ kind: "up-to-date", entries: [local, tarball] });
  });

  it("installs again when packages.yml changed, keeping an installed tarball whose entry did not", () => {
    const plan = planInstall(state({ packagesSha: "b".repeat(64) }));
    expect(plan).toEqual({
      kind: "install",
      steps: [
        { kind: "install", spec: { local: "../utils" } },
        { kind: "keep", entry: tarball },
      ],
    });
  });

  it("installs a package whose folder is gone or whose local files changed", () => {
    const gone = planInstall(state({ isCurrent: (e) => e !== tarball, isInstalled: (e) => e !== tarball }));
    expect(gone.kind === "install" && gone.steps[1]).toEqual({
      kind: "install",
      spec: { tarball: "https://x/currency.tar.gz", name: "currency" },
    });
    const edited = planInstall(state({ isCurrent: (e) => e !== local }));
    expect(edited.kind === "install" && edited.steps.map((s) => s.kind)).toEqual(["install", "keep"]);
  });

  it("fetches a tarball again when its URL or name changed", () => {
    const plan = planInstall(
      state({
        specs: [{ tarball: "https://x/currency-2.tar.gz", name: "currency" }],
        packagesSha: "c".repeat(64),
      }),
    );
    expect(plan.kind === "install" && plan.steps).toEqual([
      { kind: "install", spec: { tarball: "https://x/currency-2.tar.gz", name: "currency" } },
    ]);
  });
});
