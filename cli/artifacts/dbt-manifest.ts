import { quoteRelation } from "../../trino/dialect.js";
import {
  MANIFEST_SCHEMA_VERSION,
  type MacroNode,
  type Manifest,
  type ManifestNode,
  type SourceNode,
  type UnitTestNode,
  type UnitTestRows,
} from "../manifest/manifest.js";

/**
 * `target/manifest.json` on disk, in dbt's manifest v12 shape (https://schemas.getdbt.com), so dbt tooling
 * (dbt-docs, datafold, elementary, dbt-checkpoint, ...) reads it. The in-memory `Manifest` stays Floe's: this
 * module maps it both ways, and `--state` reads back exactly what a compile produced.
 *
 * Where dbt has the field, Floe writes it there: a node's relation as `database`/`schema`/`alias` (a
 * source's as `identifier`) and `relation_name`; a test's relation is its store_failures audit table, as in
 * dbt. What dbt's schema has no place for (`additionalProperties: false`) goes under the node's
 * `meta.floe`: the state fingerprints, a macro's checksum, a source's `source.table` name. What dbt requires
 * and Floe does not know is written empty (a source's `loader`, a macro's `macro_sql`), never made up.
 */
export const DBT_MANIFEST_SCHEMA_URL = "https://schemas.getdbt.com/dbt/manifest/v12.json";

type Json = Record<string, unknown>;

/** Keys Floe adds on the way out (derived from the relation, or dbt's required placeholders). */
const NODE_DERIVED = ["database", "schema", "alias", "relation_name", "meta", "language"] as const;
const SOURCE_DERIVED = [
  "database",
  "schema",
  "identifier",
  "relation_name",
  "meta",
  "source_description",
  "loader",
] as const;
const MACRO_DERIVED = ["path", "macro_sql", "meta"] as const;

export function toDbtManifest(manifest: Manifest): Json {
  const out: Json = {};
  for (const [key, value, map] of dbtSections(manifest)) out[key] = map ? mapValues(value, map) : value;
  return out;
}

/**
 * `JSON.stringify(toDbtManifest(manifest))` in pieces, byte for byte: each node is serialised on its own
 * (nodeToDbtJson), so a 30,000-node manifest is never held as a second object graph (which outlived the
 * young generation and was copied by the GC) nor as one 42 MB string and its Buffer. `write` is handed
 * one piece per node, source, macro and unit test, and a few for the rest; the caller batches them.
 */
export function writeDbtManifestJson(manifest: Manifest, write: (piece: string) => void): void {
  let first = true;
  for (const [key, value, map] of dbtSections(manifest)) {
    const opening = `${first ? "{" : ","}${JSON.stringify(key)}:`;
    first = false;
    if (!map) {
      write(opening + JSON.stringify(value));
      continue;
    }
    write(opening);
    // As JSON.stringify writes an object: its keys in for-in order, no spaces (mapValues' order too).
    const json = map === nodeToDbt ? nodeToDbtJson : (entry: unknown) => JSON.stringify(map(entry));
    let firstEntry = true;
    for (const id in value) {
      write(`${firstEntry ? "{" : ","}${JSON.stringify(id)}:${json(value[id])}`);
      firstEntry = false;
    }
    write(firstEntry ? "{}" : "}");
  }
  write("}");
}

/**
 * The manifest's top-level keys in dbt's order: a value written as it is, or a record whose every entry
 * is mapped to dbt's shape (by `toDbtManifest` as a whole, by `writeDbtManifestJson` one entry at a time).
 */
type Section = readonly [key: string, value: unknown, map?: undefined] | MappedSection;
// biome-ignore lint/suspicious/noExplicitAny: each section pairs a record with the map of its own values.
type MappedSection = readonly [key: string, value: Readonly<Record<string, any>>, map: (value: any) => Json];

function dbtSections(manifest: Manifest): Section[] {
  const { metadata } = manifest;
  return [
    [
      "metadata",
      {
        dbt_schema_version: DBT_MANIFEST_SCHEMA_URL,
        generated_at: metadata.generated_at,
        project_name: metadata.project_name,
        adapter_type: metadata.adapter_type,
        // dbt's metadata is closed: Floe's version and the target go where dbt keeps the invocation's env.
        env: { FLOE_VERSION: metadata.floe_version, FLOE_TARGET: metadata.target_name },
      },
    ],
    ["nodes", manifest.nodes, nodeToDbt],
    ["sources", manifest.sources, sourceToDbt],
    ["macros", manifest.macros, macroToDbt],
    // dbt's Documentation nodes have exactly the docs blocks' fields (`doc.<project>.<name>`).
    ["docs", manifest.docs ?? {}],
    ["exposures", {}],
    ["metrics", {}],
    ["groups", {}],
    ["selectors", {}],
    ["disabled", {}],
    ["parent_map", manifest.parent_map],
    ["child_map", manifest.child_map],
    ["group_map", {}],
    ["saved_queries", {}],
    ["semantic_models", {}],
    ["unit_tests", manifest.unit_tests, unitTestToDbt],
  ];
}

