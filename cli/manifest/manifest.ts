import type { Relation } from "../../trino/dialect.js";
import type { ModelConfig, SeedConfig, SnapshotConfig, TestConfig, UnitTestConfig } from "./config.js";

/**
 * `target/manifest.json`: the parsed project as data. Keys follow dbt's manifest (snake_case, `unique_id`,
 * `depends_on`, `parent_map`/`child_map`) so dbt users and tools recognise it. The in-memory manifest is the
 * artifact: what `--state` reads back is exactly what a compile produced.
 */
export const MANIFEST_SCHEMA_VERSION = 1;

export type ResourceType = "model" | "seed" | "snapshot" | "test" | "source" | "unit_test";

/** Where a node lives in Trino; quoted by `quoteRelation` in trino/dialect.ts, Floe's one place for quoting. */
export type { Relation };

/** A column constraint as dbt writes it; on Trino's Iceberg connector only `not_null` is enforced. */
export interface ColumnConstraint {
  readonly type: "not_null" | "unique" | "primary_key" | "foreign_key" | "check" | "custom";
  readonly expression?: string;
  readonly name?: string;
  /** Model-level constraints name their columns. */
  readonly columns?: readonly string[];
}

export interface ColumnInfo {
  readonly name: string;
  readonly description: string;
  readonly data_type?: string;
  readonly constraints?: readonly ColumnConstraint[];
  readonly meta: Record<string, unknown>;
  readonly tags: readonly string[];
}

/**
 * What `state:modified` compares, each a sha256: the template with whitespace collapsed, the resolved
 * config, the checksums of the macros the node uses, and its yml entry.
 */
export interface Fingerprint {
  readonly body: string;
  readonly config: string;
  readonly macros: string;
  readonly yml: string;
}

interface NodeBase {
  readonly unique_id: string;
  readonly name: string;
  readonly package_name: string;
  /** Relative to the project root, with forward slashes. */
  readonly original_file_path: string;
  /** Relative to its resource folder (`staging/stg_orders.sql`). */
  readonly path: string;
  readonly fqn: readonly string[];
  readonly checksum: { readonly name: "sha256"; readonly checksum: string };
  readonly fingerprint: Fingerprint;
  readonly description: string;
  readonly tags: readonly string[];
  readonly depends_on: { readonly nodes: readonly string[]; readonly macros: readonly string[] };
  /** The yml file that describes the node, if any. */
  readonly patch_path?: string;
}

export interface ModelNode extends NodeBase {
  readonly resource_type: "model";
  readonly config: ModelConfig;
  readonly relation: Relation;
  readonly columns: Readonly<Record<string, ColumnInfo>>;
  /** Where `floe compile` writes the compiled SQL, relative to the project root. */
  readonly compiled_path: string;
  /** A versioned model's version (`versions:` in its yml); its relation is `<name>_v<version>`. */
  readonly version?: number;
  /** The model's `latest_version`, for every version of a versioned model. */
  readonly latest_version?: number;
  /** Model-level constraints (`constraints:` beside `columns:`). */
  readonly constraints?: readonly ColumnConstraint[];
}

export interface SeedNode extends NodeBase {
  readonly resource_type: "seed";
  readonly config: SeedConfig;
  readonly relation: Relation;
  readonly columns: Readonly<Record<string, ColumnInfo>>;
}

/**
 * An SCD type 2 history of a query's rows (dbt's snapshot), from a `snapshots:` yml entry (`relation:`) or a
 * `snapshots/*.sql` template; `{{ref}}` reads its table like a model's.
 */
export interface SnapshotNode extends NodeBase {
  readonly resource_type: "snapshot";
  readonly config: SnapshotConfig;
  readonly relation: Relation;
  readonly columns: Readonly<Record<string, ColumnInfo>>;
  readonly compiled_path: string;
}

export interface TestMetadata {
  /** `not_null`, `unique`, ..., or a custom generic test's name. */
  readonly name: string;
  readonly kwargs: Readonly<Record<string, unknown>>;
}

export interface TestNode extends NodeBase {
  readonly resource_type: "test";
  readonly config: TestConfig;
  /** Generic tests only. */
  readonly test_metadata?: TestMetadata;
  /** The model, seed or source the test is attached to (generic tests; singular tests have none). */
  readonly attached_node?: string;
  readonly column_name?: string;
  /** Where failing rows go when `store_failures` is on. */
  readonly store_failures_relation: Relation;
  readonly compiled_path: string;
}

export type ManifestNode = ModelNode | SeedNode | SnapshotNode | TestNode;

/**
 * A fixture of a unit test, as dbt 1.8 writes it: rows as mappings, CSV text or a SQL query. Mappings
 * keep their values as YAML typed them; CSV cells are text (an empty cell is NULL).
 */
