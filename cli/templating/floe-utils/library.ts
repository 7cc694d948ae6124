import { closestName } from "../../../core/closest-name.js";
import { ConfigError } from "../../../core/errors.js";
import { quoteIdentifier, quoteString } from "../../../trino/dialect.js";

/**
 * floe_utils: what dbt_utils users reach for most, bundled with Floe and available in every project
 * without `floe deps`. Each macro is a partial, `{{> floe_utils/<name> arg=...}}`, whose body hands its
 * arguments to the `floe_utils` helper, which calls the function here. Functions, not Handlebars text,
 * because the macros need defaults, lists, quoting and the manifest's columns, and so each argument is
 * checked with a fix that names the macro.
 */

/** A column as the manifest's yml (or a seed's CSV header) declares it. */
export interface LibraryColumn {
  readonly name: string;
  readonly data_type?: string | undefined;
}

export interface LibraryContext {
  /** The declared columns of the relation a `{{ref}}`/`{{source}}` rendered to, or undefined if unknown. */
  columnsOf(relation: string): readonly LibraryColumn[] | undefined;
}

type Args = Readonly<Record<string, unknown>>;

interface LibraryMacro {
  /** Argument names in the order the partial forwards them; `required` ones must be given. */
  readonly params: readonly string[];
  readonly required: readonly string[];
  readonly description: string;
  render(args: Args, context: LibraryContext, macro: string): string;
}

/** dbt_utils' own marker and separator, so a project moved from dbt keeps the same keys. */
const SURROGATE_NULL = "'_dbt_utils_surrogate_key_null_'";

export const FLOE_UTILS_PACKAGE = "floe_utils";

