import type { TrinoConnection } from "../../trino/connection.js";
import {
  type MaintenancePlan,
  type MaintenanceStep,
  retentionCountSql,
  snapshotsSql,
  statsSql,
  type TableMaintenance,
} from "./plan-maintenance.js";

/**
 * Runs a maintenance plan one table at a time (the procedures rewrite files: running them side by side on
 * two cores only slows the builds that share Trino). Each table's files and snapshots are read before and
 * after, so the log says what changed; a failing table is reported and the rest still run. `dryRun` runs
 * only the read-only queries and reports what each step would do.
 */

export type Query = Pick<TrinoConnection, "query">;

export interface TableStats {
  readonly partitions: number;
  readonly files: number;
  /** Data files in the fullest partition: what a reader of one partition opens. */
  readonly maxFilesPerPartition: number;
  readonly snapshots: number;
}

export interface StepOutcome {
  readonly kind: MaintenanceStep["kind"];
  readonly sql: string;
  /** What it did or (dry run) would do, in words. */
  readonly detail: string;
  /** Rows deleted (retention), when Trino says. */
  readonly rows?: number;
  readonly seconds: number;
}

export interface TableOutcome {
  readonly uniqueId: string;
  readonly relation: string;
  readonly status: "success" | "error" | "skipped";
  readonly before?: TableStats;
  readonly after?: TableStats;
  readonly steps: readonly StepOutcome[];
  readonly notes: readonly string[];
  readonly error?: string;
}

export type MaintenanceEvent =
  | {
      readonly code: "MAINTENANCE_STARTED";
      readonly tables: number;
      readonly dryRun: boolean;
      readonly skipped: MaintenancePlan["skipped"];
    }
  | {
      readonly code: "TABLE_STARTED";
      readonly index: number;
      readonly total: number;
      readonly relation: string;
    }
  | {
      readonly code: "TABLE_FINISHED";
      readonly index: number;
      readonly total: number;
      readonly outcome: TableOutcome;
    };

export interface MaintenanceOptions {
  readonly plan: MaintenancePlan;
  readonly trino: Query;
  readonly dryRun: boolean;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: MaintenanceEvent) => void;
}

export async function runMaintenance(options: MaintenanceOptions): Promise<TableOutcome[]> {
  const { plan, trino, dryRun } = options;
  const emit = options.onEvent ?? (() => {});
  emit({ code: "MAINTENANCE_STARTED", tables: plan.tables.length, dryRun, skipped: plan.skipped });
  const outcomes: TableOutcome[] = [];
  for (const [i, table] of plan.tables.entries()) {
    if (options.signal?.aborted) break;
    const relation = shown(table);
    emit({ code: "TABLE_STARTED", index: i + 1, total: plan.tables.length, relation });
    const outcome = await maintainTable(trino, table, dryRun, options.signal);
    outcomes.push(outcome);
    emit({ code: "TABLE_FINISHED", index: i + 1, total: plan.tables.length, outcome });
  }
  return outcomes;
}

async function maintainTable(
  trino: Query,
  table: TableMaintenance,
  dryRun: boolean,
  signal: AbortSignal | undefined,
): Promise<TableOutcome> {
  const relation = shown(table);
  const base = { uniqueId: table.uniqueId, relation, notes: table.notes };
  let before: TableStats;
  try {
    before = await readStats(trino, table, signal);
  } catch (error) {
    const message = messageOf(error);
    // A model never built has nothing to maintain: skipped, not failed.
    if (/does not exist|not found/i.test(message)) {
      return { ...base, status: "skipped", steps: [], notes: [...table.notes, "not built yet"] };
    }
    return { ...base, status: "error", steps: [], error: message };
  }
  const steps: StepOutcome[] = [];
  try {
    for (const step of table.steps) {
      const started = performance.now();
      const done = dryRun
        ? await preview(trino, table, step, before, signal)
        : await apply(trino, table, step, signal);
      steps.push({ kind: step.kind, sql: step.sql, ...done, seconds: (performance.now() - started) / 1000 });
    }
  } catch (error) {
    return { ...base, status: "error", before, steps, error: messageOf(error) };
  }
  const after = dryRun ? undefined : await readStats(trino, table, signal);
  return { ...base, status: "success", before, ...(after ? { after } : {}), steps };
}

