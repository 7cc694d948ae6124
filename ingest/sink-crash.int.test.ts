import { execFileSync, spawn } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { readDlq, testShop, uniqueRun, verifyRawTables } from "./int-helpers.js";
import { defaultTopicNames, publishShop } from "./producer.js";

const SHOP = testShop(200_000, 77);

const root = new URL("..", import.meta.url).pathname;

/** Runs `floe ingest sink` as a child; resolves with its exit code/signal and output. */
function sinkProcess(args: string[], killAfterMs?: number) {
  const child = spawn(process.execPath, ["bin/floe.js", "ingest", "sink", ...args], {
    cwd: root,
    env: { ...process.env, AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => {
    output += d;
  });
  child.stderr.on("data", (d) => {
    output += d;
  });
  const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), killAfterMs);
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
      // Random moments; the first kill comes early (mid first uploads), later ones as the run goes on.
      const at = Math.round(4_000 + Math.random() * 16_000);
      kills.push(at);
      const result = await sinkProcess(args, at);
      filesBeforeLastRun += (result.output.match(/ {2}wrote /g) ?? []).length;
      process.stderr.write(
        `[crash.int] kill ${i + 1} after ${at} ms: signal ${result.signal}, files so far ${filesBeforeLastRun}\n`,
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
      `[crash.int] kills at ${kills.join(", ")} ms; DLQ ${dlq.length} messages, ${distinct.size} distinct\n`,
    );
    expect(distinct.size).toBe(ledger.messages.malformed);
  });
});
