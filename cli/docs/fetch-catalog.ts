import type { TrinoConnection } from "../../trino/connection.js";
import { informationSchema, quoteRelation, quoteString } from "../../trino/dialect.js";
import { TrinoQueryError } from "../../trino/errors.js";
import type { Manifest } from "../manifest/manifest.js";
import {
  buildCatalog,
  type Catalog,
  type ColumnRow,
  catalogTargets,
  relationKey,
  type TableRow,
  type TableStats,
} from "./catalog.js";

/**
 * The I/O half of `floe docs generate`'s catalog: per Trino catalog, one query on
 * information_schema.tables and one on information_schema.columns, filtered to the project's schemas and
 * table names (so a big warehouse is not listed: dbt-trino's catalog took ~10 min on 3000 tables). Stats
 * only where cheap: Iceberg keeps totals in each snapshot's summary, one small metadata query per table.
 * A catalog that fails (missing, no permission) becomes an entry in `errors`, not a crash.
 */
export async function fetchCatalog(input: {
  readonly manifest: Manifest;
  readonly ids: readonly string[];
  readonly connection: TrinoConnection;
  readonly threads: number;
  readonly generatedAt: string;
  readonly signal?: AbortSignal;
}): Promise<Catalog> {
  const { connection, signal } = input;
  const options = signal ? { signal } : {};
  const { tables, columns, errors, connectors } = await listRelations(
    input.manifest,
    input.ids,
    connection,
    options,
    true,
  );
  const icebergTables = tables.filter(
    (t) => connectors.get(t.table_catalog.toLowerCase()) === "iceberg" && t.table_type === "BASE TABLE",
  );
  const stats = new Map<string, TableStats>();
  let next = 0;
  const worker = async () => {
    while (next < icebergTables.length && !signal?.aborted) {
      const t = icebergTables[next++]!;
      const found = await icebergStats(connection, t, options);
      if (found)
        stats.set(
          relationKey({ catalog: t.table_catalog, schema: t.table_schema, identifier: t.table_name }),
          found,
        );
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, input.threads) }, worker));
  return buildCatalog({
    manifest: input.manifest,
    ids: input.ids,
    tables,
    columns,
    stats,
    errors,
    generatedAt: input.generatedAt,
  });
}

/**
 * The project's relations that exist (information_schema.tables) and, when asked, their columns: one or
 * two queries per Trino catalog, filtered to the project's schemas and table names.
 */
export async function listRelations(
  manifest: Manifest,
  ids: readonly string[],
  connection: TrinoConnection,
  options: { signal?: AbortSignal },
  withColumns: boolean,
): Promise<{ tables: TableRow[]; columns: ColumnRow[]; errors: string[]; connectors: Map<string, string> }> {
  const tables: TableRow[] = [];
  const columns: ColumnRow[] = [];
  const errors: string[] = [];
  const targets = catalogTargets(manifest, ids);
  const connectors = await catalogConnectors(connection, [...targets.keys()], options);
  for (const [catalog, { schemas, tables: names }] of targets) {
    if (!connectors.has(catalog)) {
      errors.push(`catalog '${catalog}' does not exist in Trino`);
      continue;
    }
    const where = `WHERE table_schema IN (${[...schemas].map(quoteString).join(", ")}) AND table_name IN (${[...names].map(quoteString).join(", ")})`;
    try {
      const t = await connection.query<TableRow>(
        `SELECT table_catalog, table_schema, table_name, table_type FROM ${informationSchema(catalog, "tables")} ${where}`,
        options,
      );
      tables.push(...t.rows);
      if (withColumns) {
        const c = await connection.query<ColumnRow>(
          `SELECT table_catalog, table_schema, table_name, column_name, ordinal_position, data_type FROM ${informationSchema(catalog, "columns")} ${where}`,
          options,
        );
        columns.push(...c.rows);
      }
    } catch (error) {
      if (!(error instanceof TrinoQueryError)) throw error;
      errors.push(`catalog '${catalog}': ${error.message}`);
    }
  }
  return { tables, columns, errors, connectors };
}

/** catalog name → connector name, for the catalogs asked about that exist. */
async function catalogConnectors(
  connection: TrinoConnection,
  catalogs: readonly string[],
  options: { signal?: AbortSignal },
): Promise<Map<string, string>> {
  if (catalogs.length === 0) return new Map();
  const result = await connection.query<{ catalog_name: string; connector_name: string }>(
    `SELECT catalog_name, connector_name FROM system.metadata.catalogs WHERE catalog_name IN (${catalogs.map(quoteString).join(", ")})`,
    options,
  );
  return new Map(result.rows.map((r) => [r.catalog_name.toLowerCase(), r.connector_name]));
}

async function icebergStats(
  connection: TrinoConnection,
  table: TableRow,
  options: { signal?: AbortSignal },
): Promise<TableStats | undefined> {
  // Iceberg's metadata table `<table>$snapshots`, named like a table of the same schema.
  const snapshots = quoteRelation({
    catalog: table.table_catalog,
    schema: table.table_schema,
    identifier: `${table.table_name}$snapshots`,
  });
  try {
    const result = await connection.query<{
      rows: string | null;
      bytes: string | null;
      files: string | null;
    }>(
      `SELECT summary['total-records'] AS rows, summary['total-files-size'] AS bytes, summary['total-data-files'] AS files FROM ${snapshots} ORDER BY committed_at DESC LIMIT 1`,
      options,
    );
    const row = result.rows[0];
    // No snapshot yet (created, never written): an empty table.
    if (!row) return { rowCount: 0, bytes: 0, dataFiles: 0 };
    const num = (v: string | null) => (v === null || v === undefined ? undefined : Number(v));
    const out: { rowCount?: number; bytes?: number; dataFiles?: number } = {};
    const rowCount = num(row.rows);
    const bytes = num(row.bytes);
    const dataFiles = num(row.files);
    if (rowCount !== undefined) out.rowCount = rowCount;
    if (bytes !== undefined) out.bytes = bytes;
    if (dataFiles !== undefined) out.dataFiles = dataFiles;
    return out;
  } catch (error) {
    if (error instanceof TrinoQueryError) return undefined;
    throw error;
  }
}
