import { z } from "zod";
import { quoteString } from "../../../trino/dialect.js";

/**
 * The built-in generic tests. Each returns a query whose rows are the failures (for accepted_values: the
 * failing values), so the runner counts `select count(*) from (<sql>)` and shows sample rows. `model` is the
 * (possibly `where`-filtered) relation, `column` the column under test when the test sits on a column.
 * The SQL mirrors dbt's own generic tests, in Trino syntax.
 */
export interface GenericTestInput {
  readonly model: string;
  readonly column?: string;
  readonly kwargs: Readonly<Record<string, unknown>>;
  /** Renders a relationships `to:` target (`ref('x')`, `source('s','t')` or a bare name) as a relation. */
  readonly resolve: (target: string) => string;
}

export interface BuiltinTest {
  readonly needsColumn: boolean;
  /** A strict mapping: an unknown argument is an error naming the closest one. */
  readonly args: z.ZodObject;
  readonly sql: (input: GenericTestInput) => string;
  /** The part of the generated test name that distinguishes two tests of this kind on the same column. */
  readonly nameSuffix: (kwargs: Readonly<Record<string, unknown>>) => string[];
}

const none = z.strictObject({});

function column(input: GenericTestInput): string {
  return input.column ?? "";
}

const INTERVAL = /^\s*(\d+)\s*(second|minute|hour|day|week|month|year)s?\s*$/i;

export function parseMaxAge(text: string): { count: number; unit: string } | undefined {
  const match = INTERVAL.exec(text);
  if (!match) return undefined;
  const unit = (match[2] ?? "day").toLowerCase();
  const count = Number(match[1]);
  return unit === "week" ? { count: count * 7, unit: "day" } : { count, unit };
}

export const BUILTIN_TESTS: Readonly<Record<string, BuiltinTest>> = {
  not_null: {
    needsColumn: true,
    args: none,
    nameSuffix: () => [],
    sql: (i) => `select *\nfrom ${i.model}\nwhere ${column(i)} is null`,
  },
  unique: {
    needsColumn: true,
    args: none,
    nameSuffix: () => [],
    sql: (i) =>
      `select ${column(i)} as unique_field, count(*) as n_records\nfrom ${i.model}\nwhere ${column(i)} is not null\ngroup by ${column(i)}\nhaving count(*) > 1`,
  },
  accepted_values: {
    needsColumn: true,
    args: z.strictObject({
      values: z
        .array(z.union([z.string(), z.number(), z.boolean()]), {
          error: "accepted_values needs values: [a, b, ...]",
        })
        .min(1),
      quote: z.boolean().default(true),
    }),
    nameSuffix: (k) => (k.values as unknown[]).map(String),
    sql: (i) => {
      const quote = i.kwargs.quote !== false;
      const values = (i.kwargs.values as unknown[])
        .map((v) => (quote ? quoteString(String(v)) : String(v)))
        .join(", ");
      return `with all_values as (\n    select ${column(i)} as value_field, count(*) as n_records\n    from ${i.model}\n    group by ${column(i)}\n)\nselect *\nfrom all_values\nwhere value_field not in (${values})`;
    },
  },
  relationships: {
    needsColumn: true,
    args: z.strictObject({
      to: z.string({ error: "relationships needs to: (a model name or ref('model'))" }).min(1),
      field: z.string({ error: "relationships needs field: (the column in the parent)" }).min(1),
    }),
    nameSuffix: (k) => [String(k.to), String(k.field)],
    sql: (i) =>
      `with child as (\n    select ${column(i)} as from_field\n    from ${i.model}\n    where ${column(i)} is not null\n),\nparent as (\n    select ${String(i.kwargs.field)} as to_field\n    from ${i.resolve(String(i.kwargs.to))}\n)\nselect from_field\nfrom child\nleft join parent on child.from_field = parent.to_field\nwhere parent.to_field is null`,
  },
  expression_is_true: {
    needsColumn: false,
    args: z.strictObject({ expression: z.string({ error: "expression_is_true needs expression:" }).min(1) }),
    nameSuffix: (k) => [String(k.expression)],
    sql: (i) => {
      const expression = i.column
        ? `${i.column} ${String(i.kwargs.expression)}`
        : String(i.kwargs.expression);
      return `select *\nfrom ${i.model}\nwhere not (${expression})`;
    },
  },
  unique_combination: {
    needsColumn: false,
    args: z.strictObject({
      columns: z.array(z.string(), { error: "unique_combination needs columns: [a, b]" }).min(1),
    }),
    nameSuffix: (k) => (k.columns as string[]).map(String),
    sql: (i) => {
      const columns = (i.kwargs.columns as string[]).join(", ");
      return `select ${columns}, count(*) as n_records\nfrom ${i.model}\ngroup by ${columns}\nhaving count(*) > 1`;
    },
  },
  recency: {
    needsColumn: false,
    args: z.strictObject({
      field: z.string().min(1).optional(),
      max_age: z
        .string({ error: 'recency needs max_age: (e.g. "1 day", "6 hours")' })
        .refine(
          (v) => parseMaxAge(v) !== undefined,
          'max_age must look like "1 day", "6 hours" or "30 minutes"',
        ),
    }),
    nameSuffix: (k) => [String(k.max_age)],
    sql: (i) => {
      const field = (i.kwargs.field as string | undefined) ?? column(i);
      const age = parseMaxAge(String(i.kwargs.max_age)) ?? { count: 1, unit: "day" };
      const threshold = `current_timestamp(6) - interval ${quoteString(String(age.count))} ${age.unit}`;
      return `with recency as (\n    select max(${field}) as most_recent\n    from ${i.model}\n)\nselect most_recent, ${threshold} as threshold\nfrom recency\nwhere most_recent is null or most_recent < ${threshold}`;
    },
  },
};
