import { quoteIdentifier, quoteRelation, quoteSchema, quoteString } from "../../trino/dialect.js";
import { keyMatch } from "./key-match.js";
import { slicePredicate } from "./microbatch.js";
import { snapshotMerge } from "./snapshot-sql.js";
import type { Plan, RelationType, Source, Step, TableProperties } from "./steps.js";

/** One statement, and where the model's own SQL starts in it (1-based line), to map Trino's positions. */
export interface RenderedStep {
  readonly sql: string;
  readonly bodyLine: number | undefined;
}

const DROP_KEYWORD: Record<RelationType, string> = {
  table: "TABLE",
  view: "VIEW",
  materialized_view: "MATERIALIZED VIEW",
};

export const DEST = "DBT_INTERNAL_DEST";
export const SRC = "DBT_INTERNAL_SOURCE";

/** Pure: a step → the SQL statement Trino runs. The only place plan steps become SQL. */
export function renderStep(step: Step): RenderedStep {
  switch (step.kind) {
    case "create-schema":
      return plain(
        `CREATE SCHEMA IF NOT EXISTS ${quoteSchema(step)}` +
          (step.location === undefined ? "" : ` WITH (location = ${quoteString(step.location)})`),
      );
    case "create-view":
      return withBody(`CREATE OR REPLACE VIEW ${quoteRelation(step.relation)} AS\n`, step.sql, "");
    case "create-table-as": {
      const head = `CREATE ${step.replace ? "OR REPLACE " : ""}TABLE ${quoteRelation(step.relation)}${withClause(step.properties)} AS\n`;
      if (step.where !== undefined && step.columns === undefined) {
        return source(`${head}SELECT * FROM `, step.source, ` AS ${SRC}\nWHERE ${step.where}`);
      }
      if (step.columns === undefined) return source(head, step.source, "", true);
      const select = step.columns
        .map((c) => `CAST(${quoteIdentifier(c.name)} AS ${c.type}) AS ${quoteIdentifier(c.name)}`)
        .join(", ");
      const where = step.where === undefined ? "" : `\nWHERE ${step.where}`;
      return source(`${head}SELECT ${select}\nFROM `, step.source, ` AS ${SRC}${where}`);
    }
    case "create-table":
      return plain(
        `CREATE ${step.replace ? "OR REPLACE " : ""}TABLE ${quoteRelation(step.relation)} (\n  ${step.columns
          .map((c) => `${quoteIdentifier(c.name)} ${c.type}${c.notNull ? " NOT NULL" : ""}`)
          .join(",\n  ")}\n)${withClause(step.properties)}`,
      );
    case "drop-relation":
      return plain(`DROP ${DROP_KEYWORD[step.relationType]} IF EXISTS ${quoteRelation(step.relation)}`);
    case "create-materialized-view":
      return withBody(
        `CREATE ${step.replace ? "OR REPLACE " : ""}MATERIALIZED VIEW ${quoteRelation(step.relation)}` +
          (step.gracePeriod === undefined ? "" : `\nGRACE PERIOD ${step.gracePeriod.trim()}`) +
          `\nCOMMENT ${quoteString(step.comment)} AS\n`,
        step.sql,
        "",
      );
    case "refresh-materialized-view":
      return plain(`REFRESH MATERIALIZED VIEW ${quoteRelation(step.relation)}`);
    case "snapshot-merge":
      return plain(snapshotMerge(step.spec));
    case "hook":
      return plain(step.sql.replace(/[\s;]+$/, ""));
    case "insert": {
      const cols = columnList(step.columns);
      return source(
        `INSERT INTO ${quoteRelation(step.target)} (${cols})\nSELECT ${cols}\nFROM `,
        step.source,
        ` AS ${SRC}`,
      );
    }
    case "merge": {
      const on = [...step.keys.map((k) => keyMatch(DEST, SRC, k)), ...step.predicates.map((p) => `(${p})`)];
      const update =
        step.updateColumns.length === 0
          ? ""
          : `\nWHEN MATCHED THEN UPDATE SET ${step.updateColumns
              .map((c) => `${quoteIdentifier(c)} = ${SRC}.${quoteIdentifier(c)}`)
              .join(", ")}`;
      const tail =
        `) AS ${SRC}\nON ${on.join("\n  AND ")}${update}\nWHEN NOT MATCHED THEN INSERT (${columnList(step.insertColumns)})` +
        `\n  VALUES (${step.insertColumns.map((c) => `${SRC}.${quoteIdentifier(c)}`).join(", ")})`;
      return source(
        `MERGE INTO ${quoteRelation(step.target)} AS ${DEST}\nUSING (SELECT * FROM `,
        step.source,
        tail,
      );
    }
    case "delete-insert":
      return renderDeleteInsert(step);
    case "replace-slice":
      return renderReplaceSlice(step);
    case "add-column":
      return plain(
        `ALTER TABLE ${quoteRelation(step.relation)} ADD COLUMN ${quoteIdentifier(step.column.name)} ${step.column.type}`,
      );
    case "drop-column":
      return plain(`ALTER TABLE ${quoteRelation(step.relation)} DROP COLUMN ${quoteIdentifier(step.column)}`);
    case "set-column-type":
      return plain(
        `ALTER TABLE ${quoteRelation(step.relation)} ALTER COLUMN ${quoteIdentifier(step.column.name)} SET DATA TYPE ${step.column.type}`,
      );
    case "comment-relation":
      // Trino refuses COMMENT ON TABLE for a view ("did you mean COMMENT ON VIEW").
      return plain(
        `COMMENT ON ${step.relationType === "view" ? "VIEW" : "TABLE"} ${quoteRelation(step.relation)} IS ${commentText(step.comment)}`,
      );
    case "comment-column":
      return plain(
        `COMMENT ON COLUMN ${quoteRelation(step.relation)}.${quoteIdentifier(step.column)} IS ${commentText(step.comment)}`,
      );
  }
}