export type UnitTestRows =
  | { readonly format: "dict"; readonly rows: readonly Readonly<Record<string, unknown>>[] }
  | { readonly format: "csv"; readonly rows: string }
  | { readonly format: "sql"; readonly rows: string };

export interface UnitTestGiven {
  /** As written: `ref('stg_orders')`, `source('raw', 'orders')` or `this`. */
  readonly input: string;
  /** `model.<project>.<name>`, `seed...`, `source...`, or `this` (the model's own relation). */
  readonly node: string;
  readonly fixture: UnitTestRows;
}

export interface UnitTestOverrides {
  readonly vars: Readonly<Record<string, unknown>>;
  /** Macro partials replaced by fixed text; `is_incremental` (true/false) chooses the incremental branch. */
  readonly macros: Readonly<Record<string, unknown>>;
  readonly env_vars: Readonly<Record<string, string>>;
}

/**
 * A unit test (dbt 1.8's `unit_tests:`): the model's SQL run on fixed inputs, its output compared with the
 * expected rows. `depends_on.nodes` is the tested model, as in dbt's manifest; it needs no table to exist.
 */
export interface UnitTestNode extends NodeBase {
  readonly resource_type: "unit_test";
  readonly config: UnitTestConfig;
  /** The tested model's name and unique_id. */
  readonly model: string;
  readonly attached_node: string;
  readonly given: readonly UnitTestGiven[];
  readonly expect: UnitTestRows;
  readonly overrides: UnitTestOverrides;
  readonly compiled_path: string;
}

export interface SourceNode {
  readonly unique_id: string;
  readonly resource_type: "source";
  /** `source_name.table_name`. */
  readonly name: string;
  readonly source_name: string;
  readonly table_name: string;
  readonly package_name: string;
  readonly original_file_path: string;
  readonly path: string;
  readonly fqn: readonly string[];
  readonly description: string;
  readonly relation: Relation;
  readonly loaded_at_field?: string;
  readonly freshness?: unknown;
  readonly columns: Readonly<Record<string, ColumnInfo>>;
  readonly tags: readonly string[];
  readonly config: {
    readonly enabled: boolean;
    readonly tags: readonly string[];
    readonly meta: Record<string, unknown>;
    /** Microbatch: the column a microbatch model reading this source filters on. */
    readonly event_time?: string;
  };
  readonly fingerprint: Fingerprint;
}

export interface MacroNode {
  readonly unique_id: string;
  readonly resource_type: "macro";
  readonly name: string;
  readonly package_name: string;
  readonly original_file_path: string;
  readonly checksum: { readonly name: "sha256"; readonly checksum: string };
  /** Whitespace-insensitive checksum, for `state:modified`. */
  readonly fingerprint: string;
  readonly depends_on: { readonly macros: readonly string[] };
}

export interface ManifestMetadata {
  readonly floe_version: string;
  readonly generated_at: string;
  readonly project_name: string;
  readonly target_name: string;
  readonly adapter_type: "trino";
}

export interface Manifest {
  readonly schemaVersion: typeof MANIFEST_SCHEMA_VERSION;
  readonly metadata: ManifestMetadata;
  readonly nodes: Readonly<Record<string, ManifestNode>>;
  readonly sources: Readonly<Record<string, SourceNode>>;
  readonly macros: Readonly<Record<string, MacroNode>>;
  /** dbt's docs blocks (`{% docs %}` in .md files), as dbt's manifest lists them; descriptions already use them. */
  readonly docs?: Readonly<Record<string, DocNode>>;
  /** dbt keeps unit tests beside the nodes, out of the lineage graph; so does Floe. */
  readonly unit_tests: Readonly<Record<string, UnitTestNode>>;
  readonly parent_map: Readonly<Record<string, readonly string[]>>;
  readonly child_map: Readonly<Record<string, readonly string[]>>;
}

export interface DocNode {
  readonly unique_id: string;
  readonly resource_type: "doc";
  readonly name: string;
  readonly package_name: string;
  readonly path: string;
  readonly original_file_path: string;
  readonly block_contents: string;
}

export type GraphNode = ManifestNode | SourceNode;

export function graphNode(manifest: Manifest, uniqueId: string): GraphNode | undefined {
  return manifest.nodes[uniqueId] ?? manifest.sources[uniqueId];
}

/** The relation a node has in the warehouse: none for a test or an ephemeral model (inlined as a CTE). */
export function relationOf(node: GraphNode | undefined): Relation | undefined {
  if (!node || node.resource_type === "test") return undefined;
  if (node.resource_type === "model" && node.config.materialized === "ephemeral") return undefined;
  return node.relation;
}
