import { z } from "zod";
import { DURATION } from "../../core/duration.js";
import { checkKeys, strictMapping, unsupportedKeys } from "./strict-keys.js";

/**
 * Node configuration: the keys dbt users know (`materialized`, `unique_key`, `partitioned_by`, ...), validated
 * per layer so an error names the layer's file. Layers merge with the precedence project tree < yml `config:`
 * < `{{config}}` in the template; `tags` accumulate and dict-valued keys (`properties`, `meta`, `persist_docs`)
 * merge, as in dbt. Each kind of node takes its own keys (`configSchemaFor`): an unknown key is an error naming
 * the closest known one, a dbt key Floe does not implement says so, and custom keys go under `meta:`.
 */

export const MATERIALIZATIONS = ["view", "table", "incremental", "ephemeral", "materialized_view"] as const;
export type Materialization = (typeof MATERIALIZATIONS)[number];
export const INCREMENTAL_STRATEGIES = ["append", "merge", "delete+insert", "microbatch"] as const;
/** Microbatch's `batch_size` (dbt 1.9). */
export const BATCH_SIZES = ["hour", "day", "month", "year"] as const;
export type IncrementalStrategy = (typeof INCREMENTAL_STRATEGIES)[number];
export const SNAPSHOT_STRATEGIES = ["timestamp", "check"] as const;
export const HARD_DELETES = ["ignore", "invalidate", "new_record"] as const;
/** dbt's snapshot meta columns, renamable through `snapshot_meta_column_names`. */
export const SNAPSHOT_META_COLUMNS = [
  "dbt_scd_id",
  "dbt_updated_at",
  "dbt_valid_from",
  "dbt_valid_to",
  "dbt_is_deleted",
] as const;
export type SnapshotMetaColumn = (typeof SNAPSHOT_META_COLUMNS)[number];
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

/** A file size as Trino takes it: `128MB`, `1GB`, `512kB`. */
const DATA_SIZE = /^\s*\d+(\.\d+)?\s*(B|kB|MB|GB|TB)\s*$/;
const duration = (what: string) =>
  z
    .string({ error: `${what} must be a duration like 24h, 7d or 2y` })
    .regex(DURATION, `${what} must be a duration like 24h, 7d or 2y`);

/** `false` is short for `{enabled: false}` (zod unions would hide the strict keys' "did you mean" hints). */
const offIsDisabled = (v: unknown) => (v === false ? { enabled: false } : v);

/**
 * Floe's table maintenance (`floe maintain`, not a dbt key): each Iceberg procedure on or off (`false`) and its
 * threshold. A layer's value replaces a lower layer's whole (no key-by-key merge).
 */
function maintenanceSchema() {
  const procedure = <S extends z.ZodRawShape>(what: string, shape: S) =>
    z.preprocess(offIsDisabled, strictMapping(what, { enabled: bool.optional(), ...shape })).optional();
  return z.preprocess(
    offIsDisabled,
    strictMapping("maintenance", {
      enabled: bool.optional(),
      optimize: procedure("maintenance.optimize", {
        file_size_threshold: z
          .string()
          .regex(DATA_SIZE, "file_size_threshold must be a size like 128MB")
          .optional(),
      }),
      expire_snapshots: procedure("maintenance.expire_snapshots", {
        retention_threshold: duration("retention_threshold").optional(),
      }),
      remove_orphan_files: procedure("maintenance.remove_orphan_files", {
        retention_threshold: duration("retention_threshold").optional(),
      }),
    }),
  );
}

/** Rows older than `period` by `column` (a date or timestamp column) are deleted by `floe maintain`. */
function retentionSchema() {
  return z.preprocess(
    offIsDisabled,
    strictMapping("retention", {
      enabled: bool.optional(),
      period: duration("period").optional(),
      column: z.string().min(1).optional(),
    }),
  );
}

/** dbt's `build_after` periods (state-aware orchestration). */
export const BUILD_AFTER_PERIODS = ["minute", "hour", "day"] as const;
export const UPDATES_ON = ["any", "all"] as const;

