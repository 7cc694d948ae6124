import type { BuildAfter } from "../manifest/config.js";
import type { DueRecord } from "./due-state.js";

/**
 * `floe build --due` decides per node, from data only: what it was built from last time (the state file),
 * what its inputs look like now, its code and its `freshness.build_after`. No I/O here; the runner gathers
 * the inputs' versions from Trino (upstream-versions.ts) and asks just before the node would run, after its
 * upstream nodes of the same run have finished.
 *
 * The rules, after dbt Fusion's state-aware orchestration:
 * 1. never built with --due, its relation missing, or its code/config changed → build (whatever build_after);
 * 2. a view reads its upstream live: with its code unchanged it is not rebuilt;
 *    a seed's only input is its CSV, part of its code;
 * 3. built less than build_after ago → not due;
 * 4. otherwise built when its inputs changed since its last build: any of them (`updates_on: any`, the
 *    default and dbt's behaviour without build_after), or every one of them (`updates_on: all`).
 */

/** How a node's freshness is judged. */
export type DueKind = "table" | "view" | "seed";

export interface DueCandidate {
  readonly id: string;
  readonly kind: DueKind;
  /** A digest of the node's code and config: a change means a rebuild. */
  readonly code: string;
  readonly buildAfter?: BuildAfter | undefined;
}

/** Input unique_id → a version label (`snapshot 123`, `4 files, newest 2026-12-06 12:14:09 UTC`). */
export type UpstreamVersions = Readonly<Record<string, string>>;

export interface DueQuestion {
  readonly candidate: DueCandidate;
  readonly previous: DueRecord | undefined;
  /** The node's data inputs now (tables and sources, through views and ephemeral models). */
  readonly observed: UpstreamVersions;
  /** Whether the node's relation exists in the warehouse now. */
  readonly exists: boolean;
  readonly now: Date;
  /** Display names of inputs in reasons (default: the unique_id's last part). */
  readonly nameOf?: (id: string) => string;
}

export type DueDecision =
  | { readonly build: true; readonly reason: string }
  | { readonly build: false; readonly reason: string };

const PERIOD_SECONDS = { minute: 60, hour: 3_600, day: 86_400 } as const;

export function buildAfterSeconds(buildAfter: BuildAfter): number {
  return buildAfter.count * PERIOD_SECONDS[buildAfter.period];
}

export function decideDue(question: DueQuestion): DueDecision {
  const { candidate, previous, observed, now } = question;
  const nameOf = question.nameOf ?? defaultName;
  if (previous === undefined) return { build: true, reason: "no earlier --due build recorded" };
  if (!question.exists) return { build: true, reason: "its relation does not exist" };
  if (previous.code !== candidate.code) {
    return { build: true, reason: "its code or config changed since its last build" };
  }
  const ago = shortDuration((now.getTime() - Date.parse(previous.built_at)) / 1000);
  if (candidate.kind === "view") {
    return { build: false, reason: `view unchanged since ${ago} ago: a view reads its upstream live` };
  }
  if (candidate.kind === "seed") {
    return { build: false, reason: `seed file unchanged since its load ${ago} ago` };
  }
  const buildAfter = candidate.buildAfter;
  if (buildAfter !== undefined) {
    const elapsed = (now.getTime() - Date.parse(previous.built_at)) / 1000;
    if (elapsed < buildAfterSeconds(buildAfter)) {
      return {
        build: false,
        reason: `not due: built ${ago} ago, build_after ${shortDuration(buildAfterSeconds(buildAfter))}`,
      };
    }
  }
  const inputs = Object.keys(observed).sort();
  if (inputs.length === 0) {
    return { build: false, reason: "no upstream inputs, and its code is unchanged" };
  }
  const changed = inputs.filter((id) => previous.upstream[id] !== observed[id]);
  const unchanged = inputs.filter((id) => previous.upstream[id] === observed[id]);
  const describeChanged = (ids: readonly string[]) =>
    list(ids.map((id) => `${nameOf(id)} ${previous.upstream[id] ?? "(not seen before)"} → ${observed[id]}`));
  const describeUnchanged = (ids: readonly string[]) =>
    list(ids.map((id) => `${nameOf(id)} ${observed[id]} = last seen`));
  if (buildAfter?.updates_on === "all") {
    return unchanged.length === 0
      ? { build: true, reason: `every upstream changed: ${describeChanged(changed)}` }
      : {
          build: false,
          reason: `not every upstream changed (updates_on: all): ${describeUnchanged(unchanged)}`,
        };
  }
  return changed.length > 0
    ? { build: true, reason: `upstream changed: ${describeChanged(changed)}` }
    : { build: false, reason: `upstream unchanged: ${describeUnchanged(unchanged)}` };
}

function defaultName(id: string): string {
  const parts = id.split(".");
  return id.startsWith("source.") ? parts.slice(-2).join(".") : (parts.at(-1) ?? id);
}

/** At most three, then "and N more": a log line stays readable for a model with many inputs. */
function list(items: readonly string[]): string {
  return items.length <= 3
    ? items.join("; ")
    : `${items.slice(0, 3).join("; ")}; and ${items.length - 3} more`;
}

/** `45s`, `3m`, `2h 5m`, `3d 4h`. */
export function shortDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3_600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) {
    const m = Math.floor((s % 3_600) / 60);
    return `${Math.floor(s / 3_600)}h${m > 0 ? ` ${m}m` : ""}`;
  }
  const h = Math.floor((s % 86_400) / 3_600);
  return `${Math.floor(s / 86_400)}d${h > 0 ? ` ${h}h` : ""}`;
}
