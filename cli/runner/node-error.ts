import { CancelledError, formatLocation, isFloeError } from "../../core/errors.js";
import { TrinoQueryError } from "../../trino/errors.js";
import type { ManifestNode } from "../compile/compile.js";
import { StepFailedError } from "../execute/executor.js";
import { bodyLineAt, describeNodeLocation, trinoErrorText } from "../execute/map-error-location.js";
import type { UnitTestNode } from "../manifest/manifest.js";
import type { NodeOutcome, RunContext } from "./run-context.js";

/** Where a node's SQL came from, to point Trino's line:column back at the file the user edits. */
export interface SqlOrigin {
  readonly node: ManifestNode | UnitTestNode;
  readonly compiledSql: string | undefined;
  readonly runPath: string | undefined;
}

/**
 * Any failure of a node → an error outcome (never a thrown exception: one node's failure is a result).
 * Trino errors name the model file and line (mapped from Trino's position in the statement), Trino's
 * message and the query id.
 */
export function errorOutcome(error: unknown, origin: SqlOrigin, ctx: RunContext): NodeOutcome {
  const runPath = origin.runPath === undefined ? {} : { runPath: origin.runPath };
  if (error instanceof StepFailedError && error.cause instanceof TrinoQueryError) {
    return { ...trinoErrorOutcome(error.cause, error.rendered.bodyLine, origin, ctx), ...runPath };
  }
  if (error instanceof TrinoQueryError)
    return { ...trinoErrorOutcome(error, undefined, origin, ctx), ...runPath };
  if (error instanceof CancelledError || (error as Error)?.name === "AbortError") {
    return {
      status: "error",
      message: "Cancelled (Ctrl-C): the running query was cancelled.",
      errorCode: "CANCELLED",
      ...runPath,
    };
  }
  if (isFloeError(error)) {
    return {
      status: "error",
      message: error.message,
      errorCode: error.code,
      location: error.location ? formatLocation(error.location) : origin.node.original_file_path,
      ...(error.hint ? { hint: error.hint } : {}),
      ...runPath,
    };
  }
  return {
    status: "error",
    message: `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    errorCode: "INTERNAL",
    ...runPath,
  };
}

function trinoErrorOutcome(
  error: TrinoQueryError,
  bodyLine: number | undefined,
  origin: SqlOrigin,
  ctx: RunContext,
): NodeOutcome {
  const base = { status: "error" as const, message: trinoErrorText(error), errorCode: error.code };
  const position = error.position;
  const { node, compiledSql } = origin;
  const compiledLine =
    position && bodyLine !== undefined && compiledSql !== undefined
      ? bodyLineAt(position, bodyLine, compiledSql)
      : undefined;
  if (position && compiledSql !== undefined && compiledLine !== undefined) {
    const location = describeNodeLocation({
      file: node.original_file_path,
      compiledSql,
      compiledLine,
      column: position.column,
      compiledFile: "compiled_path" in node ? { path: node.compiled_path, column: true } : undefined,
      readProjectFile: ctx.readProjectFile,
    });
    return { ...base, location };
  }
  const at =
    position && origin.runPath
      ? `${origin.runPath} (line ${position.line}:${position.column} of the failing statement)`
      : node.original_file_path;
  return { ...base, location: at };
}