/** A description as a string literal (quotes doubled; newlines kept, Trino stores them), or NULL. */
function commentText(comment: string | null): string {
  return comment === null ? "NULL" : quoteString(comment);
}

/**
 * delete+insert in one MERGE: the source is the new rows (tagged 'insert', which never match) plus the
 * distinct keys (tagged 'delete', which match and delete every target row with that key). Same result as
 * DELETE ... WHERE key IN (...) followed by INSERT, but a single Iceberg commit: all or nothing.
 */
function renderDeleteInsert(step: Extract<Step, { kind: "delete-insert" }>): RenderedStep {
  const cols = columnList(step.columns);
  const keys = columnList(step.keys.map((k) => k.name));
  const keyCols = new Set(step.keys.map((k) => k.name));
  const deleteRowCols = step.columns.map((c) =>
    keyCols.has(c) ? quoteIdentifier(c) : `NULL AS ${quoteIdentifier(c)}`,
  );
  const on = [
    `${SRC}.floe_op = 'delete'`,
    ...step.keys.map((k) => keyMatch(DEST, SRC, k)),
    ...step.predicates.map((p) => `(${p})`),
  ];
  const head =
    `MERGE INTO ${quoteRelation(step.target)} AS ${DEST}\nUSING (\n` +
    `  WITH floe_new AS (SELECT ${cols} FROM `;
  const tail =
    ` AS ${SRC})\n` +
    `  SELECT 'insert' AS floe_op, ${cols} FROM floe_new\n` +
    `  UNION ALL\n` +
    `  SELECT 'delete' AS floe_op, ${deleteRowCols.join(", ")} FROM (SELECT DISTINCT ${keys} FROM floe_new)\n` +
    `) AS ${SRC}\nON ${on.join("\n  AND ")}\nWHEN MATCHED THEN DELETE\n` +
    `WHEN NOT MATCHED AND ${SRC}.floe_op = 'insert' THEN INSERT (${cols})\n` +
    `  VALUES (${step.columns.map((c) => `${SRC}.${quoteIdentifier(c)}`).join(", ")})`;
  return source(head, step.source, tail);
}

