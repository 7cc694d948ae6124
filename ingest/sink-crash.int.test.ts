import { beforeAll, describe, expect, it } from "vitest";
import {
  buildCli,
  type RunNames,
  readDlq,
  SinkChild,
  type SinkExit,
  sinkChildArgs,
  testShop,
  uniqueRun,
  verifyRawTables,
} from "./int-helpers.js";
import { defaultTopicNames, publishShop } from "./producer.js";

const SHOP = testShop(200_000, 77);
const REBALANCE_SHOP = testShop(150_000, 78);

/** Something to do `delayMs` after a run wrote its `afterFiles`-th new file (by default: SIGKILL it). */
interface Kill {
  readonly afterFiles: number;
  readonly delayMs: number;
  readonly action?: () => void;
}

/**
 * Runs `floe ingest sink` as a child; resolves with its exit code/signal and output. With `kill`, it is
 * SIGKILLed a little after it made its n-th new file durable in this run, so the kill lands mid-work: not
 * while it still waits for the group to hand it partitions, and not after it has written everything (a
 * time-based moment did that once the sink wrote the whole shop in a few seconds).
 */
function sinkProcess(args: string[], kill?: Kill): Promise<SinkExit> {
  const sink = new SinkChild(args);
  if (kill) sink.afterFiles(kill.afterFiles, kill.delayMs, kill.action ?? (() => sink.kill()));
  return sink.exited;
}

/** One test run's sink: its topics, S3 prefix, group and schema, small files, until idle, verbose. */
const sinkArgs = (run: RunNames) => sinkChildArgs(run, "--flush-records", "2000", "--until-idle");

describe("floe ingest sink under crashes and rebalances", () => {
  // The child processes run the built CLI.
  beforeAll(buildCli, 300_000);

  it("SIGKILLed three times at random moments and restarted: same counts, no duplicates, nothing lost", {
    timeout: 1_200_000,
  }, async () => {
    const run = uniqueRun("crash");
    const ledger = await publishShop({ ...SHOP, topics: defaultTopicNames(run.topicPrefix) });
    const args = sinkArgs(run);
    const kills: string[] = [];
    let filesBeforeLastRun = 0;
    for (let i = 0; i < 3; i++) {
      // A random moment mid-stream, between or during uploads: 0–100 ms after the run's 1st–10th new file.
      // Uploads trail consumption and come in bursts (67 files in 350 ms once), so the window after the
      // n-th file stays short: each run writes a few dozen files at most before its kill, later runs
      // still have files to write (the shop makes ~120), and the kill comes while the sink is at work.
      const kill = {
        afterFiles: 1 + Math.floor(Math.random() * 10),
        delayMs: Math.round(Math.random() * 100),
      };
      kills.push(`${kill.delayMs} ms after file ${kill.afterFiles}`);
      const result = await sinkProcess(args, kill);
      filesBeforeLastRun += (result.output.match(/ {2}wrote /g) ?? []).length;
      process.stderr.write(
        `[crash.int] kill ${i + 1} ${kills[i]}: signal ${result.signal}, files so far ${filesBeforeLastRun}\n`,
      );
      expect(result.signal, result.output.slice(-2000)).toBe("SIGKILL");
    }
    const final = await sinkProcess(args);
    process.stderr.write(
      `[crash.int] final run: ${final.output
        .split("\n")
        .filter((l) => l.startsWith("sink stopped"))
        .join("")}\n`,
    );
    expect(final.code, final.output.slice(-3000)).toBe(0);

    const { rows, problems } = await verifyRawTables(run.topics, SHOP);
    expect(problems).toEqual([]);
    expect(rows).toBe(ledger.messages.valid);
    // The DLQ is at-least-once across crashes: dedupe by source coordinates.
    const dlq = await readDlq(run.dlq);
    const distinct = new Set(dlq.map((h) => `${h.source_topic}/${h.source_partition}/${h.source_offset}`));
    process.stderr.write(
      `[crash.int] kills ${kills.join(", ")}; DLQ ${dlq.length} messages, ${distinct.size} distinct\n`,
    );
    expect(distinct.size).toBe(ledger.messages.malformed);
  });

  it("a second sink joining the group mid-stream: partitions move with uploads in flight, nothing twice", {
    timeout: 600_000,
  }, async () => {
    const run = uniqueRun("rebalance");
    // Published at 10,000 events/s while the sinks run, so data keeps arriving after the second one joins
    // (published all at once, the first sink had sometimes written everything before the second joined).
    let started: () => void = () => {};
    const firstEvents = new Promise<void>((resolve) => {
      started = resolve;
    });
    const publishing = publishShop({
      ...REBALANCE_SHOP,
      topics: defaultTopicNames(run.topicPrefix),
      rate: 10_000,
      onProgress: (published) => {
        if (published >= 10_000) started();
      },
    });
    await Promise.race([firstEvents, publishing]);
    const args = sinkArgs(run);
    // The second joins right after the first made a file durable, while its next uploads are under way;
    // the group then rebalances again when either finishes and leaves.
    let second: ReturnType<typeof sinkProcess> | undefined;
    const first = sinkProcess(args, {
      afterFiles: 3,
      delayMs: 0,
      action: () => {
        second = sinkProcess(args);
      },
    });
    const ledger = await publishing;
    const firstResult = await first;
    expect(second, firstResult.output.slice(-2000)).toBeDefined();
    const other = await second;
    expect(firstResult.code, firstResult.output.slice(-3000)).toBe(0);
    expect(other?.code, other?.output.slice(-3000)).toBe(0);
    const rebalanced = `${firstResult.output}${other?.output}`.match(/^ {2}rebalance: /gm)?.length ?? 0;
    const files = (s: string | undefined) => (s?.match(/ {2}wrote /g) ?? []).length;
    process.stderr.write(
      `[rebalance.int] first sink wrote ${files(firstResult.output)} files, second ${files(other?.output)}; ${rebalanced} rebalances\n`,
    );
    // Both took part, and partitions moved: the second sink wrote files of its own.
    expect(rebalanced).toBeGreaterThan(0);
    expect(files(other?.output)).toBeGreaterThan(0);

    const { rows, problems } = await verifyRawTables(run.topics, REBALANCE_SHOP);
    expect(problems).toEqual([]);
    expect(rows).toBe(ledger.messages.valid);
    // The DLQ is at-least-once across a rebalance too: every malformed event is there, maybe twice.
    const dlq = await readDlq(run.dlq);
    const distinct = new Set(dlq.map((h) => `${h.source_topic}/${h.source_partition}/${h.source_offset}`));
    process.stderr.write(`[rebalance.int] DLQ ${dlq.length} messages, ${distinct.size} distinct\n`);
    expect(distinct.size).toBe(ledger.messages.malformed);
  });
});
