import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { z } from "zod";
import { defaultTopicNames, publishShop } from "../../ingest/producer.js";
import { UsageError } from "../errors.js";

/** Parses flags with zod and turns the first issue into a UsageError naming the flag. */
export function parseFlags<T>(schema: z.ZodType<T>, raw: unknown): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const flag = issue?.path.join(".").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`) ?? "";
  throw new UsageError(`--${flag}: ${issue?.message ?? "invalid value"}`, {
    hint: "see `floe ingest --help`",
  });
}

const num = z.coerce.number();
const probability = num.min(0).max(1);

/** `60s`, `500ms`, `2m` or a bare number of seconds → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError(`"${text}" is not a duration`, { hint: "use e.g. 60s, 500ms, 2m" });
  const unit = match[2] ?? "s";
  const factor = unit === "ms" ? 1 : unit === "s" ? 1_000 : unit === "m" ? 60_000 : 3_600_000;
  return Number(match[1]) * factor;
}

const generateFlags = z.object({
  events: num.int().positive(),
  rate: num.positive().optional(),
  seed: num.int().default(42),
  duplicates: probability.default(0),
  malformed: probability.default(0),
  late: probability.default(0),
  topicPrefix: z.string().default(""),
  partitions: num.int().positive().default(3),
  start: z.iso.datetime().optional(),
  days: num.positive().default(3),
  ledger: z.string().optional(),
});

export function registerIngestCommands(program: Command): void {
  const ingest = program
    .command("ingest")
    .description("event contracts, the shop generator and the Kafka → S3 sink");

  ingest
    .command("generate")
    .description("publish a deterministic synthetic shop to Kafka (user-events, product-metadata, orders)")
    .requiredOption("--events <n>", "messages to publish")
    .option("--rate <r>", "events per second (default: as fast as possible)")
    .option("--seed <s>", "random seed", "42")
    .option("--duplicates <p>", "probability a message re-sends a recent event", "0")
    .option("--malformed <p>", "probability a message is malformed (bypasses the contract)", "0")
    .option("--late <p>", "probability an event is published late", "0")
    .option("--topic-prefix <prefix>", "prefix for topic names (e.g. dev1-)", "")
    .option("--partitions <n>", "partitions for topics it creates", "3")
    .option("--start <iso>", "first simulated instant (default: midnight UTC two days ago)")
    .option("--days <d>", "simulated days the events spread over", "3")
    .option("--ledger <file.json>", "write the generator's ledger (what it produced) to this file")
    .action(async (raw: Record<string, unknown>) => {
      const flags = parseFlags(generateFlags, raw);
      const ledger = await publishShop({
        events: flags.events,
        rate: flags.rate,
        seed: flags.seed,
        duplicates: flags.duplicates,
        malformed: flags.malformed,
        late: flags.late,
        partitions: flags.partitions,
        topics: defaultTopicNames(flags.topicPrefix),
        start: flags.start ? new Date(flags.start) : undefined,
        days: flags.days,
        onProgress: (n) => process.stderr.write(`  published ${n.toLocaleString("en-US")}\r`),
      });
      process.stderr.write("\n");
      if (flags.ledger) writeFileSync(flags.ledger, `${JSON.stringify(ledger, null, 2)}\n`);
      const m = ledger.messages;
      process.stdout.write(
        `published ${m.total} messages: ${m.valid} valid (${m.uniqueEvents} events + ${m.duplicates} duplicates), ` +
          `${m.malformed} malformed, ${m.late} late; ${ledger.orders.length} orders\n`,
      );
    });
}
