import { parquetWriteBuffer } from "hyparquet-writer";
import type { ColumnType, RawColumn, RawRow } from "./raw-schema.js";

/**
 * Encodes raw rows as one Parquet file in memory with hyparquet-writer (pure JS, snappy). Chosen over
 * parquetjs-lite and @duckdb/node-api by `bench/sink-libs.ts`; Trino 476 reads its files, including the
 * MAP and LIST<STRUCT> columns and UTC micro timestamps (checked by the integration tests).
 */

// hyparquet-writer's SchemaElement type; spelled locally so the schema stays plain data.
interface SchemaElement {
  name: string;
  type?: string;
  repetition_type?: "REQUIRED" | "OPTIONAL" | "REPEATED";
  converted_type?: string;
  logical_type?: Record<string, unknown>;
  num_children?: number;
}

const UTF8 = { type: "BYTE_ARRAY", converted_type: "UTF8" } as const;
const OPT = "OPTIONAL" as const;

function schemaElements(column: RawColumn): SchemaElement[] {
  const name = column.name;
  switch (column.type) {
    case "string":
      return [{ name, ...UTF8, repetition_type: OPT }];
    case "int":
      return [{ name, type: "INT32", repetition_type: OPT }];
    case "bigint":
      return [{ name, type: "INT64", repetition_type: OPT }];
    case "double":
      return [{ name, type: "DOUBLE", repetition_type: OPT }];
    case "boolean":
      return [{ name, type: "BOOLEAN", repetition_type: OPT }];
    case "timestamp":
      return [
        {
          name,
          type: "INT64",
          repetition_type: OPT,
          converted_type: "TIMESTAMP_MICROS",
          logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MICROS" },
        },
      ];
    case "map":
      return [
        { name, repetition_type: OPT, converted_type: "MAP", num_children: 1 },
        { name: "key_value", repetition_type: "REPEATED", num_children: 2 },
        { name: "key", ...UTF8, repetition_type: "REQUIRED" },
        { name: "value", ...UTF8, repetition_type: OPT },
      ];
    case "items":
      return [
        { name, repetition_type: OPT, converted_type: "LIST", num_children: 1 },
        { name: "list", repetition_type: "REPEATED", num_children: 1 },
        { name: "element", repetition_type: OPT, num_children: 3 },
        { name: "sku", ...UTF8, repetition_type: OPT },
        { name: "qty", type: "INT32", repetition_type: OPT },
        { name: "unit_price", type: "DOUBLE", repetition_type: OPT },
      ];
  }
}

function columnValue(type: ColumnType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (type === "bigint") return typeof value === "bigint" ? value : BigInt(value as number);
  return value;
}

export interface ParquetFileInput {
  readonly columns: readonly RawColumn[];
  readonly rows: readonly RawRow[];
  /** Written into the footer, e.g. the Kafka offset range, so a file explains where it came from. */
  readonly metadata?: Record<string, string>;
}

export function encodeParquet(input: ParquetFileInput): Uint8Array {
  const schema: SchemaElement[] = [{ name: "root", num_children: input.columns.length }];
  for (const column of input.columns) schema.push(...schemaElements(column));
  const columnData = input.columns.map((column) => ({
    name: column.name,
    data: input.rows.map((row) => columnValue(column.type, row[column.name])),
  }));
  const buffer = parquetWriteBuffer({
    columnData,
    // hyparquet-writer's own SchemaElement type is a wide union; ours is a structural subset of it.
    schema: schema as Parameters<typeof parquetWriteBuffer>[0]["schema"],
    rowGroupSize: 100_000,
    createdBy: "floe ingest sink (hyparquet-writer)",
    kvMetadata: Object.entries(input.metadata ?? {}).map(([key, value]) => ({ key, value })),
  });
  return new Uint8Array(buffer);
}