/**
 * dbt's model `freshness: {build_after: {count, period, updates_on}}`, read by `floe build --due`: build no
 * more often than every `count` `period`s, and only when any (or all) upstream inputs have new data. `null`
 * (or `freshness: {}`) switches a lower layer's off. A layer's value replaces a lower layer's whole. In
 * `{{config}}` it is a JSON string: `freshness='{"build_after": {"count": 10, "period": "minute"}}'`.
 */
function modelFreshnessSchema() {
  // {{config}} takes literals only: there the mapping is written as JSON, as dbt's config() writes its dict.
  return z.preprocess(jsonMapping, modelFreshnessMapping());
}

function jsonMapping(value: unknown): unknown {
  if (typeof value !== "string" || !value.trim().startsWith("{")) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function modelFreshnessMapping() {
  return strictMapping("freshness", {
    build_after: strictMapping("freshness.build_after", {
      count: z.coerce
        .number({ error: "build_after.count must be a whole number above 0" })
        .int("build_after.count must be a whole number above 0")
        .positive("build_after.count must be a whole number above 0"),
      period: z.enum(BUILD_AFTER_PERIODS, {
        error: `build_after.period must be one of ${BUILD_AFTER_PERIODS.join(", ")}`,
      }),
      updates_on: z
        .enum(UPDATES_ON, { error: `build_after.updates_on must be one of ${UPDATES_ON.join(", ")}` })
        .optional(),
    }).optional(),
  }).nullable();
}

/** A hook: one SQL statement (a template), or a list of them. */
const hookList = z
  .union([z.string(), z.array(z.string())], { error: "expected a SQL statement or a list of them" })
  .transform((v) => (typeof v === "string" ? [v] : v));

/** dbt spells hooks `pre-hook` in yml and `pre_hook` in config(): both are read, as `pre_hook`. */
function renameHookKeys(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  if (!("pre-hook" in record) && !("post-hook" in record)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(record)) {
    const name = key === "pre-hook" ? "pre_hook" : key === "post-hook" ? "post_hook" : key;
    const prior = out[name];
    out[name] =
      prior === undefined
        ? v
        : [...(Array.isArray(prior) ? prior : [prior]), ...(Array.isArray(v) ? v : [v])];
  }
  return out;
}

/** One layer of configuration, every key optional. */
const configLayerObject = z
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
    /** materialized_view: Trino's `GRACE PERIOD`, as SQL (`INTERVAL '1' HOUR`), as dbt-trino takes it. */
    pre_hook: hookList,
    post_hook: hookList,
    grace_period: z
      .string()
      .regex(
        /^\s*INTERVAL\s+'[^']+'\s+\w+(\s+TO\s+\w+)?\s*$/i,
        "grace_period must be an interval like \"INTERVAL '1' HOUR\"",
      ),
    strategy: z.enum(SNAPSHOT_STRATEGIES, {
      error: `strategy must be one of ${SNAPSHOT_STRATEGIES.join(", ")}`,
    }),
    updated_at: z.string().min(1),
    check_cols: z.union([z.literal("all"), stringList]),
    hard_deletes: z.enum(HARD_DELETES, { error: `hard_deletes must be one of ${HARD_DELETES.join(", ")}` }),
    // dbt < 1.9: true is hard_deletes: invalidate.
    invalidate_hard_deletes: bool,
    dbt_valid_to_current: z.string().min(1),
    snapshot_meta_column_names: z.strictObject(
      Object.fromEntries(SNAPSHOT_META_COLUMNS.map((c) => [c, z.string().min(1).optional()])),
      { error: `snapshot_meta_column_names maps ${SNAPSHOT_META_COLUMNS.join(", ")} to column names` },
    ),
    // Microbatch (dbt 1.9). event_time is also read on a model's inputs (models, seeds), which a microbatch
    // model reads one batch at a time.
    event_time: z.string().min(1),
    batch_size: z.enum(BATCH_SIZES, { error: `batch_size must be one of ${BATCH_SIZES.join(", ")}` }),
    lookback: z.coerce.number().int().min(0),
    // YAML may hand a date over as a Date; keep it as text (UTC), which the planner parses.
    begin: z.union([z.string().min(1), z.date().transform((d) => d.toISOString().slice(0, 19))]),
    persist_docs: z.strictObject(
      { relation: bool.optional(), columns: bool.optional() },
      { error: "persist_docs must be a mapping like {relation: true, columns: true}" },
    ),
    maintenance: maintenanceSchema(),
    retention: retentionSchema(),
    freshness: modelFreshnessSchema(),
    contract: z.strictObject(
      { enforced: bool.optional(), alias_types: bool.optional() },
      { error: "contract must be a mapping like {enforced: true}" },
    ),
  })
  .partial()
  .loose();

