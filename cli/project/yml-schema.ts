import { z } from "zod";
import { named, strictMapping, unsupportedKeys } from "../manifest/strict-keys.js";

/**
 * Property files (the .yml files under the model and seed paths): dbt's `version: 2` format. Every mapping
 * is strict (`strictMapping`): an unknown key is an error naming the closest known one, and a dbt key Floe
 * does not implement yet says so, rather than being dropped with whatever it held (a misspelled `colums:`
 * used to take its tests with it). Config values are checked per node kind by `configSchemaFor`; tests stay
 * loosely typed here (a name or a one-key mapping) and are validated by `test-entries.ts`, which knows
 * each test's arguments.
 */
const testList = z.array(z.union([z.string(), z.record(z.string(), z.unknown())]), {
  error: "expected a list of tests (a test name, or `name: {arguments}`)",
});
const config = z.record(z.string(), z.unknown(), { error: "expected a mapping of config keys" });
const meta = z.record(z.string(), z.unknown(), { error: "meta must be a mapping" });
const tags = z.union([z.string(), z.array(z.string())], { error: "tags must be a list of strings" });

/** Keys dbt's property files have that Floe does not read yet. */
const NOT_YET = {
  semanticLayer: "Floe has no semantic layer; keep these definitions out of the model and seed paths.",
};

const constraint = strictMapping("a constraint", {
  type: z.enum(["not_null", "unique", "primary_key", "foreign_key", "check", "custom"], {
    error: "a constraint's type is one of not_null, unique, primary_key, foreign_key, check, custom",
  }),
  name: z.string().optional(),
  expression: z.string().optional(),
  columns: z.array(z.string()).optional(),
  to: z.string().optional(),
  to_columns: z.array(z.string()).optional(),
  warn_unenforced: z.boolean().optional(),
  warn_unsupported: z.boolean().optional(),
});
const constraints = z.array(constraint, { error: "constraints must be a list of {type: ...}" });

export const columnSchema = strictMapping(
  named("column"),
  {
    name: z.string({ error: "every column needs a name" }).min(1),
    description: z.string().optional(),
    data_type: z.string().optional(),
    tests: testList.optional(),
    data_tests: testList.optional(),
    meta: meta.optional(),
    tags: z.array(z.string()).optional(),
    constraints: constraints.optional(),
    // dbt 1.10 moved a column's meta and tags under config:.
    config: strictMapping("column config", { meta: meta.optional(), tags: tags.optional() }).optional(),
  },
  unsupportedKeys({ quote: "", policy_tags: "", granularity: "" }),
);

const NODE_NOT_SUPPORTED = unsupportedKeys({
  docs: "",
  access: "",
  group: "",
  deprecation_date: "",
  time_spine: "",
});

/** What models, seeds and source tables are described with: text, columns, tests, meta and tags. */
const described = {
  description: z.string().optional(),
  columns: z.array(columnSchema, { error: "columns must be a list of {name: ...}" }).optional(),
  tests: testList.optional(),
  data_tests: testList.optional(),
  meta: meta.optional(),
  tags: tags.optional(),
};

/** One of a model's `versions:` (dbt 1.5): its own file, and config/columns over the model's. */
const modelVersion = strictMapping(
  (value) => (value.v === undefined ? "a model version" : `version ${String(value.v)}`),
  {
    v: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/).transform(Number)], {
      error: "v must be a whole number",
    }),
    defined_in: z.string().min(1).optional(),
    description: z.string().optional(),
    config: config.optional(),
    columns: z.array(columnSchema, { error: "columns must be a list of {name: ...}" }).optional(),
    constraints: constraints.optional(),
    tests: testList.optional(),
    data_tests: testList.optional(),
  },
  unsupportedKeys({ deprecation_date: "", docs: "", access: "" }),
);

function nodeEntry(kind: "model" | "seed") {
  return strictMapping(
    named(kind),
    {
      name: z.string({ error: "every entry needs a name" }).min(1),
      // meta: and tags: (in `described`) merge into the yml config layer, as dbt reads them beside config:.
      config: config.optional(),
      ...described,
      ...(kind === "model"
        ? {
            constraints: constraints.optional(),
            versions: z.array(modelVersion, { error: "versions must be a list of {v: N}" }).optional(),
            latest_version: z.number().int().nonnegative().optional(),
          }
        : {}),
    },
    NODE_NOT_SUPPORTED,
  );
}

/**
 * dbt 1.9's snapshot entry: `relation:` (dbt's `ref('x')` / `source('a', 'b')`, or Floe's `{{ref "x"}}`)
 * makes a snapshot of that relation's rows; without it the entry describes a `snapshots/<name>.sql`.
 */
const snapshotEntry = strictMapping(
  named("snapshot"),
  {
    name: z.string({ error: "every snapshot needs a name" }).min(1),
    relation: z.string().min(1).optional(),
    config: config.optional(),
    ...described,
  },
  NODE_NOT_SUPPORTED,
);

