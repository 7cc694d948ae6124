import { execFileSync, spawn } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { readDlq, testShop, uniqueRun, verifyRawTables } from "./int-helpers.js";
import { defaultTopicNames, publishShop } from "./producer.js";

const SHOP = testShop(200_000, 77);

const root = new URL("..", import.meta.url).pathname;

/**
 * Runs `floe ingest sink` as a child; resolves with its exit code/signal and output. With `killDelayMs`,
 * it is SIGKILLed that long after it made its first file durable in this run (so the kill lands mid-work,
 * not while it still waits for the group to hand it partitions).
 */
function sinkProcess(args: string[], killDelayMs?: number) {
  const child = spawn(process.execPath, ["bin/floe.js", "ingest", "sink", ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let timer: NodeJS.Timeout | undefined;
  const onData = (d: Buffer) => {
    output += d;
    if (killDelayMs !== undefined && timer === undefined && /\n {2}(wrote|found) /.test(output)) {
      timer = setTimeout(() => child.kill("SIGKILL"), killDelayMs);
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) =>
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, output });
    }),
  );
}

describe("floe ingest sink under crashes", () => {
  beforeAll(() => {
    // The child processes run the compiled CLI.
    execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
  }, 300_000);

  it("SIGKILLed three times at random moments and restarted: same counts, no duplicates, nothing lost", {
    timeout: 1_200_000,
  }, async () => {
    const run = uniqueRun("crash");
    const ledger = await publishShop({ ...SHOP, topics: defaultTopicNames(run.topicPrefix) });
    const args = [
      "--topic-prefix",
      run.topicPrefix,
      "--prefix",
      run.prefix,
      "--group",
      run.group,
      "--schema",
      run.schema,
      "--flush-records",
      "2000",
      "--metrics-port",
      "0",
      "--until-idle",
      "-v",
    ];
    const kills: number[] = [];
    let filesBeforeLastRun = 0;
    for (let i = 0; i < 3; i++) {
      // A random moment 0–8 s after the run's first durable file: mid-stream, between or during uploads.
      const at = Math.round(Math.random() * 8_000);
      kills.push(at);
      const result = await sinkProcess(args, at);
      filesBeforeLastRun += (result.output.match(/ {2}wrote /g) ?? []).length;
      process.stderr.write(
        `[crash.int] kill ${i + 1} ${at} ms after its first file: signal ${result.signal}, files so far ${filesBeforeLastRun}\n`,
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
      `[crash.int] kills ${kills.join(", ")} ms after each run's first file; DLQ ${dlq.length} messages, ${distinct.size} distinct\n`,
    );
    expect(distinct.size).toBe(ledger.messages.malformed);
  });
});
