import { ConfigError } from "../../core/errors.js";
import { quoteIdentifier, quoteString } from "../../trino/dialect.js";
import type { UnitTestRows } from "../manifest/manifest.js";

/**
 * The SQL of a unit test, pure. Every ref and source the model reads becomes a CTE of fixed rows (VALUES),
 * so no upstream table needs to exist; the model's own SQL, rendered against those CTEs, is `actual`; the
 * expected rows are cast to actual's column types (known after describing `actual`, hence two steps), and
 * the two are compared in Trino with EXCEPT ALL both ways: a row missing twice or present once too many
 * times shows, and only the columns the expectation names are compared, as dbt does.
 */

/** A column of a fixture: its type when known (yml `data_type`, the warehouse), else read from the values. */
export interface FixtureColumn {
  readonly name: string;
  readonly type?: string | undefined;
}

export interface UnitTestInput {
  /** The CTE the model's ref/source renders as (`inputCte`). */
  readonly cte: string;
  /** What the user wrote, for messages: `ref('stg_orders')`. */
  readonly label: string;
  /** Undefined: not given, so it reads zero rows of its known columns. */
  readonly fixture: UnitTestRows | undefined;
  /** The input's known columns (empty when unknown). */
  readonly columns: readonly FixtureColumn[];
}

export const ACTUAL = "__floe_actual";
export const EXPECTED = "__floe_expected";
/** The first column of a diff row: `+` in actual but not expected, `-` expected but missing. */
export const DIFF_COLUMN = "diff";

/** The CTE a ref/source/this renders as inside a unit test. */
export function inputCte(name: string): string {
  return `__floe_input__${name.replace(/[^A-Za-z0-9_]/g, "_")}`;
}

/** `with <inputs>, actual as (<model>)` and a query on top of it. */
function withActual(inputs: readonly UnitTestInput[], modelSql: string): string {
  const ctes = inputs.map((input) => `${quoteIdentifier(input.cte)} as (\n${fixtureSql(input)}\n)`);
  ctes.push(`${quoteIdentifier(ACTUAL)} as (\n${modelSql.replace(/[\s;]+$/, "")}\n)`);
  return `with\n${ctes.join(",\n")}\n`;
}

/** The model's output on the fixtures, planned but not run (its column types decide the expected casts). */
export function describeActualSql(inputs: readonly UnitTestInput[], modelSql: string): string {
  return `${withActual(inputs, modelSql)}select * from ${quoteIdentifier(ACTUAL)} limit 0`;
}

/**
 * The diff: one row per difference, `diff` first (`+`/`-`), then the compared columns. `actualTypes` maps
 * the model's output columns (lower-case names) to their Trino types.
 */
export function unitTestDiffSql(
  inputs: readonly UnitTestInput[],
  modelSql: string,
  expect: UnitTestRows,
  actualTypes: ReadonlyMap<string, string>,
): string {
  let compared: string[];
  let expected: string;
  if (expect.format === "sql") {
    compared = [...actualTypes.keys()];
    expected = expect.rows.replace(/[\s;]+$/, "");
  } else {
    const table = fixtureTable(expect);
    for (const name of table.columns) {
      if (!actualTypes.has(name.toLowerCase())) {
        throw new ConfigError(`expect names column '${name}', which the model does not return`, {
          hint: `compare only the model's columns: ${[...actualTypes.keys()].join(", ")}.`,
        });
      }
    }
    compared = table.columns;
    expected = valuesSql(
      table.columns.map((name) => ({ name, type: expectedType(actualTypes.get(name.toLowerCase())) })),
      table.rows,
    );
  }
  const list = compared.map(quoteIdentifier).join(", ");
  const actual = quoteIdentifier(ACTUAL);
  const exp = quoteIdentifier(EXPECTED);
  return (
    `${withActual(inputs, modelSql).replace(/\n$/, "")},\n` +
    `${exp} as (\n${expected}\n),\n` +
    `"__floe_compared" as (select ${list} from ${actual}),\n` +
    `"__floe_expected_compared" as (select ${list} from ${exp})\n` +
    `select '+' as ${DIFF_COLUMN}, * from (select * from "__floe_compared" except all select * from "__floe_expected_compared")\n` +
    "union all\n" +
    `select '-' as ${DIFF_COLUMN}, * from (select * from "__floe_expected_compared" except all select * from "__floe_compared")`
  );
}

/**
 * The type an expected value is cast to: actual's, except a bounded varchar, which would cut a longer
 * expected text to the actual's length (`'shipped'` as `varchar(4)` is `'ship'`) and so misreport the diff.
 */
function expectedType(type: string | undefined): string | undefined {
  return type !== undefined && /^varchar\(\d+\)$/i.test(type) ? "varchar" : type;
}

const SORTABLE =
  /^(varchar|char|bigint|integer|smallint|tinyint|decimal|double|real|date|timestamp|time|boolean|uuid)\b/i;

/**
 * How to list the diff: by the first compared column (usually the key), then `-` before `+`, so an
 * expected row and the row returned instead sit together. Only a plainly sortable first column sorts.
 */