function nodeToDbt(node: ManifestNode): Json {
  const relation = node.resource_type === "test" ? node.store_failures_relation : node.relation;
  const ephemeral = node.resource_type === "model" && node.config.materialized === "ephemeral";
  // Destructuring, not a loop over keys: this runs for every node of a 30,000-node manifest (in
  // `toDbtManifest`; manifest.json itself is written by nodeToDbtJson, which makes no copy).
  const {
    fingerprint: _fingerprint,
    relation: _relation,
    store_failures_relation: _audit,
    ...rest
  } = node as ManifestNode & {
    relation?: unknown;
    store_failures_relation?: unknown;
  };
  const floe = floeOf(node);
  return {
    ...rest,
    ...(node.resource_type === "seed" ? { depends_on: { macros: node.depends_on.macros } } : {}),
    database: relation.catalog,
    schema: relation.schema,
    alias: relation.identifier,
    relation_name: node.resource_type === "test" || ephemeral ? null : quoteRelation(relation),
    ...(node.resource_type === "seed" ? {} : { language: "sql" }),
    meta: { ...metaOf(node.config), floe },
  };
}

/**
 * `JSON.stringify(nodeToDbt(node))` without the copy: the node's own keys serialised one by one in their
 * order (less the ones that move under meta.floe), then the derived ones. For 30,000 nodes 0.32 s instead of
 * 0.8 s (copying an object with rest/spread is V8's slow path). A node holding one of the derived keys
 * itself (none does today) would change places in the copy: it takes the copy.
 */
function nodeToDbtJson(node: ManifestNode): string {
  let out = "";
  for (const key in node) {
    if (key === "fingerprint" || key === "relation" || key === "store_failures_relation") continue;
    if (DERIVED_NODE_KEYS.has(key)) return JSON.stringify(nodeToDbt(node));
    const value =
      key === "depends_on" && node.resource_type === "seed"
        ? { macros: node.depends_on.macros }
        : node[key as keyof ManifestNode];
    const json = JSON.stringify(value);
    // Like JSON.stringify of the copy: an undefined value leaves its key out.
    if (json === undefined) continue;
    out += `${out === "" ? "{" : ","}${quotedKey(key)}${json}`;
  }
  const relation = node.resource_type === "test" ? node.store_failures_relation : node.relation;
  const ephemeral = node.resource_type === "model" && node.config.materialized === "ephemeral";
  const relationName = node.resource_type === "test" || ephemeral ? null : quoteRelation(relation);
  out += `${out === "" ? "{" : ","}"database":${JSON.stringify(relation.catalog)},"schema":${JSON.stringify(relation.schema)},"alias":${JSON.stringify(relation.identifier)},"relation_name":${JSON.stringify(relationName)}`;
  if (node.resource_type !== "seed") out += ',"language":"sql"';
  return `${out},"meta":${JSON.stringify({ ...metaOf(node.config), floe: floeOf(node) })}}`;
}

const DERIVED_NODE_KEYS: ReadonlySet<string> = new Set(NODE_DERIVED);
/** `"key":` per node key: the keys are Floe's own (a few dozen), each quoted once. */
const quotedKeys = new Map<string, string>();
function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = `${JSON.stringify(key)}:`;
    quotedKeys.set(key, quoted);
  }
  return quoted;
}

/** What a node keeps under `meta.floe`: what dbt's closed node schema has no place for. */
function floeOf(node: ManifestNode): Json {
  const floe: Json = { fingerprint: node.fingerprint };
  if ("relation" in node) floe.relation = node.relation;
  if ("store_failures_relation" in node) floe.store_failures_relation = node.store_failures_relation;
  // dbt's seeds depend on macros only; Floe's carry an (empty) node list too.
  if (node.resource_type === "seed") floe.depends_on = node.depends_on;
  return floe;
}

function sourceToDbt(source: SourceNode): Json {
  const { relation, fingerprint, name, table_name, ...rest } = source;
  return {
    ...rest,
    name: table_name,
    database: relation.catalog,
    schema: relation.schema,
    identifier: relation.identifier,
    relation_name: quoteRelation(relation),
    source_description: "",
    loader: "",
    meta: { ...metaOf(source.config), floe: { name, fingerprint, relation } },
  };
}

function macroToDbt(macro: MacroNode): Json {
  const { checksum, fingerprint, ...rest } = macro;
  return {
    ...rest,
    path: macro.original_file_path,
    // Floe keeps a macro's template, not its text, in the manifest.
    macro_sql: "",
    meta: { floe: { checksum, fingerprint } },
  };
}

