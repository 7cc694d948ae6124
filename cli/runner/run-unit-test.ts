import type { NodeQueries } from "../execute/node-queries.js";
import type { ColumnInfo, GraphNode, UnitTestNode } from "../manifest/manifest.js";
import { relationOf } from "../manifest/manifest.js";
import {
  DIFF_COLUMN,
  describeActualSql,
  diffOrder,
  type FixtureColumn,
  type UnitTestInput,
  unitTestDiffSql,
} from "../render/unit-test-sql.js";
import { runPathOf } from "./model-sql.js";
import { errorOutcome } from "./node-error.js";
import type { NodeOutcome, RunContext } from "./run-context.js";

/** Differing rows shown; the count covers them all. */
export const UNIT_TEST_SAMPLE_ROWS = 50;
const COUNT = "floe_failures";

/**
 * One unit test: render the model against its fixtures, describe the result's column types (the expected
 * rows are cast to them), then one query returns the differing rows and their count. A difference is a
 * failure with the rows as a `+`/`-` table; a model that does not run on the fixtures is an error.
 */
export async function runUnitTest(test: UnitTestNode, q: NodeQueries, ctx: RunContext): Promise<NodeOutcome> {
  let compiledSql: string | undefined;
  const runPath = runPathOf(test.compiled_path);
  try {
    const { sql, inputs } = ctx.renderer.renderUnitTest(test);
    const fixtures: UnitTestInput[] = [];
    for (const [id, cte] of inputs) {
      if (id === "this") continue;
      const given = test.given.find((g) => g.node === id);
      fixtures.push({
        cte,
        label: given?.input ?? labelOf(ctx, id),
        fixture: given?.fixture,
        columns: given?.fixture.format === "sql" ? [] : await knownColumns(ctx, id, test, q),
      });
    }
    const self = test.given.find((g) => g.node === "this");
    if (self) {
      let columns = self.fixture.format === "sql" ? [] : await knownColumns(ctx, "this", test, q);
      if (self.fixture.format !== "sql" && !columns.some((c) => c.type !== undefined)) {
        // `this` holds what the model's first run wrote: its columns and types are that run's output.
        const firstRun = ctx.renderer.renderUnitTest(test, { firstRun: true });
        const described = await q.query(describeActualSql(fixtures, firstRun.sql), { exactTypes: true });
        columns = described.columns.map((c) => ({ name: c.name, type: c.type }));
      }
      fixtures.push({ cte: inputs.get("this") ?? "this", label: "this", fixture: self.fixture, columns });
    }
    const described = await q.query(describeActualSql(fixtures, sql), { exactTypes: true });
    const actualTypes = new Map(described.columns.map((c) => [c.name.toLowerCase(), c.type]));
    compiledSql = unitTestDiffSql(fixtures, sql, test.expect, actualTypes);
    ctx.writeArtifact(test.compiled_path, `${compiledSql}\n`);
    ctx.writeArtifact(runPath, `${compiledSql};\n`);
    const result = await q.query<Record<string, unknown>>(
      `select floe_diff.*, count(*) over () as ${COUNT} from (\n${compiledSql}\n) as floe_diff order by ${diffOrder(test.expect, actualTypes)} limit ${UNIT_TEST_SAMPLE_ROWS}`,
    );
    const failures = Number(result.rows[0]?.[COUNT] ?? 0);
    const columns = result.columns.map((c) => c.name).filter((c) => c !== COUNT);
    const rows = result.rows.map((r) => columns.map((c) => r[c]));
    if (failures === 0) return { status: "pass", failures, message: "actual equals expected", runPath };
    return {
      status: "fail",
      failures,
      message: `${failures} row${failures === 1 ? "" : "s"} differ (${DIFF_COLUMN} '-': expected but not returned, '+': returned but not expected).`,
      runPath,
      location: test.original_file_path,
      sample: { columns, rows },
    };
  } catch (error) {
    return errorOutcome(error, { node: test, compiledSql, runPath }, ctx);
  }
}

function labelOf(ctx: RunContext, id: string): string {
  const source = ctx.project.manifest.sources[id];
  if (source) return `source('${source.source_name}', '${source.table_name}')`;
  return id === "this" ? "this" : `ref('${ctx.project.manifest.nodes[id]?.name ?? id}')`;
}

/**
 * An input's columns: the yml's (with their `data_type`), completed from the warehouse when the relation
 * exists and the yml leaves a column or type out. Neither known: the fixture's values decide.
 */
async function knownColumns(
  ctx: RunContext,
  id: string,
  test: UnitTestNode,
  q: NodeQueries,
): Promise<FixtureColumn[]> {
  const manifest = ctx.project.manifest;
  const node: GraphNode | undefined =
    id === "this" ? manifest.nodes[test.attached_node] : (manifest.nodes[id] ?? manifest.sources[id]);
  if (!node) return [];
  const documented = Object.values((node as { columns?: Record<string, ColumnInfo> }).columns ?? {});
  const fromYml = documented.map((c) => ({ name: c.name, type: c.data_type }));
  if (fromYml.length > 0 && fromYml.every((c) => c.type !== undefined)) return fromYml;
  const relation = relationOf(node);
  if (!relation) return fromYml;
  const state = await ctx.exec.relations.state(relation, q, false);
  if (state.kind === "absent") return fromYml;
  const warehouse = await ctx.exec.relations.columns(relation, q);
  const typed = new Map(fromYml.filter((c) => c.type).map((c) => [c.name.toLowerCase(), c.type]));
  const names = new Set(warehouse.map((c) => c.name.toLowerCase()));
  return [
    ...warehouse.map((c) => ({ name: c.name, type: typed.get(c.name.toLowerCase()) ?? c.type })),
    ...fromYml.filter((c) => !names.has(c.name.toLowerCase())),
  ];
}
