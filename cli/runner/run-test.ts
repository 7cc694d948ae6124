import { quoteRelation } from "../../trino/dialect.js";
import type { TestNode } from "../compile/compile.js";
import { testStatus } from "../data-tests/grade.js";
import { executePlan } from "../execute/executor.js";
import type { NodeQueries } from "../execute/node-queries.js";
import { prepare } from "../plan/prepare-relation.js";
import { renderPlanSql } from "../plan/render-step.js";
import { plan } from "../plan/steps.js";
import { runPathOf } from "./model-sql.js";
import { errorOutcome } from "./node-error.js";
import type { NodeOutcome, RunContext } from "./run-context.js";

/** Failing rows shown when the test sets no `limit`. */
export const DEFAULT_SAMPLE_ROWS = 5;
const COUNT = "floe_failures";

/**
 * One data test. Its result is a result, not an exception: pass/warn/fail with the number of failing rows
 * and a sample of them (dbt-core#3265: "Got N results" without the rows). One query returns both the
 * sample and the total (`count(*) OVER ()`). With store_failures the failing rows are first written to
 * the audit relation and read back from there. A test combined with others of its model (TestBatches)
 * skips that query when the combined count says it has no failures.
 */
export async function runDataTest(node: TestNode, q: NodeQueries, ctx: RunContext): Promise<NodeOutcome> {
  let compiledSql: string | undefined;
  const runPath = runPathOf(node.compiled_path);
  try {
    compiledSql = ctx.renderer.render(node);
    ctx.writeArtifact(node.compiled_path, `${compiledSql.trimEnd()}\n`);
    const body = compiledSql.replace(/[\s;]+$/, "");
    const sampleSize = node.config.limit ?? DEFAULT_SAMPLE_ROWS;
    let from = `(\n${body}\n) AS floe_test`;
    let stored: string | undefined;
    if (node.config.store_failures || ctx.storeFailures) {
      const relation = node.store_failures_relation;
      const state = await ctx.exec.relations.state(relation, q, false);
      const store = plan([
        ...prepare({ relation, state, locationRoot: ctx.locationRoot }, "table"),
        {
          kind: "create-table-as",
          relation,
          source: { kind: "query", sql: body },
          properties: [],
          replace: true,
        },
      ]);
      ctx.writeArtifact(runPath, renderPlanSql(store));
      await executePlan(store, q, ctx.exec);
      stored = quoteRelation(relation);
      from = `${stored} AS floe_test`;
    } else {
      ctx.writeArtifact(runPath, `${body};\n`);
    }
    // Counted with the other tests of its model in one scan: no failures means no rows to fetch.
    const counted = stored ? undefined : await ctx.testBatches?.failures(node, q);
    const { failures, columns, rows } =
      counted === 0 ? { failures: 0, columns: [], rows: [] } : await failingRows(from, sampleSize, q);
    const status = testStatus(node.config, failures);
    const where = stored ? ` Stored in ${stored}.` : "";
    return {
      status,
      failures,
      message:
        failures === 0 ? "no failing rows" : `${failures} failing row${failures === 1 ? "" : "s"}.${where}`,
      runPath,
      ...(status === "pass" ? {} : { location: node.patch_path ?? node.original_file_path }),
      ...(failures > 0 ? { sample: { columns, rows } } : {}),
    };
  } catch (error) {
    return errorOutcome(error, { node, compiledSql, runPath }, ctx);
  }
}

/** The test's failing rows (up to `sampleSize`) and their total, in one query. */
async function failingRows(
  from: string,
  sampleSize: number,
  q: NodeQueries,
): Promise<{ failures: number; columns: string[]; rows: unknown[][] }> {
  const result = await q.query<Record<string, unknown>>(
    `SELECT floe_test.*, count(*) OVER () AS ${COUNT} FROM ${from} LIMIT ${Math.max(1, sampleSize)}`,
  );
  const failures = Number(result.rows[0]?.[COUNT] ?? 0);
  const columns = result.columns.map((c) => c.name).filter((c) => c !== COUNT);
  const rows = result.rows.slice(0, sampleSize).map((r) => columns.map((c) => r[c]));
  return { failures, columns, rows };
}
