import type { TestNode } from "../../manifest/manifest.js";

/**
 * Generic tests whose failure count is a conditional count over their model's rows (or over its rows
 * grouped by a column or column list), so several of them can share one scan. Left out, each keeping its
 * own query: relationships (a join to another relation, whose duplicate keys would multiply the model's
 * rows), recency (rare; compares with the clock), custom and singular tests (arbitrary SQL), and tests
 * with store_failures (they write their failing rows to a table anyway, which is a scan of its own).
 */
export const COMBINABLE_TESTS: ReadonlySet<string> = new Set([
  "not_null",
  "unique",
  "accepted_values",
  "expression_is_true",
  "unique_combination",
]);

/** Tests of one model that read the same relation (same attached node, same `where`): one counting query. */
export interface TestBatch {
  readonly key: string;
  readonly tests: readonly TestNode[];
}

export interface BatchOptions {
  /** `--store-failures`: every test writes its audit table, so none is combined. */
  readonly storeFailures: boolean;
  /** Whether the test renders through the built-in generic SQL (a project test can shadow the name). */
  readonly isBuiltin: (test: TestNode) => boolean;
}

/**
 * Which tests of a run are counted together: those that can be, grouped by the relation they read; a
 * group of one is left to run alone (combining it would only add a query). `limit` does not matter here:
 * it caps the count, which the runner applies to the combined count the same way.
 */
export function planTestBatches(tests: readonly TestNode[], options: BatchOptions): TestBatch[] {
  if (options.storeFailures) return [];
  const groups = new Map<string, TestNode[]>();
  for (const test of tests) {
    if (!combinable(test, options)) continue;
    const key = batchKey(test);
    const group = groups.get(key);
    if (group) group.push(test);
    else groups.set(key, [test]);
  }
  return [...groups].filter(([, group]) => group.length > 1).map(([key, group]) => ({ key, tests: group }));
}

export function batchKey(test: TestNode): string {
  return `${test.attached_node ?? ""}\u0000${test.config.where ?? ""}`;
}

function combinable(test: TestNode, options: BatchOptions): boolean {
  const name = test.test_metadata?.name;
  return (
    name !== undefined &&
    COMBINABLE_TESTS.has(name) &&
    test.attached_node !== undefined &&
    !test.config.store_failures &&
    (name === "expression_is_true" || name === "unique_combination" || test.column_name !== undefined) &&
    options.isBuiltin(test)
  );
}

/** A test's failures from its count in the combined query: `limit` caps the rows its own query returns. */
export function cappedFailures(count: number, limit: number | undefined): number {
  return limit === undefined ? count : Math.min(count, limit);
}
