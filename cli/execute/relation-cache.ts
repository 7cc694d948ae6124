import { informationSchema, quoteString, type Relation } from "../../trino/dialect.js";
import type { RelationState } from "../plan/relation-state.js";
import type { ColumnDef, RelationType, Step } from "../plan/steps.js";
import type { NodeQueries } from "./node-queries.js";

/**
 * What exists in the warehouse, read from information_schema: the schemas and relations of a run are
 * fetched once up front (one query per catalog), and kept current as steps create and drop things, so a
 * 250-node run does not pay one metadata round trip per node. Columns are fetched per table, when an
 * incremental model needs them.
 */
export class RelationCache {
  /** `catalog.schema` → identifier → kind; present only for prefetched schemas. */
  private readonly schemas = new Map<string, Map<string, RelationType>>();
  /** `catalog.schema.identifier` → a materialized view's COMMENT. */
  private readonly viewComments = new Map<string, string>();
  /** `catalog.schema` whose contents are known (whether or not the schema exists). */
  private readonly known = new Set<string>();

  async prefetch(relations: readonly Relation[], q: NodeQueries): Promise<void> {
    const byCatalog = new Map<string, Set<string>>();
    for (const r of relations) {
      const set = byCatalog.get(r.catalog) ?? new Set<string>();
      set.add(r.schema.toLowerCase());
      byCatalog.set(r.catalog, set);
    }
    for (const [catalog, schemas] of byCatalog) {
      const list = [...schemas].map(quoteString).join(", ");
      // information_schema lists a materialized view as a BASE TABLE: only this system table tells them apart.
      const [existing, tables, materialized] = await Promise.all([
        q.query<{ schema_name: string }>(
          `SELECT schema_name FROM ${informationSchema(catalog, "schemata")} WHERE schema_name IN (${list})`,
        ),
        q.query<{ table_schema: string; table_name: string; table_type: string }>(
          `SELECT table_schema, table_name, table_type FROM ${informationSchema(catalog, "tables")} WHERE table_schema IN (${list})`,
        ),
        q.query<{ schema_name: string; name: string; comment: string | null }>(
          `SELECT schema_name, name, comment FROM system.metadata.materialized_views WHERE catalog_name = ${quoteString(catalog)} AND schema_name IN (${list})`,
        ),
      ]);
      for (const { schema_name } of existing.rows) this.schemas.set(key(catalog, schema_name), new Map());
      for (const t of tables.rows) {
        const map = this.schemas.get(key(catalog, t.table_schema)) ?? new Map();
        map.set(t.table_name.toLowerCase(), t.table_type === "VIEW" ? "view" : "table");
        this.schemas.set(key(catalog, t.table_schema), map);
      }
      for (const mv of materialized.rows) {
        this.schemas.get(key(catalog, mv.schema_name))?.set(mv.name.toLowerCase(), "materialized_view");
        this.viewComments.set(`${key(catalog, mv.schema_name)}.${mv.name.toLowerCase()}`, mv.comment ?? "");
      }
      for (const schema of schemas) this.known.add(key(catalog, schema));
    }
  }

  /** The relation's state; `withColumns` also reads a table's columns (incremental runs). */
  async state(relation: Relation, q: NodeQueries, withColumns: boolean): Promise<RelationState> {
    if (!this.known.has(key(relation.catalog, relation.schema))) await this.prefetch([relation], q);
    const schema = this.schemas.get(key(relation.catalog, relation.schema));
    if (schema === undefined) return { kind: "absent", schemaExists: false };
    const kind = schema.get(relation.identifier.toLowerCase());
    if (kind === undefined) return { kind: "absent", schemaExists: true };
    if (kind === "view") return { kind: "view" };
    if (kind === "materialized_view") {
      const comment = this.viewComments.get(
        `${key(relation.catalog, relation.schema)}.${relation.identifier.toLowerCase()}`,
      );
      return { kind: "materialized_view", comment };
    }
    return { kind: "table", columns: withColumns ? await this.columns(relation, q) : undefined };
  }

  async columns(relation: Relation, q: NodeQueries): Promise<ColumnDef[]> {
    const result = await q.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM ${informationSchema(relation.catalog, "columns")} ` +
        `WHERE table_schema = ${quoteString(relation.schema.toLowerCase())} AND table_name = ${quoteString(relation.identifier.toLowerCase())} ORDER BY ordinal_position`,
    );
    return result.rows.map((r) => ({ name: r.column_name, type: r.data_type }));
  }

  /** Keeps the cache true after a step ran. */
  apply(step: Step): void {
    switch (step.kind) {
      case "create-schema": {
        const k = key(step.catalog, step.schema);
        if (!this.schemas.has(k)) this.schemas.set(k, new Map());
        this.known.add(k);
        return;
      }
      case "create-view":
        this.set(step.relation, "view");
        return;
      case "create-table":
      case "create-table-as":
        this.set(step.relation, "table");
        return;
      case "create-materialized-view":
        this.set(step.relation, "materialized_view");
        this.viewComments.set(
          `${key(step.relation.catalog, step.relation.schema)}.${step.relation.identifier.toLowerCase()}`,
          step.comment,
        );
        return;
      case "drop-relation":
        this.schemas
          .get(key(step.relation.catalog, step.relation.schema))
          ?.delete(step.relation.identifier.toLowerCase());
        return;
      case "insert":
      case "merge":
      case "delete-insert":
      case "replace-slice":
      case "add-column":
      case "drop-column":
      case "set-column-type":
      case "comment-relation":
      case "comment-column":
      case "refresh-materialized-view":
      case "snapshot-merge":
      case "hook":
        return;
    }
  }

  private set(relation: Relation, kind: RelationType): void {
    const k = key(relation.catalog, relation.schema);
    const map = this.schemas.get(k) ?? new Map();
    map.set(relation.identifier.toLowerCase(), kind);
    this.schemas.set(k, map);
    this.known.add(k);
  }
}

function key(catalog: string, schema: string): string {
  return `${catalog}.${schema.toLowerCase()}`;
}