export const LIBRARY: Readonly<Record<string, LibraryMacro>> = {
  generate_surrogate_key: {
    params: ["fields"],
    required: ["fields"],
    description:
      "md5 hex of the fields cast to varchar, joined by '-', a null as dbt_utils' marker: the keys dbt_utils makes.",
    render(args, _context, macro) {
      const fields = listArg(args, "fields", macro);
      const parts = fields.map((f) => `coalesce(cast(${f} as varchar), ${SURROGATE_NULL})`);
      return `lower(to_hex(md5(to_utf8(${parts.length === 1 ? parts[0] : `concat_ws('-', ${parts.join(", ")})`}))))`;
    },
  },
  safe_divide: {
    params: ["numerator", "denominator"],
    required: ["numerator", "denominator"],
    description:
      "numerator / denominator, null when the denominator is 0 (integers still divide as integers).",
    render(args, _context, macro) {
      return `(${stringArg(args, "numerator", macro)}) / nullif((${stringArg(args, "denominator", macro)}), 0)`;
    },
  },
  generate_series: {
    params: ["upper_bound"],
    required: ["upper_bound"],
    description: "a query of generated_number from 1 to upper_bound (any size: two sequences cross-joined).",
    render(args, _context, macro) {
      const upper = stringArg(args, "upper_bound", macro);
      return numbers(
        upper,
        (n) => `${n} + 1 as generated_number`,
        (n) => `${n} < (${upper})`,
      );
    },
  },
  date_spine: {
    params: ["datepart", "start_date", "end_date"],
    required: ["datepart", "start_date", "end_date"],
    description:
      "a query of date_<datepart> from start_date up to, not including, end_date, one row per datepart.",
    render(args, _context, macro) {
      const datepart = stringArg(args, "datepart", macro);
      if (!DATEPARTS.includes(datepart)) {
        throw argError(macro, `datepart '${datepart}' is not one of ${DATEPARTS.join(", ")}`, "datepart");
      }
      const start = stringArg(args, "start_date", macro);
      const end = stringArg(args, "end_date", macro);
      const unit = quoteString(datepart);
      const span = `date_diff(${unit}, ${start}, ${end})`;
      // A spine finer than a day is of timestamps; Iceberg stores timestamp(6) only, and a literal such as
      // timestamp '2024-01-01 00:00:00' has precision 0, so those are cast (dates stay dates).
      const value = (n: string) =>
        SUB_DAY.includes(datepart)
          ? `cast(date_add(${unit}, ${n}, ${start}) as timestamp(6))`
          : `date_add(${unit}, ${n}, ${start})`;
      return numbers(
        span,
        (n) => `${value(n)} as ${quoteIdentifier(`date_${datepart}`)}`,
        (n) => `${n} < ${span}`,
      );
    },
  },
  star: {
    params: ["from", "except", "relation_alias", "prefix", "suffix"],
    required: ["from"],
    description:
      "the columns of a relation (from the yml columns of the model, seed or source it refs), minus except.",
    render(args, context, macro) {
      const columns = columnsOfArg(args, "from", context, macro);
      const except = new Set(optionalList(args, "except", macro).map((c) => c.toLowerCase()));
      const alias = optionalString(args, "relation_alias", macro);
      const prefix = optionalString(args, "prefix", macro) ?? "";
      const suffix = optionalString(args, "suffix", macro) ?? "";
      const kept = columns.filter((c) => !except.has(c.name.toLowerCase()));
      if (kept.length === 0) throw argError(macro, "except removes every column", "except");
      return kept
        .map((c) => {
          const column = `${alias === undefined ? "" : `${quoteIdentifier(alias)}.`}${quoteIdentifier(c.name)}`;
          return prefix === "" && suffix === ""
            ? column
            : `${column} as ${quoteIdentifier(`${prefix}${c.name}${suffix}`)}`;
        })
        .join(",\n    ");
    },
  },
  union_relations: {
    params: ["relations", "exclude", "source_column_name"],
    required: ["relations"],
    description:
      "union all of relations, aligned by column name (null where a relation lacks one), with the source relation's name in a column.",
    render(args, context, macro) {
      const relations = listArg(args, "relations", macro);
      const exclude = new Set(optionalList(args, "exclude", macro).map((c) => c.toLowerCase()));
      const sourceColumn = optionalString(args, "source_column_name", macro) ?? "_floe_source_relation";
      const perRelation = relations.map((r) => {
        const columns = context.columnsOf(r);
        if (!columns || columns.length === 0) throw noColumns(macro, "relations", r);
        return { relation: r, columns: columns.filter((c) => !exclude.has(c.name.toLowerCase())) };
      });
      // Every column name once, in the order first seen; a declared type where any relation has one.
      const all = new Map<string, LibraryColumn>();
      for (const { columns } of perRelation) {
        for (const c of columns) {
          const key = c.name.toLowerCase();
          const known = all.get(key);
          if (!known || (known.data_type === undefined && c.data_type !== undefined)) all.set(key, c);
        }
      }
      return perRelation
        .map(({ relation, columns }) => {
          const own = new Set(columns.map((c) => c.name.toLowerCase()));
          const list = [...all.values()].map((c) => {
            const name = quoteIdentifier(c.name);
            if (own.has(c.name.toLowerCase())) return name;
            return c.data_type === undefined ? `null as ${name}` : `cast(null as ${c.data_type}) as ${name}`;
          });
          return `select\n    ${quoteString(relation)} as ${quoteIdentifier(sourceColumn)},\n    ${list.join(",\n    ")}\nfrom ${relation}`;
        })
        .join("\nunion all\n");
    },
  },
  pivot: {
    params: ["column", "values", "agg", "then_value", "else_value", "prefix", "suffix"],
    required: ["column", "values"],
    description:
      "one aggregate per value: sum(case when column = 'v' then 1 else 0 end) as \"v\", for each of values.",
    render(args, _context, macro) {
      const column = stringArg(args, "column", macro);
      const values = listArg(args, "values", macro);
      const agg = optionalString(args, "agg", macro) ?? "sum";
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(agg))
        throw argError(macro, `agg '${agg}' is not a function name`, "agg");
      const thenValue = optionalString(args, "then_value", macro) ?? "1";
      const elseValue = optionalString(args, "else_value", macro) ?? "0";
      const prefix = optionalString(args, "prefix", macro) ?? "";
      const suffix = optionalString(args, "suffix", macro) ?? "";
      return values
        .map(
          (v) =>
            `${agg}(case when ${column} = ${quoteString(v)} then ${thenValue} else ${elseValue} end) as ${quoteIdentifier(`${prefix}${v}${suffix}`)}`,
        )
        .join(",\n    ");
    },
  },
  deduplicate: {
    params: ["relation", "partition_by", "order_by"],
    required: ["relation", "partition_by", "order_by"],
    description:
      "one row per partition_by, the first by order_by; the relation's declared columns (else all, plus _floe_row_number).",
    render(args, context, macro) {
      const relation = stringArg(args, "relation", macro);
      const partitionBy = stringArg(args, "partition_by", macro);
      const orderBy = stringArg(args, "order_by", macro);
      const columns = context.columnsOf(relation);
      const select =
        columns && columns.length > 0 ? columns.map((c) => quoteIdentifier(c.name)).join(", ") : "*";
      return [
        `select ${select}`,
        "from (",
        "    select _floe_dedupe.*,",
        `        row_number() over (partition by ${partitionBy} order by ${orderBy}) as _floe_row_number`,
        `    from ${relation} as _floe_dedupe`,
        ") as _floe_deduped",
        "where _floe_row_number = 1",
      ].join("\n");
    },
  },
};

