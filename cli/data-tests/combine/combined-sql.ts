import { quoteString } from "../../../trino/dialect.js";

/** One test of a batch, as the combined query needs it (see plan-batches.ts for which tests qualify). */
export interface CombinedTest {
  readonly name: string;
  readonly column?: string;
  readonly kwargs: Readonly<Record<string, unknown>>;
}

/** The combined query's column holding the failure count of the test at `index`. */
export function countColumn(index: number): string {
  return `floe_test_${index}`;
}

/**
 * One query over `relation` (already `where`-filtered) returning, in one row, each test's failure count as
 * its own query counts it. Row tests (not_null, expression_is_true) are conditional counts over all rows;
 * tests over grouped values (unique, accepted_values, unique_combination) count groups, so the rows are
 * grouped once per distinct column (or column list) with GROUPING SETS — still a single scan of the relation — and `grouping()` tells the
 * sets apart (a NULL key alone could not: the NULL group of a column is a real group). Row tests beside
 * grouped ones are counted per group and summed.
 */
export function combinedTestSql(relation: string, tests: readonly CombinedTest[]): string {
  const keys: string[] = [];
  const keyOf = (column: string): number => {
    let index = keys.indexOf(column);
    if (index < 0) index = keys.push(column) - 1;
    return index;
  };
  const sets: number[][] = [];
  const setOf = (columns: readonly string[]): number[] => {
    const set = [...new Set(columns.map(keyOf))].sort((a, b) => a - b);
    const known = sets.find((s) => s.join() === set.join());
    if (known) return known;
    sets.push(set);
    return set;
  };
  const rowCounts: string[] = [];
  const outputs = tests.map((test, index) => {
    const row = rowPredicate(test);
    if (row !== undefined) {
      rowCounts.push(`count_if(${row}) as floe_rows_${index}`);
      return { index, set: undefined };
    }
    return { index, set: setOf(groupColumns(test)) };
  });
  if (keys.length === 0) {
    return `select\n    ${rowCounts.map((c) => c.replace(" as floe_rows_", " as floe_test_")).join(",\n    ")}\nfrom ${relation}`;
  }
  const keyNames = keys.map((_, i) => `floe_key_${i}`);
  const all = (1 << keys.length) - 1;
  // grouping(k0, k1, …) sets a bit for each key NOT grouped in the row's set; k0 is the highest bit.
  const maskOf = (set: readonly number[]) =>
    set.reduce((mask, key) => mask & ~(1 << (keys.length - 1 - key)), all);
  const groupingSets = sets.map((set) => `(${set.map((k) => keyNames[k]).join(", ")})`);
  // Every row falls in exactly one group of any set: the row counts are summed over the first set's groups
  // (an extra `()` set would feed every row through the aggregation once more).
  const rowSet = maskOf(sets[0]!);
  const selected = outputs.map((o) => {
    if (o.set === undefined) {
      return `coalesce(sum(floe_rows_${o.index}) filter (where floe_set = ${rowSet}), 0) as ${countColumn(o.index)}`;
    }
    const test = tests[o.index]!;
    const key = keyNames[o.set[0]!]!;
    return `count_if(floe_set = ${maskOf(o.set)} and ${groupPredicate(test, key)}) as ${countColumn(o.index)}`;
  });
  return [
    "with floe_rows as (",
    `    select *, ${keys.map((k, i) => `${k} as ${keyNames[i]}`).join(", ")}`,
    `    from ${relation}`,
    "),",
    "floe_groups as (",
    "    select",
    `        grouping(${keyNames.join(", ")}) as floe_set,`,
    `        ${keyNames.join(", ")},`,
    "        count(*) as floe_n",
    ...rowCounts.map((c) => `        , ${c}`),
    "    from floe_rows",
    `    group by grouping sets (${groupingSets.join(", ")})`,
    ")",
    "select",
    `    ${selected.join(",\n    ")}`,
    "from floe_groups",
  ].join("\n");
}

/** The columns a grouped test groups its relation by. */
function groupColumns(test: CombinedTest): string[] {
  return test.name === "unique_combination"
    ? (test.kwargs.columns as string[]).map(String)
    : [test.column ?? ""];
}

/** The failing-row condition of a row test, as its own query's `where`. */
function rowPredicate(test: CombinedTest): string | undefined {
  switch (test.name) {
    case "not_null":
      return `${test.column} is null`;
    case "expression_is_true": {
      const expression = String(test.kwargs.expression);
      return `not (${test.column ? `${test.column} ${expression}` : expression})`;
    }
    default:
      return undefined;
  }
}

/** The failing-group condition of a grouped test, as its own query's `where`/`having`. */
function groupPredicate(test: CombinedTest, key: string): string {
  switch (test.name) {
    case "unique":
      return `${key} is not null and floe_n > 1`;
    case "unique_combination":
      // Its own query groups by all the columns, NULLs included, with no filter.
      return "floe_n > 1";
    case "accepted_values": {
      const quote = test.kwargs.quote !== false;
      const values = (test.kwargs.values as unknown[])
        .map((v) => (quote ? quoteString(String(v)) : String(v)))
        .join(", ");
      return `${key} not in (${values})`;
    }
    default:
      throw new Error(`unreachable: ${test.name} is not a combinable test`);
  }
}