/** Rows of a unit test's input or expectation: mappings, or CSV or SQL text with `format:`. */
const fixtureShape = {
  format: z.enum(["dict", "csv", "sql"], { error: "format is one of dict, csv, sql" }).optional(),
  rows: z
    .union([z.array(z.record(z.string(), z.unknown())), z.string()], {
      error: "rows is a list of mappings (format: dict) or text (format: csv or sql)",
    })
    .optional(),
};

const unitTestEntry = strictMapping(
  named("unit test"),
  {
    name: z.string({ error: "every unit test needs a name" }).min(1),
    model: z.string({ error: "a unit test names the model it tests (model: <name>)" }).min(1),
    description: z.string().optional(),
    given: z
      .array(
        strictMapping("a given input", {
          input: z.string({ error: "each given needs input: ref('model') or source('source', 'table')" }),
          ...fixtureShape,
        }),
        { error: "given must be a list of {input: ref('...'), rows: [...]}" },
      )
      .default([]),
    expect: strictMapping("expect", fixtureShape),
    overrides: strictMapping("overrides", {
      vars: z.record(z.string(), z.unknown()).optional(),
      macros: z.record(z.string(), z.unknown()).optional(),
      env_vars: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    }).optional(),
    config: strictMapping("unit test config", {
      tags: tags.optional(),
      meta: meta.optional(),
      enabled: z.boolean().optional(),
    }).optional(),
  },
  unsupportedKeys({
    versions: "a unit test tests the model's latest version for now.",
    fixture: "give the rows inline (rows:, with format: csv or sql).",
  }),
);

const duration = z.union([
  z.string(),
  strictMapping("a freshness threshold", {
    count: z.number().int().positive(),
    period: z.enum(["minute", "hour", "day"]),
  }),
]);

const freshness = strictMapping("freshness", {
  warn_after: duration.optional(),
  error_after: duration.optional(),
  filter: z.string().optional(),
}).nullable();

/** A source's or source table's `config:` (dbt 1.10 reads these keys here as well as beside it). */
const sourceConfig = strictMapping(
  "source config",
  {
    tags: tags.optional(),
    meta: meta.optional(),
    loaded_at_field: z.string().optional(),
    freshness: freshness.optional(),
    // The column a microbatch model reading this source filters on, batch by batch (dbt 1.9).
    event_time: z.string().min(1).optional(),
  },
  unsupportedKeys({ enabled: "", loaded_at_query: "" }),
);

const sourceTable = strictMapping(
  named("source table"),
  {
    name: z.string({ error: "every source table needs a name" }).min(1),
    identifier: z.string().optional(),
    loaded_at_field: z.string().optional(),
    freshness: freshness.optional(),
    config: sourceConfig.optional(),
    ...described,
  },
  unsupportedKeys({ quoting: "", external: "", loaded_at_query: "", docs: "", event_time: "" }),
);

const sourceEntry = strictMapping(
  named("source"),
  {
    name: z.string({ error: "every source needs a name" }).min(1),
    description: z.string().optional(),
    catalog: z.string().optional(),
    database: z.string().optional(),
    schema: z.string().optional(),
    loaded_at_field: z.string().optional(),
    freshness: freshness.optional(),
    tags: tags.optional(),
    meta: meta.optional(),
    config: sourceConfig.optional(),
    tables: z.array(sourceTable, { error: "tables must be a list of {name: ...}" }).default([]),
  },
  unsupportedKeys({ loader: "", overrides: "", quoting: "", docs: "" }),
);

export const propertyFileSchema = strictMapping(
  "a property file",
  {
    version: z.literal(2, { error: "version must be 2 (dbt's property file format)" }).optional(),
    models: z.array(nodeEntry("model"), { error: "models must be a list of {name: ...}" }).optional(),
    seeds: z.array(nodeEntry("seed"), { error: "seeds must be a list of {name: ...}" }).optional(),
    sources: z.array(sourceEntry, { error: "sources must be a list of {name: ...}" }).optional(),
    snapshots: z
      .array(snapshotEntry, { error: "snapshots must be a list of {name: ..., relation: ...}" })
      .optional(),
    unit_tests: z
      .array(unitTestEntry, { error: "unit_tests must be a list of {name: ..., model: ...}" })
      .optional(),
  },
  unsupportedKeys({
    analyses: "",
    macros: "",
    exposures: "",
    groups: "",
    functions: "",
    semantic_models: NOT_YET.semanticLayer,
    metrics: NOT_YET.semanticLayer,
    saved_queries: NOT_YET.semanticLayer,
  }),
);

export type PropertyFile = z.output<typeof propertyFileSchema>;
export type NodeEntry = z.output<ReturnType<typeof nodeEntry>>;
export type SnapshotEntry = z.output<typeof snapshotEntry>;
export type ColumnEntry = z.output<typeof columnSchema>;
export type SourceEntry = z.output<typeof sourceEntry>;
export type UnitTestEntry = z.output<typeof unitTestEntry>;
export type ConstraintEntry = z.output<typeof constraint>;
export type SourceTableEntry = z.output<typeof sourceTable>;
export type TestEntry = string | Record<string, unknown>;
