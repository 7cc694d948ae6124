import { closestName } from "../../core/closest-name.js";
import { ConfigError, FloeError, isFloeError } from "../../core/errors.js";
import type { TrinoConnection } from "../../trino/connection.js";
import { splitStatements } from "../../trino/split-statements.js";
import type { ParsedProject } from "../project/build-project.js";
import { NodeRenderer } from "../render/render-node.js";

/**
 * `floe run-operation <macro> --args '<yaml>'`: a macro rendered with the arguments and its statements run
 * in Trino one by one, in order (Trino takes one statement per query). Planning is pure
 * (`planOperation`); `runOperation` runs the plan and stops at the first failing statement.
 */
export interface OperationPlan {
  readonly macro: string;
  /** The macro's file, for messages. */
  readonly file: string;
  readonly statements: readonly string[];
}

export function planOperation(
  project: ParsedProject,
  macro: string,
  args: Readonly<Record<string, unknown>>,
): OperationPlan {
  const partial = project.environment.partials.get(macro);
  if (!partial) {
    const names = [...project.environment.partials.keys()];
    const suggestion = closestName(macro, names);
    throw new ConfigError(`run-operation: no macro is named '${macro}'.`, {
      hint: suggestion
        ? `did you mean \`floe run-operation ${suggestion}\`?`
        : `create macros/${macro}.sql (a macro is a file under macros/, named by its file stem).`,
    });
  }
  let sql: string;
  try {
    sql = new NodeRenderer(project).renderMacro(macro, args);
  } catch (error) {
    if (!isFloeError(error)) throw error;
    throw new FloeError(error.code, `run-operation ${macro}: ${error.message}`, {
      exitCode: error.exitCode,
      cause: error,
      ...(error.location ? { location: error.location } : {}),
      hint: error.hint ?? `fix ${partial.file} or the --args you pass.`,
    });
  }
  return { macro, file: partial.file, statements: splitStatements(sql) };
}

export interface OperationStatementResult {
  readonly index: number;
  readonly sql: string;
  readonly queryId: string;
  readonly seconds: number;
  readonly rows: number;
  readonly updateCount: number | undefined;
}

export async function runOperation(
  plan: OperationPlan,
  connection: TrinoConnection,
  onStatement: (result: OperationStatementResult) => void,
  signal?: AbortSignal,
): Promise<readonly OperationStatementResult[]> {
  const results: OperationStatementResult[] = [];
  for (const [i, sql] of plan.statements.entries()) {
    const started = performance.now();
    try {
      const result = await connection.query(sql, signal ? { signal } : {});
      const done: OperationStatementResult = {
        index: i + 1,
        sql,
        queryId: result.queryId,
        seconds: (performance.now() - started) / 1000,
        rows: result.rows.length,
        updateCount: result.updateCount,
      };
      results.push(done);
      onStatement(done);
    } catch (error) {
      if (!isFloeError(error)) throw error;
      // Trino's own errors exit 1 (the operation failed, as a model would); an unreachable Trino stays 2.
      throw new FloeError(
        error.code,
        `run-operation ${plan.macro}: statement ${i + 1} of ${plan.statements.length} failed: ${error.message.replace(/([^.])$/, "$1.")}`,
        {
          exitCode: error.exitCode,
          cause: error,
          location: { file: plan.file },
          hint:
            error.hint ??
            `fix ${plan.file} (statement ${i + 1}: ${oneLine(sql, 80)}) or the --args you pass.`,
        },
      );
    }
  }
  return results;
}

/** A statement on one line (whitespace collapsed), cut at `max` characters: for log lines. */
export function oneLine(sql: string, max: number): string {
  const flat = sql.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
