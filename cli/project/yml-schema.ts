import { z } from "zod";

/**
 * Property files (the .yml files under the model and seed paths): dbt's `version: 2` format. Tests stay loosely typed
 * here (a name or a one-key mapping) and are validated by `data-tests/parse-test-entries.ts`, which knows
 * each test's arguments. Unknown keys are allowed (semantic models, exposures, docs blocks...) so projects
 * ported from dbt still parse.
 */
const testList = z.array(z.union([z.string(), z.record(z.string(), z.unknown())]), {
  error: "expected a list of tests (a test name, or `name: {arguments}`)",
});
const config = z.record(z.string(), z.unknown(), { error: "expected a mapping of config keys" });

export const columnSchema = z.looseObject({
  name: z.string({ error: "every column needs a name" }).min(1),
  description: z.string().optional(),
  data_type: z.string().optional(),
  tests: testList.optional(),
  data_tests: testList.optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
  tags: z.array(z.string()).optional(),
});

const nodeEntry = z.looseObject({
  name: z.string({ error: "every entry needs a name" }).min(1),
  description: z.string().optional(),
  config: config.optional(),
  columns: z.array(columnSchema, { error: "columns must be a list of {name: ...}" }).optional(),
  tests: testList.optional(),
  data_tests: testList.optional(),
});

const duration = z.union([
  z.string(),
  z.looseObject({ count: z.number().int().positive(), period: z.enum(["minute", "hour", "day"]) }),
]);

const freshness = z
  .looseObject({
    warn_after: duration.optional(),
    error_after: duration.optional(),
    filter: z.string().optional(),
  })
  .nullable();

const sourceTable = z.looseObject({
  name: z.string({ error: "every source table needs a name" }).min(1),
  identifier: z.string().optional(),
  description: z.string().optional(),
  loaded_at_field: z.string().optional(),
  freshness: freshness.optional(),
  columns: z.array(columnSchema).optional(),
  tests: testList.optional(),
  data_tests: testList.optional(),
  config: config.optional(),
});

const sourceEntry = z.looseObject({
  name: z.string({ error: "every source needs a name" }).min(1),
  description: z.string().optional(),
  catalog: z.string().optional(),
  database: z.string().optional(),
  schema: z.string().optional(),
  loaded_at_field: z.string().optional(),
  freshness: freshness.optional(),
  tags: z.array(z.string()).optional(),
  config: config.optional(),
  tables: z.array(sourceTable, { error: "tables must be a list of {name: ...}" }).default([]),
});

export const propertyFileSchema = z.looseObject({
  version: z.literal(2, { error: "version must be 2 (dbt's property file format)" }).optional(),
  models: z.array(nodeEntry, { error: "models must be a list of {name: ...}" }).optional(),
  seeds: z.array(nodeEntry, { error: "seeds must be a list of {name: ...}" }).optional(),
  sources: z.array(sourceEntry, { error: "sources must be a list of {name: ...}" }).optional(),
});

export type PropertyFile = z.output<typeof propertyFileSchema>;
export type NodeEntry = z.output<typeof nodeEntry>;
export type ColumnEntry = z.output<typeof columnSchema>;
export type SourceEntry = z.output<typeof sourceEntry>;
export type SourceTableEntry = z.output<typeof sourceTable>;
export type TestEntry = string | Record<string, unknown>;
