import { z } from "zod";
import { checkKeys, unsupportedKeys } from "./strict-keys.js";

/**
 * Node configuration: the keys dbt users know (`materialized`, `unique_key`, `partitioned_by`, ...), validated
 * per layer so an error names the layer's file. Layers merge with the precedence project tree < yml `config:`
 * < `{{config}}` in the template; `tags` accumulate and dict-valued keys (`properties`, `meta`, `persist_docs`)
 * merge, as in dbt. Each kind of node takes its own keys (`configSchemaFor`): an unknown key is an error naming
 * the closest known one, a dbt key Floe does not implement says so, and custom keys go under `meta:`.
 */

export const MATERIALIZATIONS = ["view", "table", "incremental", "ephemeral"] as const;
export type Materialization = (typeof MATERIALIZATIONS)[number];
export const INCREMENTAL_STRATEGIES = ["append", "merge", "delete+insert"] as const;
export type IncrementalStrategy = (typeof INCREMENTAL_STRATEGIES)[number];
export const ON_SCHEMA_CHANGE = ["ignore", "fail", "append_new_columns", "sync_all_columns"] as const;
export type OnSchemaChange = (typeof ON_SCHEMA_CHANGE)[number];

/** Splits `a, b` into a list, keeping commas inside parentheses or quotes (`bucket(id, 8)`) together. */
export function splitList(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let current = "";
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "(" || ch === "[") depth++;
    else if (ch === ")" || ch === "]") depth--;
    else if (ch === "," && depth === 0) {
      if (current.trim() !== "") out.push(current.trim());
      current = "";
      continue;
    }
    current += ch;
  }
  if (current.trim() !== "") out.push(current.trim());
  return out;
}

const stringList = z
  .union([z.string(), z.array(z.union([z.string(), z.number()]))], {
    error: "expected a list of strings or a comma-separated string",
  })
  .transform((v) => (typeof v === "string" ? splitList(v) : v.map(String)));

const bool = z.preprocess(
  (v) => (v === "true" ? true : v === "false" ? false : v),
  z.boolean({ error: "expected true or false" }),
);

const lower = (values: readonly string[]) =>
  z.preprocess((v) => (typeof v === "string" ? v.toLowerCase() : v), z.enum(values as [string, ...string[]]));

const THRESHOLD = /^\s*(==|!=|>=|<=|>|<|=)\s*\d+\s*$/;

/** One layer of configuration, every key optional. */
export const configLayerSchema = z
  .object({
    enabled: bool,
    materialized: z.enum(MATERIALIZATIONS, {
      error: `materialized must be one of ${MATERIALIZATIONS.join(", ")}`,
    }),
    schema: z.string().min(1),
    alias: z.string().min(1),
    catalog: z.string().min(1),
    database: z.string().min(1),
    tags: stringList,
    unique_key: z
      .union([z.string(), z.array(z.string())])
      .transform((v) => (typeof v === "string" && v.includes(",") ? splitList(v) : v)),
    incremental_strategy: z.enum(INCREMENTAL_STRATEGIES, {
      error: `incremental_strategy must be one of ${INCREMENTAL_STRATEGIES.join(", ")}`,
    }),
    on_schema_change: z.enum(ON_SCHEMA_CHANGE, {
      error: `on_schema_change must be one of ${ON_SCHEMA_CHANGE.join(", ")}`,
    }),
    partitioned_by: stringList,
    sorted_by: stringList,
    format: z.string().min(1),
    properties: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .transform((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)]))),
    incremental_predicates: stringList,
    full_refresh: z.union([bool, z.null()]),
    column_types: z.record(z.string(), z.string()),
    meta: z.record(z.string(), z.unknown()),
    severity: lower(["error", "warn"]),
    where: z.string().min(1),
    limit: z.coerce.number().int().positive(),
    warn_if: z.string().regex(THRESHOLD, 'warn_if must be a comparison like ">0" or ">=10"'),
    error_if: z.string().regex(THRESHOLD, 'error_if must be a comparison like "!=0" or ">100"'),
    store_failures: bool,
    persist_docs: z.strictObject(
      { relation: bool.optional(), columns: bool.optional() },
      { error: "persist_docs must be a mapping like {relation: true, columns: true}" },
    ),
    contract: z.strictObject(
      { enforced: bool.optional(), alias_types: bool.optional() },
      { error: "contract must be a mapping like {enforced: true}" },
    ),
  })
  .partial()
  .loose();