export const configLayerSchema = z.preprocess(renameHookKeys, configLayerObject);

export type ConfigLayer = z.output<typeof configLayerObject>;

export type ConfigKind = "model" | "seed" | "test" | "snapshot" | "unit_test";

const NODE_KEYS = ["enabled", "tags", "meta", "schema", "alias", "catalog", "database"] as const;
const TABLE_KEYS = [
  "partitioned_by",
  "sorted_by",
  "format",
  "properties",
  "full_refresh",
  "persist_docs",
  "maintenance",
  "retention",
];

/** The config keys each kind of node reads. */
export const CONFIG_KEYS: Readonly<Record<ConfigKind, readonly string[]>> = {
  model: [
    ...NODE_KEYS,
    "materialized",
    "unique_key",
    "incremental_strategy",
    "on_schema_change",
    "incremental_predicates",
    "grace_period",
    "pre_hook",
    "post_hook",
    "pre-hook",
    "post-hook",
    "event_time",
    "batch_size",
    "lookback",
    "begin",
    "contract",
    "freshness",
    ...TABLE_KEYS,
  ],
  unit_test: ["enabled", "tags", "meta"],
  seed: [...NODE_KEYS, "column_types", "event_time", ...TABLE_KEYS],
  snapshot: [
    ...NODE_KEYS,
    "unique_key",
    "strategy",
    "updated_at",
    "check_cols",
    "hard_deletes",
    "invalidate_hard_deletes",
    "dbt_valid_to_current",
    "snapshot_meta_column_names",
    "pre_hook",
    "post_hook",
    "pre-hook",
    "post-hook",
    "partitioned_by",
    "sorted_by",
    "format",
    "properties",
  ],
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
  sql_header: "",
  quoting: "",
  concurrent_batches: "Floe runs a microbatch model's batches one after another, oldest first.",
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

/** A duration as written in config: `24h`, `7d`, `2y` (see `DURATION`). */
export type Duration = string;

interface Switch {
  readonly enabled?: boolean | undefined;
}

/** `floe maintain`'s per-table settings (`false` in yml is `{enabled: false}`). */
export interface MaintenanceConfig extends Switch {
  readonly optimize?: (Switch & { readonly file_size_threshold?: string | undefined }) | undefined;
  readonly expire_snapshots?: (Switch & { readonly retention_threshold?: Duration | undefined }) | undefined;
  readonly remove_orphan_files?:
    | (Switch & { readonly retention_threshold?: Duration | undefined })
    | undefined;
}

export interface RetentionConfig extends Switch {
  readonly period?: Duration | undefined;
  readonly column?: string | undefined;
}

/** A model's `freshness.build_after` (dbt's state-aware orchestration), read by `--due`. */
export interface BuildAfter {
  readonly count: number;
  readonly period: (typeof BUILD_AFTER_PERIODS)[number];
  readonly updates_on?: (typeof UPDATES_ON)[number] | undefined;
}

export interface ModelFreshness {
  readonly build_after?: BuildAfter | undefined;
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
  maintenance?: MaintenanceConfig;
  retention?: RetentionConfig;
  grace_period?: string;
  /** SQL templates run before / after the model's statements, in order (every config level adds). */
  pre_hook?: string[];
  post_hook?: string[];
  event_time?: string;
  batch_size?: (typeof BATCH_SIZES)[number];
  lookback?: number;
  begin?: string;
  /** dbt's model contract: the query's columns must match the yml columns' names and data types. */
  contract?: { enforced?: boolean | undefined; alias_types?: boolean | undefined };
  /** `floe build --due`: how often the model may be rebuilt, and on which upstream changes. */
  freshness?: ModelFreshness | null;
}

/** A snapshot's config (dbt 1.9): how rows are keyed, when a row changed, what a deleted row becomes. */
export interface SnapshotConfig extends NodeConfigBase {
  materialized: "snapshot";
  schema?: string;
  alias?: string;
  catalog?: string;
  unique_key: string | string[];
  strategy: (typeof SNAPSHOT_STRATEGIES)[number];
  updated_at?: string;
  check_cols?: "all" | string[];
  hard_deletes: (typeof HARD_DELETES)[number];
  dbt_valid_to_current?: string;
  /** Every meta column's name (dbt's defaults unless renamed). */
  snapshot_meta_column_names: Record<SnapshotMetaColumn, string>;
  pre_hook?: string[];
  post_hook?: string[];
  partitioned_by: string[];
  sorted_by: string[];
  format?: string;
  properties: Record<string, string>;
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
  maintenance?: MaintenanceConfig;
  retention?: RetentionConfig;
  event_time?: string;
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
  "snapshot_meta_column_names",
  "contract",
]);

