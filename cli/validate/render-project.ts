import { formatLocation, isFloeError } from "../../core/errors.js";
import { type ParsedProject, topologicalOrder } from "../compile/compile.js";
import { NodeRenderer } from "../render/render-node.js";

/** A model or test that did not render: its error as the user fixes it (file, line, fix). */
export interface RenderFailure {
  readonly uniqueId: string;
  readonly code: string;
  readonly message: string;
  readonly location: string;
  readonly hint?: string;
}

export interface RenderedProject {
  readonly sql: ReadonlyMap<string, string>;
  /** Incremental models: the SQL of an incremental run (`{{#if (is_incremental)}}` branches on). */
  readonly incremental: ReadonlyMap<string, string>;
  readonly failures: readonly RenderFailure[];
}

/** `floe validate`'s phase 1: every model and test rendered, or its error — all of them, not the first. */
export function renderProject(project: ParsedProject): RenderedProject {
  const renderer = new NodeRenderer(project);
  const sql = new Map<string, string>();
  const incremental = new Map<string, string>();
  const failures: RenderFailure[] = [];
  for (const id of topologicalOrder(project.manifest)) {
    const node = project.manifest.nodes[id];
    if (!node || node.resource_type === "seed") continue;
    try {
      sql.set(id, renderer.render(node));
      if (node.resource_type === "model" && node.config.materialized === "incremental") {
        incremental.set(id, renderer.render(node, { isIncremental: true }));
      }
    } catch (error) {
      if (!isFloeError(error)) throw error;
      failures.push({
        uniqueId: id,
        code: error.code,
        message: error.message,
        location: error.location ? formatLocation(error.location) : node.original_file_path,
        ...(error.hint ? { hint: error.hint } : {}),
      });
    }
  }
  return { sql, incremental, failures };
}