export type ConfigLayer = z.output<typeof configLayerSchema>;

export type ConfigKind = "model" | "seed" | "test" | "unit_test";

const NODE_KEYS = ["enabled", "tags", "meta", "schema", "alias", "catalog", "database"] as const;
const TABLE_KEYS = ["partitioned_by", "sorted_by", "format", "properties", "full_refresh", "persist_docs"];

/** The config keys each kind of node reads. */
export const CONFIG_KEYS: Readonly<Record<ConfigKind, readonly string[]>> = {
  model: [
    ...NODE_KEYS,
    "materialized",
    "unique_key",
    "incremental_strategy",
    "on_schema_change",
    "incremental_predicates",
    "contract",
    ...TABLE_KEYS,
  ],
  unit_test: ["enabled", "tags", "meta"],
  seed: [...NODE_KEYS, "column_types", ...TABLE_KEYS],
  test: [
    "enabled",
    "tags",
    "meta",
    "schema",
    "alias",
    "severity",
    "where",
    "limit",
    "warn_if",
    "error_if",
    "store_failures",
  ],
};

/** dbt (and dbt-trino) config keys Floe does not implement yet, with what to do meanwhile. */
export const DBT_CONFIG_KEYS_NOT_SUPPORTED = unsupportedKeys({
  constraints: "declare constraints under the model's columns (or beside columns:) in its yml.",
  grants: "",
  docs: "",
  access: "",
  group: "",
  pre_hook: "",
  post_hook: "",
  "pre-hook": "",
  "post-hook": "",
  sql_header: "",
  quoting: "",
  event_time: "",
  batch_size: "",
  lookback: "",
  begin: "",
  concurrent_batches: "",
  strategy: "",
  updated_at: "",
  check_cols: "",
  hard_deletes: "",
  invalidate_hard_deletes: "",
  snapshot_meta_column_names: "",
  dbt_valid_to_current: "",
  target_schema: "use schema:.",
  target_database: "use catalog:.",
  merge_update_columns: "",
  merge_exclude_columns: "",
  on_table_exists:
    "Floe always replaces a table atomically (CREATE OR REPLACE, dbt-trino's on_table_exists: replace).",
  view_security: "",
  delimiter: "seeds are read as comma-separated.",
  quote_columns: "",
  fail_calc: "",
  store_failures_as: "",
  deprecation_date: "",
});

const configSchemas = new Map<ConfigKind, z.ZodType<ConfigLayer>>();

/**
 * One layer of `kind`'s config: the keys checked first (an issue at `[key]` with its fix in
 * `params.hint`, see strict-keys.ts), then the values.
 */
export function configSchemaFor(kind: ConfigKind): z.ZodType<ConfigLayer> {
  let schema = configSchemas.get(kind);
  if (!schema) {
    const rules = {
      known: new Set(CONFIG_KEYS[kind]),
      unsupported: DBT_CONFIG_KEYS_NOT_SUPPORTED,
      otherwise: "custom keys go under meta:",
    };
    const what = `${kind} config`;
    schema = z
      .unknown()
      .superRefine((value, ctx) => checkKeys(value, ctx, () => what, rules))
      .pipe(configLayerSchema);
    configSchemas.set(kind, schema);
  }
  return schema;
}

export interface NodeConfigBase {
  enabled: boolean;
  tags: string[];
  meta: Record<string, unknown>;
  [key: string]: unknown;
}

/** dbt's `persist_docs`: write descriptions as COMMENTs on the relation and its columns after a build. */
export interface PersistDocs {
  readonly relation?: boolean | undefined;
  readonly columns?: boolean | undefined;
}

export interface ModelConfig extends NodeConfigBase {
  materialized: Materialization;
  schema?: string;
  alias?: string;
  catalog?: string;
  unique_key?: string | string[];
  incremental_strategy?: IncrementalStrategy;
  on_schema_change: OnSchemaChange;
  partitioned_by: string[];
  sorted_by: string[];
  format?: string;
  properties: Record<string, string>;
  incremental_predicates: string[];
  full_refresh?: boolean | null;
  persist_docs?: PersistDocs;
  /** dbt's model contract: the query's columns must match the yml columns' names and data types. */
  contract?: { enforced?: boolean | undefined; alias_types?: boolean | undefined };
}

