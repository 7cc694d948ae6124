import { FloeError } from "../../core/errors.js";
import type { ColumnDef } from "./steps.js";

/**
 * Model contracts (dbt's `contract: {enforced: true}`), pure. The contract is the yml's columns with their
 * `data_type`s; before any DDL the runner describes the model's query and `contractDiff` compares names and
 * types. Of the constraints, Trino's Iceberg connector enforces only NOT NULL (dbt-trino says the same):
 * `not_null` becomes a NOT NULL column, the rest (`primary_key`, `unique`, `foreign_key`, `check`) are
 * documentation only.
 */
export interface ContractColumn {
  readonly name: string;
  readonly type: string;
  readonly notNull: boolean;
}

export interface ContractDiff {
  /** In the contract, not returned by the query. */
  readonly missing: readonly ContractColumn[];
  /** Returned by the query, not in the contract. */
  readonly extra: readonly ColumnDef[];
  readonly changed: readonly { readonly name: string; readonly contract: string; readonly actual: string }[];
}

/** Trino spellings of the same type, so `int` in a contract matches the query's `integer`. */
const ALIASES: Readonly<Record<string, string>> = {
  int: "integer",
  int4: "integer",
  int8: "bigint",
  long: "bigint",
  short: "smallint",
  string: "varchar",
  text: "varchar",
  float: "real",
  float4: "real",
  float8: "double",
  "double precision": "double",
  bool: "boolean",
  decimal: "decimal(38,0)",
  numeric: "decimal(38,0)",
  timestamp: "timestamp(3)",
  "timestamp with time zone": "timestamp(3) with time zone",
  timestamptz: "timestamp(3) with time zone",
  time: "time(3)",
};

/** Lower case, one space, no spaces inside parentheses, aliases resolved, `numeric(p,s)` as decimal. */
export function normalizeType(type: string): string {
  const text = type
    .trim()
    .toLowerCase()
    .replace(/\s+/g, " ")
    .replace(/\(\s+/g, "(")
    .replace(/\s+\)/g, ")")
    .replace(/\s*,\s*/g, ",")
    .replace(/^numeric\(/, "decimal(");
  return ALIASES[text] ?? text;
}

/** An unbounded `varchar` (or `char`) in the contract accepts the query's `varchar(n)`: the table casts. */
export function typeMatches(contract: string, actual: string): boolean {
  const want = normalizeType(contract);
  const got = normalizeType(actual);
  if (want === got) return true;
  return (
    (want === "varchar" && /^(var)?char\(\d+\)$/.test(got)) || (want === "char" && /^char\(\d+\)$/.test(got))
  );
}

export function contractDiff(
  contract: readonly ContractColumn[],
  actual: readonly ColumnDef[],
): ContractDiff {
  const byName = new Map(actual.map((c) => [c.name.toLowerCase(), c]));
  const names = new Set(contract.map((c) => c.name.toLowerCase()));
  const missing: ContractColumn[] = [];
  const changed: { name: string; contract: string; actual: string }[] = [];
  for (const column of contract) {
    const found = byName.get(column.name.toLowerCase());
    if (!found) missing.push(column);
    else if (!typeMatches(column.type, found.type))
      changed.push({ name: column.name, contract: column.type, actual: found.type });
  }
  const extra = actual.filter((c) => !names.has(c.name.toLowerCase()));
  return { missing, extra, changed };
}

export function isEmptyDiff(diff: ContractDiff): boolean {
  return diff.missing.length === 0 && diff.extra.length === 0 && diff.changed.length === 0;
}

/** dbt's table: column, the query's type, the contract's type, why. */
export function formatContractDiff(diff: ContractDiff): string {
  const rows: string[][] = [
    ...diff.missing.map((c) => [c.name, "", c.type, "missing in the query"]),
    ...diff.extra.map((c) => [c.name, c.type, "", "missing in the contract"]),
    ...diff.changed.map((c) => [c.name, c.actual, c.contract, "data type mismatch"]),
  ];
  const header = ["column", "query type", "contract type", "mismatch"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** The model's query does not match its enforced contract; nothing was run against its relation. */
export class ContractViolationError extends FloeError {
  override readonly name = "ContractViolationError";
  constructor(
    readonly model: string,
    readonly diff: ContractDiff,
    location: string,
  ) {
    super(
      "CONTRACT_VIOLATION",
      `'${model}' has an enforced contract that its query does not match; nothing was changed in the warehouse.\n${formatContractDiff(diff)}`,
      {
        exitCode: 1,
        location: { file: location },
        hint: "make the query return the contract's columns and types (cast them), or change the columns in the yml (a breaking change needs a new model version).",
      },
    );
  }
}

interface ContractSource {
  readonly config: { readonly contract?: { readonly enforced?: boolean | undefined } | undefined };
  readonly columns: Readonly<
    Record<
      string,
      {
        readonly name: string;
        readonly data_type?: string;
        readonly constraints?: readonly { readonly type: string }[];
      }
    >
  >;
  readonly constraints?: readonly { readonly type: string; readonly columns?: readonly string[] }[];
}

/**
 * A model's enforced contract, or undefined when it has none. Loading already checked that every column
 * has a `data_type`. NOT NULL comes from a column's `not_null` constraint, or a model-level one naming it.
 */
export function contractOf(node: ContractSource): ContractColumn[] | undefined {
  if (node.config.contract?.enforced !== true) return undefined;
  const modelNotNull = new Set(
    (node.constraints ?? [])
      .filter((c) => c.type === "not_null")
      .flatMap((c) => c.columns ?? [])
      .map((c) => c.toLowerCase()),
  );
  return Object.values(node.columns).map((c) => ({
    name: c.name,
    type: c.data_type ?? "",
    notNull:
      modelNotNull.has(c.name.toLowerCase()) || (c.constraints ?? []).some((k) => k.type === "not_null"),
  }));
}
