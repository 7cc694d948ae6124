import { writeFileSync } from "node:fs";
import { durationSeconds } from "../../core/duration.js";
import { CancelledError } from "../../core/errors.js";
import { defaultTopicNames, publishShopCounts, publishShopRun } from "../../ingest/producer.js";
import { fileCheckpointStore } from "../../ingest/publish-checkpoint.js";
import { type PublishEvent, PublishFailed, type PublishOutcome } from "../../ingest/publish-loop.js";
import { pgShopDb, redactUrl, shopDbUrl } from "../../ingest/shop-db/pg-writer.js";
import type { ShopDbCounts } from "../../ingest/shop-db/shop-db-fold.js";
import type { LedgerCounts } from "../../ingest/shop-ledger.js";
import type { GenerateFlags } from "./ingest-flags.js";
import type { CliIO, ExitCode } from "./io.js";

/**
 * `floe ingest generate`: publish the shop, retrying through a broker outage; on Ctrl-C (or SIGTERM) stop
 * after the batch in flight. Whatever the end — complete, stopped, failed — the ledger written and the
 * summary printed are those of what Kafka acknowledged, and the checkpoint lets `--resume` publish the rest.
 * Without `--ledger <file>` only the ledger's counts are kept (constant memory: a real-time run may go on
 * for hours); with it, the whole ledger, which grows with the run.
 */
export async function generate(flags: GenerateFlags, io: CliIO): Promise<ExitCode> {
  const checkpoint = flags.checkpoint ?? `.floe/generate-${flags.topicPrefix}checkpoint.json`;
  if (!flags.resume) await noteInterruptedRun(checkpoint, io);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
  let outcome: PublishOutcome<LedgerCounts> & { shopDb?: Readonly<ShopDbCounts> };
  const dbUrl = flags.shopDb === undefined ? undefined : shopDbUrl(flags.shopDb);
  const shopDb = dbUrl === undefined ? undefined : pgShopDb(dbUrl);
  try {
    const publish = flags.ledger === undefined ? publishShopCounts : publishShopRun;
    outcome = await publish({
      events: flags.events ?? 0,
      rate: flags.rate,
      realtime: flags.realtime,
      ...(flags.duration ? { durationMs: (durationSeconds(flags.duration) ?? 0) * 1000 } : {}),
      ...(flags.burstRate
        ? {
            burst: {
              rate: flags.burstRate,
              everyMs: (durationSeconds(flags.burstEvery) ?? 0) * 1000,
              forMs: (durationSeconds(flags.burstFor) ?? 0) * 1000,
            },
          }
        : {}),
      seed: flags.seed,
      duplicates: flags.duplicates,
      malformed: flags.malformed,
      late: flags.late,
      v3Share: flags.v3Share,
      partitions: flags.partitions,
      topics: defaultTopicNames(flags.topicPrefix),
      start: flags.start ? new Date(flags.start) : undefined,
      days: flags.days,
      checkpoint,
      resume: flags.resume,
      ...(shopDb ? { shopDb } : {}),
      signal: controller.signal,
      onEvent: (e) => {
        const line = renderPublishEvent(e);
        if (line) io.stderr(line);
      },
    });
  } catch (error) {
    if (error instanceof PublishFailed) report(flags, error.outcome.ledger, io);
    throw error;
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    await shopDb?.close();
  }
  report(flags, outcome.ledger, io);
  if (dbUrl !== undefined && outcome.shopDb) reportShopDb(dbUrl, outcome.shopDb, io);
  if (outcome.state === "stopped") {
    throw new CancelledError(
      `Stopped after ${outcome.published} of ${outcome.total} messages; run the same command with --resume to publish the rest.`,
    );
  }
  return 0;
}

function report(flags: GenerateFlags, ledger: LedgerCounts, io: CliIO): void {
  io.stderr("\n");
  if (flags.ledger) writeFileSync(flags.ledger, `${JSON.stringify(ledger, null, 2)}\n`);
  const m = ledger.messages;
  io.stdout(
    `published ${m.total} messages: ${m.valid} valid (${m.uniqueEvents} events + ${m.duplicates} duplicates), ` +
      `${m.malformed} malformed, ${m.late} late; ${m.uniqueByType.order_created ?? 0} orders\n`,
  );
}

function reportShopDb(url: string, c: Readonly<ShopDbCounts>, io: CliIO): void {
  io.stdout(
    `shop database ${redactUrl(url)}: ${c.inserts} inserts, ${c.updates} updates, ${c.deletes} deletes ` +
      `(${c.emailChanges} email changes, ${c.erasures} erasures, ${c.restocks} restocks, ${c.cancelledLines} cancelled lines)\n`,
  );
}

function renderPublishEvent(e: PublishEvent): string | undefined {
  switch (e.kind) {
    case "progress":
      return `  published ${e.published.toLocaleString("en-US")}\r`;
    case "retry":
      return `\n  retry ${e.attempt} of send in ${e.waitMs} ms: ${e.error}\n`;
    case "resumed":
      return (
        `  resuming at message ${e.from.toLocaleString("en-US")} of ${e.total.toLocaleString("en-US")}` +
        `${e.landed ? ` (${e.landed} of the interrupted batch were already in Kafka)` : ""}\n`
      );
    case "phase":
      return e.phase === "stopping" ? "\n  stopping after the batch in flight\n" : undefined;
  }
}

/** A run started afresh over an unfinished one is allowed (topics may have been reset), but said. */
async function noteInterruptedRun(path: string, io: CliIO): Promise<void> {
  const previous = await fileCheckpointStore(path)
    .read()
    .catch(() => undefined);
  if (previous && previous.published < previous.settings.events) {
    io.stderr(
      `  note: ${path} records an unfinished run (${previous.published} of ${previous.settings.events} published); ` +
        "this run starts over (--resume would continue it)\n",
    );
  }
}