export interface SeedConfig extends NodeConfigBase {
  materialized: "seed";
  schema?: string;
  alias?: string;
  catalog?: string;
  column_types: Record<string, string>;
  partitioned_by: string[];
  sorted_by: string[];
  format?: string;
  properties: Record<string, string>;
  full_refresh?: boolean | null;
  persist_docs?: PersistDocs;
}

export interface TestConfig extends NodeConfigBase {
  materialized: "test";
  severity: "error" | "warn";
  where?: string;
  limit?: number;
  warn_if: string;
  error_if: string;
  store_failures: boolean;
  schema?: string;
}

export interface UnitTestConfig {
  enabled: boolean;
  tags: string[];
  meta: Record<string, unknown>;
}

/** Config keys whose value is a mapping; layers merge them key by key. */
export const MERGED_DICTS: ReadonlySet<string> = new Set([
  "properties",
  "meta",
  "column_types",
  "persist_docs",
  "contract",
]);

/** Merges layers, lowest precedence first. */
export function mergeLayers(layers: readonly ConfigLayer[]): ConfigLayer {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      if (key === "tags") {
        const existing = (out.tags as string[] | undefined) ?? [];
        out.tags = [...new Set([...existing, ...(value as string[])])];
      } else if (MERGED_DICTS.has(key)) {
        out[key] = { ...((out[key] as object | undefined) ?? {}), ...(value as object) };
      } else {
        out[key] = value;
      }
    }
  }
  return out as ConfigLayer;
}

export function toModelConfig(merged: ConfigLayer): ModelConfig {
  const { database, ...rest } = merged;
  const config: ModelConfig = {
    ...rest,
    enabled: merged.enabled ?? true,
    materialized: merged.materialized ?? "view",
    tags: merged.tags ?? [],
    meta: merged.meta ?? {},
    on_schema_change: merged.on_schema_change ?? "ignore",
    partitioned_by: merged.partitioned_by ?? [],
    sorted_by: merged.sorted_by ?? [],
    properties: merged.properties ?? {},
    incremental_predicates: merged.incremental_predicates ?? [],
  };
  const catalog = merged.catalog ?? database;
  if (catalog !== undefined) config.catalog = catalog;
  if (config.materialized === "incremental" && config.incremental_strategy === undefined) {
    config.incremental_strategy = config.unique_key === undefined ? "append" : "merge";
  }
  return config;
}

export function toSeedConfig(merged: ConfigLayer): SeedConfig {
  const { database, materialized: _ignored, ...rest } = merged;
  const config: SeedConfig = {
    ...rest,
    materialized: "seed",
    enabled: merged.enabled ?? true,
    tags: merged.tags ?? [],
    meta: merged.meta ?? {},
    column_types: merged.column_types ?? {},
    partitioned_by: merged.partitioned_by ?? [],
    sorted_by: merged.sorted_by ?? [],
    properties: merged.properties ?? {},
  };
  const catalog = merged.catalog ?? database;
  if (catalog !== undefined) config.catalog = catalog;
  return config;
}

export function toTestConfig(merged: ConfigLayer): TestConfig {
  const { materialized: _ignored, database: _db, ...rest } = merged;
  return {
    ...rest,
    materialized: "test",
    enabled: merged.enabled ?? true,
    tags: merged.tags ?? [],
    meta: merged.meta ?? {},
    severity: (merged.severity as "error" | "warn" | undefined) ?? "error",
    warn_if: merged.warn_if ?? "!=0",
    error_if: merged.error_if ?? "!=0",
    store_failures: merged.store_failures ?? false,
  };
}

/** The hint for a config key that failed validation. */
export function configHint(key: string | undefined): string {
  switch (key) {
    case "materialized":
      return `use one of ${MATERIALIZATIONS.join(", ")}.`;
    case "incremental_strategy":
      return `use one of ${INCREMENTAL_STRATEGIES.join(", ")}.`;
    case "on_schema_change":
      return `use one of ${ON_SCHEMA_CHANGE.join(", ")}.`;
    case "severity":
      return "use severity: error or severity: warn.";
    case "warn_if":
    case "error_if":
      return `write a comparison with a number, e.g. ${key}: ">10".`;
    case "tags":
    case "partitioned_by":
    case "sorted_by":
      return `give ${key} as a YAML list or a comma-separated string.`;
    default:
      return key ? `fix the value of '${key}'.` : "fix the configuration value.";
  }
}
