import type { TestNode } from "../compile/compile.js";
import { combinedTestSql, countColumn } from "../data-tests/combine/combined-sql.js";
import { cappedFailures, type TestBatch } from "../data-tests/combine/plan-batches.js";
import type { NodeQueries } from "../execute/node-queries.js";
import type { NodeRenderer } from "../render/render-node.js";

/**
 * The run's combined test queries (see data-tests/combine): the first test of a batch to run asks Trino
 * once for every test's failure count, the others of the batch wait for that answer. A test whose count is
 * zero is then done; one with failures still runs its own query for its failing rows (and to report the
 * same count, message and sample as when run alone). A batch whose query fails falls back to one query
 * per test, so each test reports its own error as it would alone. The tests that follow a batch's first
 * hold no `--threads` slot (see `follows`), so a follower with failures fetches its rows beside the
 * `threads` running nodes: a run with many failing tests in one batch briefly exceeds `--threads`.
 */
export class TestBatches {
  private readonly byTest = new Map<string, TestBatch>();
  private readonly claimed = new Set<string>();
  private readonly counts = new Map<string, Promise<ReadonlyMap<string, number> | undefined>>();

  constructor(
    batches: readonly TestBatch[],
    private readonly renderer: NodeRenderer,
  ) {
    for (const batch of batches) for (const test of batch.tests) this.byTest.set(test.unique_id, batch);
  }

  /** Whether another test of this test's batch has started (then this one only waits for its count). */
  follows(testId: string): boolean {
    const batch = this.byTest.get(testId);
    return batch !== undefined && this.claimed.has(batch.key);
  }

  /** A test of the batch starts: from now on the batch's other tests follow it. */
  claim(testId: string): void {
    const batch = this.byTest.get(testId);
    if (batch) this.claimed.add(batch.key);
  }

  /** The test's failures from its batch's query, or undefined when it runs alone. */
  async failures(test: TestNode, q: NodeQueries): Promise<number | undefined> {
    const batch = this.byTest.get(test.unique_id);
    if (!batch) return undefined;
    let counts = this.counts.get(batch.key);
    if (!counts) {
      counts = this.count(batch, q);
      this.counts.set(batch.key, counts);
    }
    const count = (await counts)?.get(test.unique_id);
    return count === undefined ? undefined : cappedFailures(count, test.config.limit);
  }

  private async count(batch: TestBatch, q: NodeQueries): Promise<ReadonlyMap<string, number> | undefined> {
    const relation = this.renderer.testRelation(batch.tests[0]!);
    if (relation === undefined) return undefined;
    const sql = combinedTestSql(
      relation,
      batch.tests.map((t) => ({
        name: t.test_metadata?.name ?? "",
        ...(t.column_name === undefined ? {} : { column: t.column_name }),
        kwargs: t.test_metadata?.kwargs ?? {},
      })),
    );
    try {
      const result = await q.query<Record<string, unknown>>(sql);
      const row = result.rows[0];
      if (!row) return undefined;
      return new Map(batch.tests.map((t, i) => [t.unique_id, Number(row[countColumn(i)] ?? 0)]));
    } catch {
      // Cancellation is seen again by each test's own query; any other error is each test's to report.
      return undefined;
    }
  }
}
