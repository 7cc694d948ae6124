import type { TrinoConnection } from "../../trino/connection.js";
import { TrinoQueryError } from "../../trino/errors.js";
import { bodyLineAt, describeNodeLocation, trinoErrorText } from "../execute/map-error-location.js";
import type { Manifest } from "../manifest/manifest.js";
import type { EnginePlan, SqlVariant } from "./plan-checks.js";
import type { NodeValidation } from "./validate-events.js";

/** The EXPLAIN line before the node's SQL: the SQL starts on the statement's second line. */
const EXPLAIN = "EXPLAIN (TYPE VALIDATE)\n";
const BODY_LINE = 2;

export interface ExplainContext {
  readonly manifest: Manifest;
  readonly connection: TrinoConnection;
  readonly signal?: AbortSignal;
  readonly readProjectFile: (path: string) => string;
}

/**
 * `EXPLAIN (TYPE VALIDATE)` of a node's SQL, then of its incremental run's SQL when it has one: Trino
 * analyses the statement and runs nothing. A Trino error is the node's result, pointed at the template
 * line; any other error (Ctrl-C, Trino gone) is thrown.
 */
export async function explainPlan(
  plan: Extract<EnginePlan, { check: true }>,
  identity: Pick<NodeValidation, "uniqueId" | "name" | "resourceType" | "inlined">,
  ctx: ExplainContext,
): Promise<NodeValidation> {
  const variants: [string, SqlVariant][] = [["", plan]];
  if (plan.incremental) variants.push(["incremental run: ", plan.incremental]);
  let queryId: string | undefined;
  for (const [label, variant] of variants) {
    try {
      const result = await ctx.connection.query(
        `${EXPLAIN}${variant.sql.replace(/[\s;]+$/, "")}`,
        ctx.signal ? { signal: ctx.signal } : {},
      );
      queryId = result.queryId;
    } catch (error) {
      if (!(error instanceof TrinoQueryError)) throw error;
      return {
        ...identity,
        status: "error",
        message: `${label}${trinoErrorText(error)}`,
        errorCode: error.code,
        // target/compiled/ holds the full-refresh SQL: point there only for that variant.
        location: errorLocation(error, variant, plan, ctx, label === ""),
        queryId: error.queryId,
        executionTime: 0,
      };
    }
  }
  return { ...identity, status: "ok", ...(queryId ? { queryId } : {}), executionTime: 0 };
}

/** Trino's line in `EXPLAIN …\n<sql>` → the template file's line (or "inside inlined upstream"). */
function errorLocation(
  error: TrinoQueryError,
  variant: SqlVariant,
  plan: Extract<EnginePlan, { check: true }>,
  ctx: ExplainContext,
  showCompiled: boolean,
): string {
  const node = ctx.manifest.nodes[plan.id]!;
  const file = node.original_file_path;
  const position = error.position;
  const sqlLine = position && bodyLineAt(position, BODY_LINE, variant.sql);
  if (!position || sqlLine === undefined) return file;
  const ownLine = variant.ownLine(sqlLine);
  if (ownLine === undefined) {
    const names = plan.inlined.map((id) => ctx.manifest.nodes[id]?.name ?? id).join(", ");
    return `${file} (in the SQL inlined from unbuilt upstream ${names})`;
  }
  return describeNodeLocation({
    file,
    compiledSql: variant.rendered,
    compiledLine: ownLine,
    column: position.column,
    // Only the line: after an inlined subquery, Trino's column is not the compiled file's.
    compiledFile:
      showCompiled && "compiled_path" in node ? { path: node.compiled_path, column: false } : undefined,
    readProjectFile: ctx.readProjectFile,
  });
}
