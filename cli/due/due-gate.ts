import { join } from "node:path";
import type { TrinoConnection } from "../../trino/connection.js";
import type { ParsedProject } from "../compile/compile.js";
import type { Manifest, TestNode, UnitTestNode } from "../manifest/manifest.js";
import { type DueDecision, decideDue, decideWithoutInputs } from "./decide-due.js";
import { codeDigest, type DueNode, dataInputs, dueCandidate } from "./due-candidate.js";
import { DUE_STATE_FILE, type DueRecord, DueStateFile } from "./due-state.js";
import { envS3Client, s3ObjectLister } from "./s3-object-lister.js";
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
  /**
   * Whether a data or unit test passed the last time it ran under --due, with the same code: only then may
   * it be left out when what it tests was not rebuilt (a test that failed keeps running, and keeps
   * stopping what is downstream of it, until it passes).
   */
  passedBefore(test: TestNode | UnitTestNode): boolean;
  /** After a test ran: a pass is remembered, anything else forgotten. */
  tested(test: TestNode | UnitTestNode, passed: boolean): void;
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
      const question = {
        candidate,
        previous: state.get(node.unique_id),
        exists: await exists(),
        now: at,
        nameOf,
      };
      // Not due (or an unchanged view or seed): decided without reading any input's version.
      const early = decideWithoutInputs(question);
      if (early?.build === false) return early;
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
      const decision: DueDecision = early ?? decideDue({ ...question, observed });
      return {
        ...decision,
        record: { built_at: at.toISOString(), code: candidate.code, upstream: observed },
      };
    },
    built(node, verdict) {
      if (verdict.record) state.record(node.unique_id, verdict.record);
    },
    passedBefore(test) {
      return state.get(test.unique_id)?.code === codeDigest(test);
    },
    tested(test, passed) {
      if (passed) {
        state.record(test.unique_id, { built_at: now().toISOString(), code: codeDigest(test), upstream: {} });
      } else state.forget(test.unique_id);
    },
  };
}

/**
 * `floe build --due` and `floe serve`'s builds: the state file in the project's target folder, the inputs'
 * versions read from the target's Trino (cancelled with the run) and, for external Hive tables, from S3
 * with the connection settings of the environment (`FLOE_S3_*`, as the sink's).
 */
export function projectDueGate(
  project: ParsedProject,
  connection: TrinoConnection,
  signal: AbortSignal | undefined,
): DueGate {
  return createDueGate({
    manifest: project.manifest,
    state: new DueStateFile(join(project.root, project.targetPath, DUE_STATE_FILE)),
    versions: new TrinoVersionReader(
      project.manifest,
      (sql, options) => connection.query(sql, { ...options, ...(signal ? { signal } : {}) }),
      undefined,
      s3ObjectLister(envS3Client(process.env)),
    ),
  });
}