/** Merges layers, lowest precedence first. */
export function mergeLayers(layers: readonly ConfigLayer[]): ConfigLayer {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      if (key === "pre_hook" || key === "post_hook") {
        // Hooks add up across levels, project's first (dbt's order).
        out[key] = [...((out[key] as string[] | undefined) ?? []), ...(value as string[])];
      } else if (key === "tags") {
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

/**
 * A snapshot's merged config; `unique_key` and `strategy` may still be missing (the snapshot's loader
 * reports that with the file): they are checked there, with the fix.
 */
export function toSnapshotConfig(merged: ConfigLayer): SnapshotConfig {
  const { database, materialized: _ignored, invalidate_hard_deletes, ...rest } = merged;
  const names = (merged.snapshot_meta_column_names ?? {}) as Partial<Record<SnapshotMetaColumn, string>>;
  const config = {
    ...rest,
    materialized: "snapshot",
    enabled: merged.enabled ?? true,
    tags: merged.tags ?? [],
    meta: merged.meta ?? {},
    hard_deletes: merged.hard_deletes ?? (invalidate_hard_deletes === true ? "invalidate" : "ignore"),
    snapshot_meta_column_names: Object.fromEntries(
      SNAPSHOT_META_COLUMNS.map((c) => [c, names[c] ?? c]),
    ) as Record<SnapshotMetaColumn, string>,
    partitioned_by: merged.partitioned_by ?? [],
    sorted_by: merged.sorted_by ?? [],
    properties: merged.properties ?? {},
  } as SnapshotConfig;
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
    case "batch_size":
      return `use one of ${BATCH_SIZES.join(", ")}.`;
    case "lookback":
      return "give lookback as a whole number of batches, e.g. lookback: 1.";
    case "on_schema_change":
      return `use one of ${ON_SCHEMA_CHANGE.join(", ")}.`;
    case "strategy":
      return `use one of ${SNAPSHOT_STRATEGIES.join(", ")}.`;
    case "hard_deletes":
      return `use one of ${HARD_DELETES.join(", ")}.`;
    case "severity":
      return "use severity: error or severity: warn.";
    case "freshness":
      return "write freshness: {build_after: {count: 10, period: minute, updates_on: any}} (period: minute, hour or day; updates_on: any or all).";
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