/**
 * A unit test as dbt's UnitTestDefinition: the fields dbt has keep their place (a fixture's `format` and
 * `rows`, `overrides`, `depends_on`, `checksum` as a string); what dbt's closed schema has no place for (the
 * fingerprint, the attached node and compiled path, what each `given` resolved to) goes under
 * `config.meta.floe`, the one open mapping a unit test has.
 */
function unitTestToDbt(test: UnitTestNode): Json {
  const {
    checksum,
    fingerprint,
    tags,
    patch_path,
    attached_node,
    compiled_path,
    given,
    expect,
    config,
    ...rest
  } = test;
  const floe: Json = {
    checksum,
    fingerprint,
    tags,
    attached_node,
    compiled_path,
    given_nodes: given.map((g) => g.node),
    ...(patch_path === undefined ? {} : { patch_path }),
  };
  return {
    ...rest,
    given: given.map((g) => ({ input: g.input, ...fixtureToDbt(g.fixture) })),
    expect: fixtureToDbt(expect),
    config: { ...config, meta: { ...config.meta, floe } },
    checksum: checksum.checksum,
  };
}

function fixtureToDbt(fixture: UnitTestRows): Json {
  return { format: fixture.format, rows: fixture.rows };
}

function unitTestFromDbt(dbt: Json): UnitTestNode {
  const {
    given,
    expect,
    config,
    checksum: _checksum,
    ...rest
  } = dbt as Json & {
    given: { input: string; format: UnitTestRows["format"]; rows: unknown }[];
    expect: { format: UnitTestRows["format"]; rows: unknown };
    config: Json & { meta: Json & { floe: Json & { given_nodes: string[] } } };
  };
  const { floe, ...meta } = config.meta;
  const { given_nodes, ...fields } = floe;
  return {
    ...rest,
    ...fields,
    config: { ...config, meta },
    given: given.map((g, i) => ({
      input: g.input,
      node: given_nodes[i] ?? "",
      fixture: { format: g.format, rows: g.rows } as UnitTestRows,
    })),
    expect: { format: expect.format, rows: expect.rows } as UnitTestRows,
  } as unknown as UnitTestNode;
}

/** The in-memory manifest from a manifest.json Floe wrote (see `isFloeManifest`). */
export function fromDbtManifest(json: Json): Manifest {
  const metadata = json.metadata as Json;
  const env = (metadata.env ?? {}) as Record<string, string>;
  return {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    metadata: {
      floe_version: env.FLOE_VERSION ?? "",
      generated_at: String(metadata.generated_at),
      project_name: String(metadata.project_name),
      target_name: env.FLOE_TARGET ?? "",
      adapter_type: "trino",
    },
    nodes: mapValues(
      json.nodes as Record<string, Json>,
      (n) => fromDbt(n, NODE_DERIVED) as unknown as ManifestNode,
    ),
    // dbt's source `name` is the table's; Floe's (`source.table`) is back from meta.floe.
    sources: mapValues(
      json.sources as Record<string, Json>,
      (s) => ({ ...fromDbt(s, SOURCE_DERIVED), table_name: s.name }) as unknown as SourceNode,
    ),
    macros: mapValues(
      json.macros as Record<string, Json>,
      (m) => fromDbt(m, MACRO_DERIVED) as unknown as MacroNode,
    ),
    unit_tests: mapValues((json.unit_tests ?? {}) as Record<string, Json>, unitTestFromDbt),
    // A project without docs blocks has no `docs` in memory (dbt's file always has the key).
    ...(json.docs && Object.keys(json.docs).length > 0 ? { docs: json.docs as Manifest["docs"] } : {}),
    parent_map: json.parent_map as Manifest["parent_map"],
    child_map: json.child_map as Manifest["child_map"],
  };
}

/** Whether every node of a manifest.json carries Floe's part (`meta.floe`): dbt's own manifests do not. */
export function isFloeManifest(json: unknown): json is Json {
  if (typeof json !== "object" || json === null) return false;
  const { metadata, nodes } = json as Json;
  if ((metadata as Json | undefined)?.dbt_schema_version !== DBT_MANIFEST_SCHEMA_URL) return false;
  return Object.values((nodes ?? {}) as Record<string, Json>).every(
    (n) => typeof (n.meta as Json | undefined)?.floe === "object",
  );
}

function fromDbt(dbt: Json, derived: readonly string[]): Json {
  const out: Json = { ...dbt };
  for (const key of derived) delete out[key];
  return Object.assign(out, (dbt.meta as Json).floe as Json);
}

function metaOf(config: unknown): Json {
  const meta = (config as { meta?: unknown } | undefined)?.meta;
  return typeof meta === "object" && meta !== null ? (meta as Json) : {};
}

function mapValues<T, U>(record: Readonly<Record<string, T>>, map: (value: T) => U): Record<string, U> {
  const out: Record<string, U> = {};
  for (const key in record) out[key] = map(record[key] as T);
  return out;
}