/**
 * A microbatch's slice replaced in one MERGE: the source's rows in the slice (tagged 'insert', which never
 * match) plus ONE 'delete' row that matches every target row in the slice. Trino's MERGE has no WHEN NOT
 * MATCHED BY SOURCE, and DELETE then INSERT would be two commits (a reader, or a failure between them, sees
 * the slice empty); this is one commit, all or nothing. Source rows outside the slice are left out, so a
 * batch never writes into another batch's slice (a join to an unfiltered input can produce them).
 */
function renderReplaceSlice(step: Extract<Step, { kind: "replace-slice" }>): RenderedStep {
  const cols = columnList(step.columns);
  const nulls = step.columns.map((c) => `NULL AS ${quoteIdentifier(c)}`).join(", ");
  const head =
    `MERGE INTO ${quoteRelation(step.target)} AS ${DEST}\nUSING (\n` +
    `  SELECT 'insert' AS floe_op, ${cols} FROM `;
  const tail =
    ` AS ${SRC}\n  WHERE ${slicePredicate(step.eventTime, step.batch, SRC)}\n` +
    `  UNION ALL\n` +
    `  SELECT 'delete' AS floe_op, ${nulls}\n` +
    `) AS ${SRC}\nON ${SRC}.floe_op = 'delete'\n  AND ${slicePredicate(step.eventTime, step.batch, DEST)}\n` +
    `WHEN MATCHED THEN DELETE\n` +
    `WHEN NOT MATCHED AND ${SRC}.floe_op = 'insert' THEN INSERT (${cols})\n` +
    `  VALUES (${step.columns.map((c) => `${SRC}.${quoteIdentifier(c)}`).join(", ")})`;
  return source(head, step.source, tail);
}

function plain(sql: string): RenderedStep {
  return { sql, bodyLine: undefined };
}

/** `head` + the model SQL on lines of its own + `tail`; records the line where the model SQL starts. */
function withBody(head: string, body: string, tail: string): RenderedStep {
  const prefix = head.endsWith("\n") ? head : `${head}\n`;
  return { sql: `${prefix}${body}${tail === "" ? "" : `\n${tail}`}`, bodyLine: lineCount(prefix) + 1 };
}

function source(head: string, src: Source, tail: string, bare = false): RenderedStep {
  if (src.kind === "relation") {
    const rel = quoteRelation(src.relation);
    return plain(bare ? `${head}SELECT * FROM ${rel}` : `${head}${rel}${tail}`);
  }
  if (src.kind === "values") {
    const select = valuesSelect(src);
    return plain(bare ? `${head}${select}` : `${head}(\n${select}\n)${tail}`);
  }
  if (bare) return withBody(head, src.sql, tail);
  return withBody(`${head}(\n`, src.sql, `)${tail}`);
}

function lineCount(text: string): number {
  let n = 0;
  for (const ch of text) if (ch === "\n") n++;
  return n;
}

function columnList(columns: readonly string[]): string {
  return columns.map(quoteIdentifier).join(", ");
}

function withClause(properties: TableProperties): string {
  if (properties.length === 0) return "";
  return `\nWITH (\n  ${properties.map(([k, v]) => `${k} = ${v}`).join(",\n  ")}\n)`;
}

function valuesSelect(src: Extract<Source, { kind: "values" }>): string {
  const names = src.columns.map((c) => quoteIdentifier(c.name));
  const casts = src.columns.map((c, i) => `CAST(${names[i]} AS ${c.type}) AS ${names[i]}`);
  const rows = src.rows
    .map((row) => `  (${row.map((v) => (v === null ? "CAST(NULL AS varchar)" : quoteString(v))).join(", ")})`)
    .join(",\n");
  return `SELECT ${casts.join(", ")}\nFROM (VALUES\n${rows}\n) AS floe_values (${names.join(", ")})`;
}

/** A whole plan as one SQL script (what `target/run/` holds). */
export function renderPlanSql(plan: Plan): string {
  const main = plan.steps.map((s) => `${renderStep(s).sql};`);
  const cleanup = plan.cleanup.map((s) => `${renderStep(s).sql};`);
  const all = [...main, ...(cleanup.length > 0 ? ["-- cleanup (always runs)", ...cleanup] : [])];
  return `${all.join("\n\n")}\n`;
}
