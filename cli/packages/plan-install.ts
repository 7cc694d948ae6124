import type { LockEntry, LockFile, PackageSpec } from "../project/packages-file.js";

/**
 * What `floe deps` has to do, decided from packages.yml, the lock and what is on disk (asked through the
 * two predicates), without touching anything: nothing at all, or per package keep or install.
 */
export type InstallStep =
  | { readonly kind: "keep"; readonly entry: LockEntry }
  | { readonly kind: "install"; readonly spec: PackageSpec };

export type InstallPlan =
  | { readonly kind: "no-packages" }
  | { readonly kind: "up-to-date"; readonly entries: readonly LockEntry[] }
  | { readonly kind: "install"; readonly steps: readonly InstallStep[] };

export interface InstallState {
  readonly specs: readonly PackageSpec[];
  readonly previous: LockFile | undefined;
  /** sha256 of packages.yml now. */
  readonly packagesSha: string;
  /** The entry's folder holds its project (a local package's link points at its source). */
  isInstalled(entry: LockEntry): boolean;
  /** Installed, and a local package's files still hash to the locked sha256. */
  isCurrent(entry: LockEntry): boolean;
}

export function planInstall(state: InstallState): InstallPlan {
  const { specs, previous } = state;
  if (specs.length === 0 && !previous) return { kind: "no-packages" };
  if (
    previous &&
    previous.sha256_hash === state.packagesSha &&
    previous.packages.every((p) => state.isCurrent(p))
  ) {
    return { kind: "up-to-date", entries: previous.packages };
  }
  const steps = specs.map((spec): InstallStep => {
    // An installed tarball whose entry did not change is not fetched again: the lock's sha256 pins what
    // its URL served. A local package is always linked and hashed again, which is cheap.
    const kept =
      spec.tarball === undefined
        ? undefined
        : previous?.packages.find((p) => sameSource(p, spec) && state.isInstalled(p));
    return kept ? { kind: "keep", entry: kept } : { kind: "install", spec };
  });
  return { kind: "install", steps };
}

function sameSource(entry: LockEntry, spec: PackageSpec): boolean {
  return (
    entry.local === spec.local && entry.tarball === spec.tarball && (spec.name ?? entry.name) === entry.name
  );
}
