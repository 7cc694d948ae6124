import { join } from "node:path";
import type { TrinoConnection } from "../../trino/connection.js";
import type { ParsedProject } from "../compile/compile.js";
import type { Manifest } from "../manifest/manifest.js";
import { type DueDecision, decideDue } from "./decide-due.js";
import { type DueNode, dataInputs, dueCandidate } from "./due-candidate.js";
import { DUE_STATE_FILE, type DueRecord, DueStateFile } from "./due-state.js";
import { TrinoVersionReader, type VersionReader } from "./upstream-versions.js";

/** The answer for one node: build it (and what to record once it built), or skip it, with the reason. */
export interface DueVerdict {
  readonly build: boolean;
  readonly reason: string;
  /** Written to the state file after a successful build; absent when the inputs could not be read. */
  readonly record?: DueRecord;
}

/** What `runTask` asks under `--due`, just before a node would run, and tells after it built. */
export interface DueGate {
  decide(node: DueNode, exists: () => Promise<boolean>): Promise<DueVerdict>;
  built(node: DueNode, verdict: DueVerdict): void;
}

export interface DueGateOptions {
  readonly manifest: Manifest;
  readonly state: DueStateFile;
  readonly versions: VersionReader;
  readonly now?: () => Date;
}

/**
 * Joins the pure decision to its I/O: the state file (read once, written after each successful build) and
 * the inputs' versions (read from Trino when the node is reached, so a parent rebuilt earlier in the same
 * run counts as changed). Inputs are read before the node builds, so data that lands during the build is
 * new for the next run.
 */
export function createDueGate(options: DueGateOptions): DueGate {
  const { manifest, state, versions } = options;
  const now = options.now ?? (() => new Date());
  const nameOf = (id: string) => {
    const source = manifest.sources[id];
    return source ? `${source.source_name}.${source.table_name}` : (manifest.nodes[id]?.name ?? id);
  };
  return {
    async decide(node, exists) {
      const candidate = dueCandidate(node);
      const at = now();
      // A view's inputs do not decide anything (it reads them live): not read.
      const inputs = candidate.kind === "table" ? dataInputs(manifest, node) : [];
      let observed: Record<string, string>;
      try {
        observed = Object.fromEntries(
          await Promise.all(inputs.map(async (id) => [id, await versions.versionOf(id)] as const)),
        );
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { build: true, reason: `building: its inputs' versions could not be read (${message})` };
      }
      const decision: DueDecision = decideDue({
        candidate,
        previous: state.get(node.unique_id),
        observed,
        exists: await exists(),
        now: at,
        nameOf,
      });
      return {
        ...decision,
        record: { built_at: at.toISOString(), code: candidate.code, upstream: observed },
      };
    },
    built(node, verdict) {
      if (verdict.record) state.record(node.unique_id, verdict.record);
    },
  };
}

/**
 * `floe build --due` and `floe serve`'s builds: the state file in the project's target folder, the inputs'
 * versions read from the target's Trino (cancelled with the run).
 */
export function projectDueGate(
  project: ParsedProject,
  connection: TrinoConnection,
  signal: AbortSignal | undefined,
): DueGate {
  return createDueGate({
    manifest: project.manifest,
    state: new DueStateFile(join(project.root, project.targetPath, DUE_STATE_FILE)),
    versions: new TrinoVersionReader(project.manifest, (sql, options) =>
      connection.query(sql, { ...options, ...(signal ? { signal } : {}) }),
    ),
  });
}
