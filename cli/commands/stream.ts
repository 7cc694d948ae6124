import { z } from "zod";
import { parseFlags } from "./flag-values.js";
import type { FloeCommand } from "./floe-command.js";

const streamFlags = z.object({
  redisUrl: z.string().url("a redis:// URL").optional(),
  inventoryTopic: z.string().min(1).default("db.inventory"),
  topics: z.array(z.string().min(1)).optional(),
  topicPrefix: z.string().default(""),
  alertsTopic: z.string().min(1).default("alerts"),
  group: z.string().min(1).default("floe-stream"),
  keyPrefix: z.string().default(""),
});

/**
 * `floe stream`: the real-time view (ingest/stream/) until SIGTERM/SIGINT. `floe serve` runs the same
 * processor as a supervised child. The modules load inside the action so other commands skip kafkajs/redis.
 */
export function registerStreamCommand(program: FloeCommand): void {
  const { io } = program;
  program
    .command("stream")
    .description(
      "keep the real-time view in Redis: stock per product from db.inventory, 1m/5m/1h windows from the events, low-stock alerts",
    )
    .option(
      "--redis-url <url>",
      "Redis to keep the view in (default $FLOE_REDIS_URL or redis://127.0.0.1:6380)",
    )
    .option("--inventory-topic <topic>", "Debezium topic of the inventory table", "db.inventory")
    .option("--topics <topics...>", "event topics (default: <topic-prefix>user-events <topic-prefix>orders)")
    .option("--topic-prefix <prefix>", "prefix of the default event topic names", "")
    .option("--alerts-topic <topic>", "where low-stock alerts go", "alerts")
    .option("--group <id>", "consumer group (positions live in Redis, not in the group)", "floe-stream")
    .option("--key-prefix <prefix>", "prefix of every Redis key (to share one Redis database)", "")
    .handle(async (raw: Record<string, unknown>) => {
      const flags = parseFlags(streamFlags, raw, "stream");
      const { runStream } = await import("../../ingest/stream/run-stream.js");
      const { eventTopicMap } = await import("../../ingest/stream/topics.js");
      const { redisUrlFromEnv } = await import("../../ingest/stream/redis-store.js");
      const { endpointsFromEnv } = await import("../../ingest/endpoints.js");
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once("SIGTERM", stop);
      process.once("SIGINT", stop);
      try {
        await runStream({
          redisUrl: flags.redisUrl ?? redisUrlFromEnv(io.env),
          endpoints: endpointsFromEnv(io.env),
          inventoryTopic: flags.inventoryTopic,
          eventTopics: eventTopicMap(flags.topics, flags.topicPrefix),
          alertsTopic: flags.alertsTopic,
          groupId: flags.group,
          keyPrefix: flags.keyPrefix,
          signal: controller.signal,
          onEvent: (event) => {
            if (event.kind === "started") {
              io.stderr(`floe stream: ${event.topics.join(", ")} → ${event.redis}\n`);
            } else if (event.kind === "phase") {
              io.stderr(`floe stream: ${event.phase} (${event.reason})\n`);
            } else {
              io.stderr(`floe stream: skipped a message of ${event.topic}: ${event.reason}\n`);
            }
          },
        });
      } finally {
        process.off("SIGTERM", stop);
        process.off("SIGINT", stop);
      }
      return 0;
    });
}
