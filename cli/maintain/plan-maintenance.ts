import { durationSeconds, firstDayKept } from "../../core/duration.js";
import { quoteIdentifier, quoteRelation, quoteString, type Relation } from "../../trino/dialect.js";
import type { MaintenanceConfig, ModelConfig, RetentionConfig, SeedConfig } from "../manifest/config.js";
import type { ModelNode, SeedNode } from "../manifest/manifest.js";

/** Trino's spelling of a duration (`'86400s'`): it has no week or year unit. The config schema checked it. */
const trinoDuration = (text: string) => `${durationSeconds(text) ?? 0}s`;

/**
 * `floe maintain` as data: for each selected Iceberg table, the statements that keep it healthy and within
 * its retention, built purely from the manifest, the config and the clock. The runner executes them in
 * order (or, with `--dry-run`, only the read-only queries that say what they would do).
 */

/**
 * Defaults for a table written every minute (seed 004): small files merged below 128 MB; a day of
 * snapshots kept (time travel and `floe retry` of the last day's builds keep working; ~1,440 snapshots at
 * one write a minute); files no snapshot references removed once a day old (older than any write in flight);
 * rows kept two years (seed 000: curated data 2 years).
 */
export const MAINTENANCE_DEFAULTS = {
  fileSizeThreshold: "128MB",
  snapshotRetention: "1d",
  orphanRetention: "1d",
  retentionPeriod: "2y",
} as const;

export type MaintenanceStep =
  | { readonly kind: "retention"; readonly sql: string; readonly column: string; readonly cutoff: string }
  | { readonly kind: "optimize"; readonly sql: string; readonly fileSizeThreshold: string }
  | { readonly kind: "expire_snapshots"; readonly sql: string; readonly retention: string }
  | { readonly kind: "remove_orphan_files"; readonly sql: string; readonly retention: string };

export interface TableMaintenance {
  readonly uniqueId: string;
  readonly relation: Relation;
  /** In execution order: retention first (whole partitions drop as metadata), then compaction, then cleanup. */
  readonly steps: readonly MaintenanceStep[];
  /** Why a part was left out (no retention column, a procedure turned off), for the log. */
  readonly notes: readonly string[];
}

export interface MaintenancePlan {
  readonly tables: readonly TableMaintenance[];
  /** Selected nodes that are not tables (views, ephemerals) or have maintenance off, with the reason. */
  readonly skipped: readonly { readonly uniqueId: string; readonly reason: string }[];
}

type TableNode = ModelNode | SeedNode;

const TABLE_MATERIALIZATIONS = new Set(["table", "incremental", "seed"]);

export function planMaintenance(nodes: readonly TableNode[], now: Date): MaintenancePlan {
  const tables: TableMaintenance[] = [];
  const skipped: { uniqueId: string; reason: string }[] = [];
  for (const node of nodes) {
    const config = node.config as ModelConfig | SeedConfig;
    if (!TABLE_MATERIALIZATIONS.has(config.materialized)) {
      skipped.push({
        uniqueId: node.unique_id,
        reason: `materialized as ${config.materialized}, not a table`,
      });
      continue;
    }
    if (config.maintenance?.enabled === false && config.retention?.enabled === false) {
      skipped.push({ uniqueId: node.unique_id, reason: "maintenance: false and retention: false" });
      continue;
    }
    tables.push(planTable(node, config, now));
  }
  return { tables, skipped };
}

