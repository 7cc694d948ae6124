import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli, readTopic, uniqueRun } from "../int-helpers.js";
import { ApiChild, keysWith, loadUntil, spooledRecords, tempDir, waitFor } from "./api-int-helpers.js";

/**
 * `floe ingest api` SIGKILLed twice while requests keep coming: first while Kafka is unreachable for it
 * (everything it accepted is only in its spool), then while it forwards to the real Kafka (a batch may be
 * in Kafka without the cursor saying so). Each restart drains the spool; every event answered 202 is in
 * Kafka exactly once.
 */
describe("floe ingest api killed while spooling", () => {
  const run = uniqueRun("apikill");
  const dir = tempDir("crash");
  const { file, secrets } = keysWith(dir, [{ name: "load", rate: 1_000_000 }]);
  const args = ["--keys-file", file, "--spool-dir", join(dir, "spool"), "--topic-prefix", run.topicPrefix];
  const children: ApiChild[] = [];

  beforeAll(buildCli, 300_000);
  afterAll(() => {
    for (const child of children) child.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it("drains its spool after each restart: every accepted event reaches Kafka once", {
    timeout: 300_000,
  }, async () => {
    const start = async (env: NodeJS.ProcessEnv = process.env) => {
      const child = new ApiChild(args, env);
      children.push(child);
      return { child, url: await child.ready };
    };
    let current = await start({ ...process.env, FLOE_KAFKA_BROKERS: "127.0.0.1:1" });
    const stop = new AbortController();
    const load = loadUntil(() => current.url, secrets.load as string, stop.signal, {
      batch: 50,
      workers: 4,
      pauseMs: 5,
    });

    // Kill 1: Kafka unreachable, so what it accepted is only in the spool.
    await waitFor("events spooled", async () => (await spooledRecords(current.url)) >= 2_000, 60_000);
    current.child.kill();
    await current.child.exited;
    const spooledAtKill = /waiting for Kafka/.test(current.child.output);
    current = await start();
    const pendingAtRestart = Number(/, (\d+) events waiting for Kafka/.exec(current.child.output)?.[1]);

    // Kill 2: forwarding to the real Kafka under load.
    await new Promise((r) => setTimeout(r, 3_000));
    current.child.kill();
    await current.child.exited;
    current = await start();
    await new Promise((r) => setTimeout(r, 2_000));
    stop.abort();
    const result = await load;
    await waitFor("the spool drained", async () => (await spooledRecords(current.url)) === 0, 120_000);
    current.child.kill("SIGTERM");
    const exit = await current.child.exited;

    const userEvents = run.topics.find((t) => t.endsWith("user-events")) as string;
    const ids = await readTopic(
      userEvents,
      (m) => (JSON.parse(String(m.value)) as { event_id: string }).event_id,
    );
    const counts = new Map<string, number>();
    for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    const missing = result.accepted.filter((id) => !counts.has(id));
    const duplicated = [...counts.values()].filter((c) => c > 1).length;
    const reconciled = children.map((c) => c.output).join("");
    process.stderr.write(
      `[api-crash.int] ${result.accepted.length} accepted, ${result.unanswered.length} unanswered, ` +
        `${pendingAtRestart} pending at the first restart, ${ids.length} in Kafka, statuses ${JSON.stringify(result.statuses)}; ` +
        `${(reconciled.match(/reconciled with Kafka: \d+/g) ?? []).join("; ")}\n`,
    );
    expect(spooledAtKill).toBe(true);
    expect(pendingAtRestart).toBeGreaterThanOrEqual(2_000);
    expect(result.accepted.length).toBeGreaterThan(pendingAtRestart);
    expect(missing).toEqual([]);
    expect(duplicated).toBe(0);
    // Whatever is in Kafka was sent by a client: accepted, or sent to a server killed before it answered.
    const sent = new Set([...result.accepted, ...result.unanswered]);
    expect(ids.filter((id) => !sent.has(id))).toEqual([]);
    expect(exit.code).toBe(0);
  });
});
