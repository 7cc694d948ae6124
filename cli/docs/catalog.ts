import { type Manifest, type Relation, relationOf } from "../manifest/manifest.js";

/**
 * `target/catalog.json` in dbt's shape: for every model, seed and source whose relation exists, its
 * `metadata` (type, catalog/schema/name), `columns` (name, type, index from Trino's
 * information_schema.columns) and `stats` (row count and size where the connector keeps them cheaply).
 * A relation that does not exist yet is simply absent, as in dbt; the docs site shows it as "not built".
 * Pure: the rows come from `fetch-catalog.ts`.
 */
export const CATALOG_SCHEMA_VERSION = 1;

export interface ColumnRow {
  readonly table_catalog: string;
  readonly table_schema: string;
  readonly table_name: string;
  readonly column_name: string;
  readonly ordinal_position: number;
  readonly data_type: string;
}

export interface TableRow {
  readonly table_catalog: string;
  readonly table_schema: string;
  readonly table_name: string;
  readonly table_type: string;
}

export interface TableStats {
  readonly rowCount?: number;
  readonly bytes?: number;
  readonly dataFiles?: number;
}

export interface CatalogColumn {
  readonly type: string;
  readonly index: number;
  readonly name: string;
  readonly comment: null;
}

export interface CatalogStat {
  readonly id: string;
  readonly label: string;
  readonly value: number | boolean;
  readonly include: boolean;
  readonly description: string;
}

export interface CatalogTable {
  readonly unique_id: string;
  readonly metadata: {
    readonly type: string;
    readonly database: string;
    readonly schema: string;
    readonly name: string;
    readonly comment: null;
    readonly owner: null;
  };
  readonly columns: Record<string, CatalogColumn>;
  readonly stats: Record<string, CatalogStat>;
}

export interface Catalog {
  readonly schemaVersion: typeof CATALOG_SCHEMA_VERSION;
  readonly metadata: { floe_version: string; generated_at: string; adapter_type: "trino" };
  readonly nodes: Record<string, CatalogTable>;
  readonly sources: Record<string, CatalogTable>;
  readonly errors: string[] | null;
}

/** Trino folds unquoted names to lower case; information_schema answers in lower case. */
export function relationKey(r: Pick<Relation, "catalog" | "schema" | "identifier">): string {
  return `${r.catalog}\u0000${r.schema}\u0000${r.identifier}`.toLowerCase();
}

/** The relations to look up: models (not ephemeral), seeds and sources among `ids`, grouped by catalog. */
export function catalogTargets(
  manifest: Manifest,
  ids: Iterable<string>,
): Map<string, { readonly schemas: Set<string>; readonly tables: Set<string> }> {
  const byCatalog = new Map<string, { schemas: Set<string>; tables: Set<string> }>();
  for (const id of ids) {
    const node = manifest.nodes[id] ?? manifest.sources[id];
    const relation = relationOf(node);
    if (!relation) continue;
    const catalog = relation.catalog.toLowerCase();
    const entry = byCatalog.get(catalog) ?? { schemas: new Set<string>(), tables: new Set<string>() };
    entry.schemas.add(relation.schema.toLowerCase());
    entry.tables.add(relation.identifier.toLowerCase());
    byCatalog.set(catalog, entry);
  }
  return byCatalog;
}

export function buildCatalog(input: {
  readonly manifest: Manifest;
  readonly ids: Iterable<string>;
  readonly tables: readonly TableRow[];
  readonly columns: readonly ColumnRow[];
  readonly stats?: ReadonlyMap<string, TableStats>;
  readonly errors?: readonly string[];
  readonly generatedAt: string;
}): Catalog {
  const types = new Map(input.tables.map((t) => [relationKey(rowRelation(t)), t.table_type]));
  const columnsOf = new Map<string, ColumnRow[]>();
  for (const c of input.columns) {
    const key = relationKey(rowRelation(c));
    const list = columnsOf.get(key);
    if (list) list.push(c);
    else columnsOf.set(key, [c]);
  }
  const nodes: Record<string, CatalogTable> = {};
  const sources: Record<string, CatalogTable> = {};
  for (const id of input.ids) {
    const node = input.manifest.nodes[id] ?? input.manifest.sources[id];
    const relation = relationOf(node);
    if (!node || !relation) continue;
    const key = relationKey(relation);
    const type = types.get(key);
    const cols = columnsOf.get(key);
    if (type === undefined && cols === undefined) continue;
    const table: CatalogTable = {
      unique_id: id,
      metadata: {
        type: type ?? "BASE TABLE",
        database: relation.catalog,
        schema: relation.schema,
        name: relation.identifier,
        comment: null,
        owner: null,
      },
      columns: Object.fromEntries(
        [...(cols ?? [])]
          .sort((a, b) => Number(a.ordinal_position) - Number(b.ordinal_position))
          .map((c) => [
            c.column_name,
            { type: c.data_type, index: Number(c.ordinal_position), name: c.column_name, comment: null },
          ]),
      ),
      stats: statsJson(input.stats?.get(key)),
    };
    if (node.resource_type === "source") sources[id] = table;
    else nodes[id] = table;
  }
  return {
    schemaVersion: CATALOG_SCHEMA_VERSION,
    metadata: { floe_version: "0.1.0", generated_at: input.generatedAt, adapter_type: "trino" },
    nodes,
    sources,
    errors: input.errors && input.errors.length > 0 ? [...input.errors] : null,
  };
}

function rowRelation(row: { table_catalog: string; table_schema: string; table_name: string }) {
  return { catalog: row.table_catalog, schema: row.table_schema, identifier: row.table_name };
}

function statsJson(stats: TableStats | undefined): Record<string, CatalogStat> {
  const out: Record<string, CatalogStat> = {};
  const add = (id: string, label: string, value: number | undefined, description: string) => {
    if (value !== undefined) out[id] = { id, label, value, include: true, description };
  };
  add("row_count", "Row Count", stats?.rowCount, "Rows in the current Iceberg snapshot.");
  add("bytes", "Approximate Size", stats?.bytes, "Bytes of data files in the current snapshot.");
  add("data_files", "Data Files", stats?.dataFiles, "Data files in the current snapshot.");
  out.has_stats = {
    id: "has_stats",
    label: "Has Stats?",
    value: Object.keys(out).length > 0,
    include: false,
    description: "Whether the connector reported any statistics for this relation.",
  };
  return out;
}

/** An empty catalog, for `--empty-catalog` (no engine queried). */
export function emptyCatalog(generatedAt: string): Catalog {
  return {
    schemaVersion: CATALOG_SCHEMA_VERSION,
    metadata: { floe_version: "0.1.0", generated_at: generatedAt, adapter_type: "trino" },
    nodes: {},
    sources: {},
    errors: null,
  };
}