async function apply(
  trino: Query,
  table: TableMaintenance,
  step: MaintenanceStep,
  signal: AbortSignal | undefined,
): Promise<{ detail: string; rows?: number }> {
  const options = signal ? { signal } : {};
  switch (step.kind) {
    case "retention": {
      // Counted first: Trino reports no count for a delete of whole partitions, and a delete of nothing
      // would only add a snapshot.
      const count = await rowsPastRetention(trino, table, step, options);
      if (count > 0) await trino.query(step.sql, options);
      return { detail: `deleted ${count} rows with ${step.column} before ${step.cutoff}`, rows: count };
    }
    case "optimize":
      await trino.query(step.sql, options);
      return { detail: `merged files under ${step.fileSizeThreshold}` };
    case "expire_snapshots":
      await trino.query(step.sql, options);
      return { detail: `expired snapshots older than ${step.retention}` };
    case "remove_orphan_files":
      await trino.query(step.sql, options);
      return { detail: `removed files no snapshot references, older than ${step.retention}` };
  }
}

async function rowsPastRetention(
  trino: Query,
  table: TableMaintenance,
  step: Extract<MaintenanceStep, { kind: "retention" }>,
  options: { signal?: AbortSignal },
): Promise<number> {
  const { rows } = await trino.query<{ rows: number }>(retentionCountSql(step, table.relation), options);
  return Number(rows[0]?.rows ?? 0);
}

/** What a step would do, from read-only queries (dry run). */
async function preview(
  trino: Query,
  table: TableMaintenance,
  step: MaintenanceStep,
  before: TableStats,
  signal: AbortSignal | undefined,
): Promise<{ detail: string; rows?: number }> {
  const options = signal ? { signal } : {};
  switch (step.kind) {
    case "retention": {
      const count = await rowsPastRetention(trino, table, step, options);
      return { detail: `would delete ${count} rows with ${step.column} before ${step.cutoff}`, rows: count };
    }
    case "optimize":
      return {
        detail: `would merge files under ${step.fileSizeThreshold} (now ${before.files} files in ${before.partitions} partitions, at most ${before.maxFilesPerPartition} in one)`,
      };
    case "expire_snapshots": {
      const { rows } = await trino.query<{ expirable: number }>(
        snapshotsSql(table.relation, step.retention),
        options,
      );
      return {
        detail: `would expire ${Number(rows[0]?.expirable ?? 0)} of ${before.snapshots} snapshots (older than ${step.retention})`,
      };
    }
    case "remove_orphan_files":
      return {
        detail: `would remove files no snapshot references, older than ${step.retention} (counted only by listing storage)`,
      };
  }
}

async function readStats(
  trino: Query,
  table: TableMaintenance,
  signal: AbortSignal | undefined,
): Promise<TableStats> {
  const options = signal ? { signal } : {};
  const files = await trino.query<{ partitions: number; files: number; max_files: number }>(
    statsSql(table.relation),
    options,
  );
  const snapshots = await trino.query<{ snapshots: number }>(snapshotsSql(table.relation, "0s"), options);
  const f = files.rows[0];
  return {
    partitions: Number(f?.partitions ?? 0),
    files: Number(f?.files ?? 0),
    maxFilesPerPartition: Number(f?.max_files ?? 0),
    snapshots: Number(snapshots.rows[0]?.snapshots ?? 0),
  };
}

/** `iceberg.shop_marts.fct_orders`, as the log shows it. */
const shown = (table: TableMaintenance) =>
  `${table.relation.catalog}.${table.relation.schema}.${table.relation.identifier}`;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function maintenanceExitCode(outcomes: readonly TableOutcome[]): 0 | 1 {
  return outcomes.some((o) => o.status === "error") ? 1 : 0;
}