export function diffOrder(expect: UnitTestRows, actualTypes: ReadonlyMap<string, string>): string {
  const first =
    expect.format === "sql" ? [...actualTypes.keys()][0] : fixtureTable(expect).columns[0]?.toLowerCase();
  const type = first === undefined ? undefined : actualTypes.get(first);
  return type !== undefined && SORTABLE.test(type) ? "2, 1 desc" : "1 desc";
}

/** A given input as a query: its rows (missing known columns NULL), or zero rows of its known columns. */
export function fixtureSql(input: UnitTestInput): string {
  const { fixture } = input;
  if (fixture?.format === "sql") return fixture.rows.replace(/[\s;]+$/, "");
  const table = fixture ? fixtureTable(fixture) : { columns: [], rows: [] };
  const known = new Map(input.columns.map((c) => [c.name.toLowerCase(), c]));
  const given = new Set(table.columns.map((c) => c.toLowerCase()));
  const columns: FixtureColumn[] = table.columns.map((name) => ({
    name,
    type: known.get(name.toLowerCase())?.type,
  }));
  // Columns the rows leave out are NULL of their type, so `select *` and every column the model reads exist.
  const missing = input.columns.filter((c) => !given.has(c.name.toLowerCase()));
  const all = [...columns, ...missing];
  if (all.length === 0) {
    throw new ConfigError(`${input.label} has no rows and no known columns`, {
      hint: `give ${input.label} in the unit test's given: (rows: [] with its columns needs data_type in its yml), or document its columns.`,
    });
  }
  const rows = table.rows.map((row) => [...row, ...missing.map(() => null)]);
  return valuesSql(all, rows);
}

type Cell = unknown;

interface FixtureTable {
  readonly columns: string[];
  readonly rows: Cell[][];
}

/** Dict rows or CSV text as a column list and rows of cells (CSV cells are text; empty is NULL). */
export function fixtureTable(fixture: Exclude<UnitTestRows, { format: "sql" }>): FixtureTable {
  if (fixture.format === "csv") {
    const [header, ...lines] = parseCsv(fixture.rows);
    const columns = (header ?? []).map((c) => c.trim());
    return {
      columns,
      rows: lines.map((line) =>
        columns.map((_, i) => (line[i] === undefined || line[i] === "" ? null : line[i])),
      ),
    };
  }
  const columns: string[] = [];
  for (const row of fixture.rows) {
    for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  }
  return { columns, rows: fixture.rows.map((row) => columns.map((c) => row[c] ?? null)) };
}

/** Rows as `select * from (values ...) as t(cols)`; no rows: a typed, empty select. */
function valuesSql(columns: readonly FixtureColumn[], rows: readonly Cell[][]): string {
  const names = columns.map((c) => quoteIdentifier(c.name));
  if (rows.length === 0) {
    const typed = columns.map((c, i) => `cast(null as ${c.type ?? "varchar"}) as ${names[i]}`);
    return `select ${typed.join(", ")} where false`;
  }
  const values = rows.map((row) => `(${columns.map((c, i) => literal(row[i], c.type)).join(", ")})`);
  return `select * from (values\n  ${values.join(",\n  ")}\n) as t (${names.join(", ")})`;
}

/**
 * A fixture value as SQL: cast from its text to the column's type when the type is known (Trino parses
 * timestamps, decimals and booleans from text), otherwise a literal of the value's own kind.
 */
export function literal(value: Cell, type: string | undefined): string {
  if (value === null || value === undefined) return type ? `cast(null as ${type})` : "null";
  if (typeof value === "object" && !(value instanceof Date)) {
    throw new ConfigError(`fixture value ${JSON.stringify(value)} is not a scalar`, {
      hint: "give scalar values (numbers, text, true/false); use format: sql for arrays, maps or rows.",
    });
  }
  const text = value instanceof Date ? value.toISOString().replace("T", " ").replace("Z", "") : String(value);
  if (type) return `cast(${quoteString(text)} as ${type})`;
  if (typeof value === "number" || typeof value === "bigint") return text;
  if (typeof value === "boolean") return text;
  if (value instanceof Date) return `timestamp ${quoteString(text)}`;
  return quoteString(text);
}

/** RFC 4180-ish: commas, double quotes with `""` escapes, CRLF or LF; blank lines skipped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  let touched = false;
  const endRow = () => {
    if (touched || row.length > 0) {
      row.push(cell);
      rows.push(row.map((c) => c));
    }
    row = [];
    cell = "";
    touched = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') {
      quoted = true;
      touched = true;
    } else if (ch === ",") {
      row.push(cell);
      cell = "";
      touched = true;
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      endRow();
    } else {
      if (ch.trim() !== "" || touched || cell !== "") touched = true;
      cell += ch;
    }
  }
  endRow();
  // Indented YAML block text keeps its indentation out, but trailing spaces stay: trim unquoted cells.
  return rows.filter((r) => r.some((c) => c.trim() !== "")).map((r) => r.map((c) => c.trim()));
}
