import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { FloeError } from "../../core/errors.js";
import { writeFileAtomic } from "../../core/write-file-atomic.js";

/**
 * What `--due` remembers per node between runs: when it was last built successfully, the digest of the
 * code it was built from, and the version of each input it saw just before that build. One JSON file in the
 * target folder, rewritten atomically (core/write-file-atomic.ts) after each successful build of a node,
 * so a run killed half-way loses nothing that finished.
 */
export const DUE_STATE_FILE = "due_state.json";

const recordSchema = z.strictObject({
  built_at: z.iso.datetime(),
  code: z.string().min(1),
  upstream: z.record(z.string(), z.string()),
});

const stateSchema = z.strictObject({
  version: z.literal(1),
  nodes: z.record(z.string(), recordSchema),
});

export type DueRecord = z.output<typeof recordSchema>;
export type DueStateData = z.output<typeof stateSchema>;

export function emptyDueState(): DueStateData {
  return { version: 1, nodes: {} };
}

/** The state at `path`; none yet is an empty state (every node is then built once). */
export function readDueState(path: string): DueStateData {
  if (!existsSync(path)) return emptyDueState();
  const fix = `delete ${path} (the next --due run then builds every node once and records them again).`;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new FloeError("DUE_STATE_INVALID", `${path} is not valid JSON: ${(error as Error).message}`, {
      hint: fix,
      location: { file: path },
    });
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue?.path.join(".") ?? "";
    throw new FloeError(
      "DUE_STATE_INVALID",
      `${path} is not a --due state file: ${at ? `${at}: ` : ""}${issue?.message ?? "invalid"}`,
      { hint: fix, location: { file: path, ...(at ? { path: at } : {}) } },
    );
  }
  return parsed.data;
}

/** The state file of one run: reads once, writes the whole file after each recorded build. */
export class DueStateFile {
  private readonly data: DueStateData;

  constructor(
    readonly path: string,
    initial: DueStateData = readDueState(path),
  ) {
    this.data = { version: 1, nodes: { ...initial.nodes } };
  }

  get(id: string): DueRecord | undefined {
    return this.data.nodes[id];
  }

  record(id: string, record: DueRecord): void {
    this.data.nodes[id] = record;
    // Sorted keys: the file diffs cleanly between runs.
    const nodes = Object.fromEntries(Object.entries(this.data.nodes).sort(([a], [b]) => a.localeCompare(b)));
    writeFileAtomic(this.path, `${JSON.stringify({ version: 1, nodes }, null, 2)}\n`);
  }
}
