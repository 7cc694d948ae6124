import { describe, expect, it } from "vitest";
import type { CliIO } from "../cli/commands/io.js";
import { main } from "../cli/main.js";
import { sinkChildArgs, testShop, uniqueRun } from "./int-helpers.js";
import { defaultTopicNames, publishShop } from "./producer.js";

/**
 * The sink as an operator runs it: `--log-format json` (every line one json-line.ts object), `/healthz`
 * and `/readyz` on the metrics server at `--metrics-host`, on the real stack.
 */
describe("floe ingest sink for operations", () => {
  it("logs JSON lines only and answers /healthz and /readyz (ready once joined with S3 reachable)", {
    timeout: 180_000,
  }, async () => {
    const run = uniqueRun("sinkops");
    const ledger = await publishShop({ ...testShop(3_000, 13), topics: defaultTopicNames(run.topicPrefix) });
    const lines: string[] = [];
    let metricsPort: number | undefined;
    const text = (chunk: string) => {
      for (const line of chunk.split("\n")) if (line !== "") lines.push(line);
      const started = lines.map((l) => l.match(/"event":"sink.started".*"metrics_port":(\d+)/)).find(Boolean);
      if (started) metricsPort = Number(started[1]);
    };
    const io: CliIO = { stdout: text, stderr: text, env: process.env, cwd: process.cwd() };
    const sink = main(
      [
        "node",
        "floe",
        "ingest",
        "sink",
        ...sinkChildArgs(run, "--until-idle", "--log-format", "json", "--metrics-host", "127.0.0.1"),
      ],
      io,
    );
    let finished = false;
    void sink.finally(() => {
      finished = true;
    });

    // Poll the probes while the sink runs (it stops by itself once caught up and idle).
    const seen = { healthz: 0, ready: false, notReadyReasons: [] as string[] };
    while (!finished) {
      if (metricsPort !== undefined) {
        const base = `http://127.0.0.1:${metricsPort}`;
        try {
          seen.healthz = (await fetch(`${base}/healthz`)).status;
          const ready = await fetch(`${base}/readyz`);
          const body = (await ready.json()) as { ready: boolean; reasons: string[] };
          if (ready.status === 200 && body.ready) seen.ready = true;
          else seen.notReadyReasons = body.reasons;
        } catch {
          // The server closed between two polls: the sink is stopping.
        }
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await sink, lines.slice(-20).join("\n")).toBe(0);
    expect(metricsPort, "the started line names the metrics port").toBeGreaterThan(0);
    expect(seen.healthz).toBe(200);
    expect(seen.ready, `never ready; last reasons: ${seen.notReadyReasons.join("; ")}`).toBe(true);

    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const line of parsed) {
      expect(Object.keys(line)).toEqual(expect.arrayContaining(["ts", "level", "invocation_id", "msg"]));
      expect(Number.isNaN(Date.parse(String(line.ts)))).toBe(false);
    }
    const events = parsed.map((l) => l.event);
    expect(events).toContain("sink.file");
    const stopped = parsed.find((l) => l.event === "sink.stopped");
    expect(stopped?.records).toBe(ledger.messages.valid);
  });
});
