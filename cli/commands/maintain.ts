import { z } from "zod";
import { DURATION } from "../../core/duration.js";
import { SINK_DEFAULTS } from "../../ingest/sink/defaults.js";
import {
  addProjectFlags,
  addSelectionFlags,
  type ProjectFlags,
  type SelectionFlags,
} from "./common-flags.js";
import { parseFlags } from "./flag-values.js";
import type { FloeCommand } from "./floe-command.js";

/** Raw retention's default (seed 000: raw events kept 180 days). */
export const RAW_RETENTION_DEFAULT = "180d";

const maintainFlags = z.object({
  dryRun: z.boolean().default(false),
  raw: z.boolean().default(true),
  rawRetention: z.string().regex(DURATION, "a duration like 180d or 26w").default(RAW_RETENTION_DEFAULT),
  topics: z.array(z.string().min(1)).optional(),
  topicPrefix: z.string().default(""),
  rawPrefix: z.string().default(SINK_DEFAULTS.prefix),
  rawSchema: z.string().min(1).default(SINK_DEFAULTS.hiveSchema),
  sinkGroup: z.string().min(1).default(SINK_DEFAULTS.groupId),
});

/**
 * `floe maintain [-s selector] [--dry-run]`: Iceberg maintenance (optimize, expire_snapshots,
 * remove_orphan_files) and row retention for each selected table, then raw retention (whole raw partitions
 * older than `--raw-retention`) and raw compaction of closed partitions (ingest/raw-compaction.ts). Exit 1
 * when a table, the raw retention or the raw compaction failed; 2 for usage errors.
 */
export function registerMaintainCommand(program: FloeCommand): void {
  const { io } = program;
  addSelectionFlags(
    addProjectFlags(
      program
        .command("maintain")
        .description(
          "compact and clean the selected Iceberg tables (optimize, expire_snapshots, remove_orphan_files), delete rows past their retention, delete raw partitions past the raw retention, and merge the small files of closed raw partitions",
        ),
    ),
  )
    .option("--dry-run", "change nothing; say what each step would do")
    .option(
      "--raw-retention <duration>",
      "delete raw partitions whose event_date is older than this",
      RAW_RETENTION_DEFAULT,
    )
    .option("--no-raw", "leave the raw layer alone")
    .option("--topics <topics...>", "raw topics (default: user-events product-metadata orders)")
    .option("--topic-prefix <prefix>", "prefix of the default topic names", "")
    .option("--raw-prefix <prefix>", "object key prefix of the raw area", SINK_DEFAULTS.prefix)
    .option("--raw-schema <name>", "Hive schema of the raw tables", SINK_DEFAULTS.hiveSchema)
    .option(
      "--sink-group <id>",
      "the sink's consumer group: raw compaction merges only files it has committed past",
      SINK_DEFAULTS.groupId,
    )
    .handle(async (raw: ProjectFlags & SelectionFlags & Record<string, unknown>) => {
      const flags = parseFlags(maintainFlags, raw, "maintain");
      const { loadRunProject } = await import("./run-action.js");
      const { selectFromFlags } = await import("./common-flags.js");
      const { connectTarget, withSigintCancel } = await import("../runner/connect.js");
      const { planMaintenance } = await import("../maintain/plan-maintenance.js");
      const { runMaintenance, maintenanceExitCode } = await import("../maintain/run-maintenance.js");
      const { maintenanceLogger } = await import("../maintain/maintenance-log.js");
      const { durationSeconds } = await import("../../core/duration.js");

      const project = loadRunProject(raw, io);
      const selected = selectFromFlags(project, project.root, raw);
      const nodes = [...selected]
        .map((id) => project.manifest.nodes[id])
        .filter((n) => n !== undefined && (n.resource_type === "model" || n.resource_type === "seed"));
      const now = new Date();
      const plan = planMaintenance(nodes as Parameters<typeof planMaintenance>[0], now);
      const log = maintenanceLogger(raw.logFormat ?? "text", io.stdout);
      // UTC session: retention cut-offs are UTC days.
      const connection = connectTarget(project.target, { timeZone: "UTC" });
      return withSigintCancel(connection, io.stderr, async (signal) => {
        const outcomes = await runMaintenance({
          plan,
          trino: connection,
          dryRun: flags.dryRun,
          signal,
          onEvent: log.table,
        });
        let code = maintenanceExitCode(outcomes);
        if (flags.raw && !signal.aborted) {
          const { applyRawRetention, s3RawObjectStore } = await import("../../ingest/raw-retention.js");
          const { DEFAULT_RAW_TARGET } = await import("../../ingest/raw-tables.js");
          const { endpointsFromEnv, s3Client } = await import("../../ingest/endpoints.js");
          const { TOPIC_KINDS } = await import("../../ingest/contracts.js");
          const { topicName } = await import("../../ingest/producer.js");
          const endpoints = endpointsFromEnv(io.env);
          const target = {
            ...DEFAULT_RAW_TARGET,
            bucket: endpoints.bucket,
            prefix: flags.rawPrefix,
            schema: flags.rawSchema,
          };
          const topics =
            flags.topics ?? TOPIC_KINDS.map((kind) => topicName({ prefix: flags.topicPrefix }, kind));
          const failed = (step: "retention" | "compaction", error: unknown) => {
            log.rawFailed(error instanceof Error ? error.message : String(error), step);
            code = 1;
          };
          try {
            const result = await applyRawRetention({
              target,
              topics,
              retentionSeconds: durationSeconds(flags.rawRetention) ?? 0,
              now,
              dryRun: flags.dryRun,
              store: s3RawObjectStore(s3Client(endpoints), endpoints.bucket),
              trino: connection,
              onPartition: log.rawPartition,
            });
            log.rawFinished(result, flags.rawRetention, flags.dryRun);
          } catch (error) {
            failed("retention", error);
          }
          // Compaction after retention (no merging of what is about to go); a failure of one is not the other's.
          if (!signal.aborted) {
            const { compactRawPartitions, kafkaCommittedOffsets, s3CompactionStore } = await import(
              "../../ingest/raw-compaction.js"
            );
            const { kafkaClient } = await import("../../ingest/endpoints.js");
            const admin = kafkaClient(endpoints, "floe-maintain").admin();
            // Kafka is asked only when a closed partition has files to merge (most runs: none).
            let connected: Promise<void> | undefined;
            const committed = kafkaCommittedOffsets(admin, flags.sinkGroup);
            try {
              const compaction = await compactRawPartitions({
                target,
                topics,
                now,
                dryRun: flags.dryRun,
                store: s3CompactionStore(s3Client(endpoints), endpoints.bucket),
                committed: async (topic) => {
                  connected ??= admin.connect();
                  await connected;
                  return committed(topic);
                },
                onMerge: log.rawMerged,
              });
              log.rawCompactionFinished(compaction, flags.dryRun);
            } catch (error) {
              failed("compaction", error);
            } finally {
              await admin.disconnect().catch(() => {});
            }
          }
        }
        log.finished(outcomes, flags.dryRun);
        return signal.aborted ? 1 : code;
      });
    });
}