function planTable(node: TableNode, config: ModelConfig | SeedConfig, now: Date): TableMaintenance {
  const relation = node.relation;
  const table = quoteRelation(relation);
  const steps: MaintenanceStep[] = [];
  const notes: string[] = [];
  const retention = retentionStep(table, config.retention, config.partitioned_by, now);
  if (typeof retention === "string") notes.push(retention);
  else steps.push(retention);
  const maintenance: MaintenanceConfig = config.maintenance ?? {};
  if (maintenance.enabled === false) {
    notes.push("maintenance: false");
    return { uniqueId: node.unique_id, relation, steps, notes };
  }
  if (maintenance.optimize?.enabled === false) notes.push("optimize: false");
  else {
    const threshold = maintenance.optimize?.file_size_threshold ?? MAINTENANCE_DEFAULTS.fileSizeThreshold;
    steps.push({
      kind: "optimize",
      sql: `ALTER TABLE ${table} EXECUTE optimize(file_size_threshold => ${quoteString(threshold.replace(/\s+/g, ""))})`,
      fileSizeThreshold: threshold,
    });
  }
  if (maintenance.expire_snapshots?.enabled === false) notes.push("expire_snapshots: false");
  else {
    const retention =
      maintenance.expire_snapshots?.retention_threshold ?? MAINTENANCE_DEFAULTS.snapshotRetention;
    steps.push({
      kind: "expire_snapshots",
      sql: `ALTER TABLE ${table} EXECUTE expire_snapshots(retention_threshold => ${quoteString(trinoDuration(retention))})`,
      retention,
    });
  }
  if (maintenance.remove_orphan_files?.enabled === false) notes.push("remove_orphan_files: false");
  else {
    const retention =
      maintenance.remove_orphan_files?.retention_threshold ?? MAINTENANCE_DEFAULTS.orphanRetention;
    steps.push({
      kind: "remove_orphan_files",
      sql: `ALTER TABLE ${table} EXECUTE remove_orphan_files(retention_threshold => ${quoteString(trinoDuration(retention))})`,
      retention,
    });
  }
  return { uniqueId: node.unique_id, relation, steps, notes };
}

/** A time-partitioned column: `day(order_date)`, `month(ts)`, … → the column. */
const TIME_TRANSFORM = /^\s*(year|month|day|hour)\s*\(\s*"?([A-Za-z_][A-Za-z0-9_]*)"?\s*\)\s*$/i;

/** The retention DELETE, or why there is none. */
function retentionStep(
  table: string,
  retention: RetentionConfig | undefined,
  partitionedBy: readonly string[],
  now: Date,
): MaintenanceStep | string {
  if (retention?.enabled === false) return "retention: false";
  const column =
    retention?.column ??
    partitionedBy.map((p) => TIME_TRANSFORM.exec(p)?.[2]).find((c): c is string => c !== undefined);
  if (!column) {
    return "no retention column: set retention: {column: <date or timestamp column>} or partition by day(<column>)";
  }
  const period = retention?.period ?? MAINTENANCE_DEFAULTS.retentionPeriod;
  const cutoff = firstDayKept(now, durationSeconds(period) ?? 0);
  return {
    kind: "retention",
    sql: `DELETE FROM ${table} WHERE ${quoteIdentifier(column)} < DATE ${quoteString(cutoff)}`,
    column,
    cutoff,
  };
}

/** Read-only queries for the log and `--dry-run`: files per partition, snapshots, rows past retention. */
export function statsSql(relation: Relation): string {
  const partitions = quoteRelation({ ...relation, identifier: `${relation.identifier}$partitions` });
  return `SELECT count(*) AS partitions, coalesce(sum(file_count), 0) AS files, coalesce(max(file_count), 0) AS max_files FROM ${partitions}`;
}

export function snapshotsSql(relation: Relation, retention: string): string {
  const snapshots = quoteRelation({ ...relation, identifier: `${relation.identifier}$snapshots` });
  return (
    `SELECT count(*) AS snapshots, count_if(committed_at < current_timestamp - parse_duration(${quoteString(trinoDuration(retention))})) AS expirable ` +
    `FROM ${snapshots}`
  );
}

export function retentionCountSql(
  step: Extract<MaintenanceStep, { kind: "retention" }>,
  relation: Relation,
): string {
  return `SELECT count(*) AS rows FROM ${quoteRelation(relation)} WHERE ${quoteIdentifier(step.column)} < DATE ${quoteString(step.cutoff)}`;
}