const SUB_DAY = ["millisecond", "second", "minute", "hour"];
const DATEPARTS = ["millisecond", "second", "minute", "hour", "day", "week", "month", "quarter", "year"];

/**
 * A query of `n` = 0, 1, ... as long as `keep(n)`: 10,000 × (count / 10,000 + 1) candidates from two
 * `sequence`s, since one Trino `sequence` stops at 10,000 entries.
 */
function numbers(count: string, select: (n: string) => string, keep: (n: string) => string): string {
  const n = "_floe_n";
  return [
    `select ${select(n)}`,
    "from (",
    `    select _floe_high * 10000 + _floe_low as ${n}`,
    "    from unnest(sequence(0, 9999)) as _floe_lows(_floe_low)",
    `    cross join unnest(sequence(0, greatest(0, (${count}) / 10000))) as _floe_highs(_floe_high)`,
    ") as _floe_numbers",
    `where ${keep(n)}`,
  ].join("\n");
}

/** The partial body of a library macro: its arguments forwarded by name, so the text shows the signature. */
export function librarySource(name: string, macro: LibraryMacro): string {
  const forwarded = macro.params.map((p) => ` ${p}=${p}`).join("");
  return `{{!-- floe_utils/${name}: ${macro.description} --}}\n{{floe_utils "${name}"${forwarded}}}`;
}

/**
 * Runs library macro `name` with the partial's arguments. `given` are the argument names the call passed
 * (undefined when the call passed none), checked against the macro's parameters for a did-you-mean fix.
 */
export function renderLibraryMacro(
  name: string,
  args: Args,
  given: readonly string[] | undefined,
  context: LibraryContext,
): string {
  const macro = LIBRARY[name];
  const label = `floe_utils/${name}`;
  if (!macro) {
    const suggestion = closestName(name, Object.keys(LIBRARY));
    throw new ConfigError(`floe_utils has no macro '${name}'.`, {
      hint: suggestion
        ? `did you mean {{> floe_utils/${suggestion}}}?`
        : `use one of ${Object.keys(LIBRARY).join(", ")}.`,
    });
  }
  for (const key of given ?? []) {
    if (macro.params.includes(key)) continue;
    const suggestion = closestName(key, macro.params);
    throw new ConfigError(`{{> ${label}}} has no argument '${key}'.`, {
      hint: suggestion ? `did you mean ${suggestion}=...?` : `its arguments are ${macro.params.join(", ")}.`,
    });
  }
  for (const key of macro.required) {
    if (args[key] === undefined || args[key] === null) {
      throw argError(label, `needs ${key}=...`, key, macro.params);
    }
  }
  return macro.render(args, context, label);
}

function argError(macro: string, problem: string, arg: string, params?: readonly string[]): ConfigError {
  return new ConfigError(`{{> ${macro}}} ${problem}.`, {
    hint: `pass ${arg}=... to {{> ${macro}}}${params ? ` (its arguments: ${params.join(", ")})` : ""}; see docs/packages.md.`,
  });
}

function noColumns(macro: string, arg: string, relation: string): ConfigError {
  return new ConfigError(`{{> ${macro}}} does not know the columns of ${relation}.`, {
    hint: `give ${arg} a {{ref}} or {{source}} whose columns are listed in a .yml file (columns: [{name: ...}]), or a seed.`,
  });
}

function stringArg(args: Args, key: string, macro: string): string {
  const value = args[key];
  if (typeof value === "string" && value.trim() !== "") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  throw argError(macro, `needs ${key} as a non-empty string, got ${describe(value)}`, key);
}

function optionalString(args: Args, key: string, macro: string): string | undefined {
  return args[key] === undefined || args[key] === null ? undefined : stringArg(args, key, macro);
}

/** A list argument: `(list "a" "b")`, or a comma-separated string `"a, b"`. */
function listArg(args: Args, key: string, macro: string): string[] {
  const list = optionalList(args, key, macro);
  if (list.length === 0) throw argError(macro, `needs ${key} with at least one entry`, key);
  return list;
}

function optionalList(args: Args, key: string, macro: string): string[] {
  const value = args[key];
  if (value === undefined || value === null) return [];
  if (typeof value === "string") {
    return value
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
  }
  if (Array.isArray(value) && value.every((v) => typeof v === "string" || typeof v === "number")) {
    return value.map(String);
  }
  throw argError(macro, `needs ${key} as a list ((list "a" "b") or "a, b"), got ${describe(value)}`, key);
}

function columnsOfArg(
  args: Args,
  key: string,
  context: LibraryContext,
  macro: string,
): readonly LibraryColumn[] {
  const relation = stringArg(args, key, macro);
  const columns = context.columnsOf(relation);
  if (!columns || columns.length === 0) throw noColumns(macro, key, relation);
  return columns;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value)}`;
}
