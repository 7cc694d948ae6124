/**
 * `npm run bench:api`: the ingestion API (`floe ingest api`, a child process of the built CLI) under a load
 * generator (wrk when installed, else autocannon: bench/api-clients.ts, BENCH_CLIENT), with the stack
 * running (the API forwards to the real Kafka while it is measured).
 *
 * Scenarios, each BENCH_SECONDS (default 15) long:
 * - batch@10k: 100 events per request at 100 requests/s = 10,000 events/s (the seeds' peak);
 * - single@10k: one event per request at 10,000 requests/s;
 * - batch@max and single@max: as fast as the connections go (BENCH_CONNECTIONS, default 16, for batches;
 *   BENCH_SINGLE_CONNECTIONS, default 500, for single events).
 * For each: accepted events/s (202s × events per request / time), p50/p99 latency, non-202 answers, the
 * API process's CPU per accepted event (utime+stime from /proc: all its threads, and the HTTP thread
 * alone), the load generator's CPU per request, and the events still spooled at the end (how far the
 * forwarder trailed).
 * BENCH_SCENARIOS (comma-separated names) runs only some. BENCH_VARIANTS runs several APIs and alternates
 * them scenario by scenario (BENCH_ROUNDS times): `worker` and `main` place kafkajs (this build), and
 * `label=/path` runs the build of another checkout (A/B of a code change: copy bin/, dist/, package.json
 * and trino/etc of the old build there and link node_modules). BENCH_CPU_PROF=dir writes V8 CPU profiles of
 * the API processes there (at their exit).
 */
import { readFileSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import {
  ApiChild,
  keysWith,
  productView,
  spooledRecords,
  tempDir,
  waitFor,
} from "../ingest/http/api-int-helpers.js";
import { uniqueRun } from "../ingest/int-helpers.js";
import { packageRoot } from "../stack/paths.js";
import { chooseClient } from "./api-clients.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
/**
 * One event per request needs many clients: a request is answered after its fsync, and group commit
 * shares one fsync among the requests waiting, so requests/s ≤ connections ÷ latency. 500 keep 10,000/s
 * offered up to 50 ms of latency (the target's p99); with 200 a loaded machine measured the client's limit.
 */
const SINGLE_CONNECTIONS = Number(process.env.BENCH_SINGLE_CONNECTIONS ?? 500);
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/**
 * CPU seconds (user + system) a process has used, from /proc (Linux); with `thread`, only that thread's
 * (the main thread's id is the pid: the HTTP thread, apart from the Kafka link, libuv's and V8's threads).
 */
function cpuSeconds(pid: number, thread?: number): number {
  const path = thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`;
  const fields = readFileSync(path, "utf8").split(") ")[1]?.split(" ") ?? [];
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after "pid (comm) ".
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** One API under test: a child process with its own spool. */
interface Variant {
  readonly label: string;
  readonly api: ApiChild;
  readonly url: string;
  readonly pid: number;
}

/** `worker`/`main`: this build, kafkajs on that thread; `label=/path`: that checkout's build (worker). */
function parseVariant(spec: string): { label: string; thread: string; root: string } {
  const at = spec.indexOf("=");
  if (at < 0) return { label: spec, thread: spec, root: packageRoot() };
  return { label: spec.slice(0, at), thread: "worker", root: spec.slice(at + 1) };
}

async function main(): Promise<void> {
  const run = uniqueRun("benchapi");
  const dir = tempDir("bench");
  const { file, secrets } = keysWith(dir, [{ name: "bench", rate: 10_000_000 }]);
  const { client, note } = chooseClient();
  if (note) console.log(note);
  // Several variants are measured alternately scenario by scenario (same machine, same minutes);
  // BENCH_ROUNDS repeats the alternation.
  const specs = (process.env.BENCH_VARIANTS ?? "worker").split(",").map(parseVariant);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
  const profile = process.env.BENCH_CPU_PROF;
  const variants: Variant[] = [];
  for (const { label, thread, root } of specs) {
    const api = new ApiChild(
      ["--keys-file", file, "--spool-dir", join(dir, `spool-${label}`), "--topic-prefix", run.topicPrefix],
      { ...process.env, FLOE_API_FORWARD_THREAD: thread },
      { root, nodeArgs: profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : [] },
    );
    variants.push({ label, api, url: await api.ready, pid: api.pid as number });
  }
  const headers = { "content-type": "application/json", authorization: `Bearer ${secrets.bench}` };
  const one = JSON.stringify(productView(1));
  const batch = JSON.stringify(Array.from({ length: 100 }, (_, i) => productView(i)));
  console.log(
    `APIs ${variants.map((v) => `${v.label} at ${v.url} (pid ${v.pid})`).join(", ")}; ${client.name}, ` +
      `${SECONDS}s per scenario, ${CONNECTIONS} connections for batches, ${SINGLE_CONNECTIONS} for single ` +
      `events; topics ${run.topicPrefix}*; load average ${loadavg()[0]?.toFixed(1)}`,
  );
  for (const v of variants) {
    // Warm-up: topics created, producer connected, JIT warm.
    await client.run({ url: `${v.url}/v1/events`, headers, body: batch, connections: 4, seconds: 3 });
    await waitFor("the warm-up forwarded", async () => (await spooledRecords(v.url)) === 0, 120_000);
  }

  const scenarios = [
    { name: "batch@10k", body: batch, events: 100, rate: 100, connections: CONNECTIONS },
    { name: "single@10k", body: one, events: 1, rate: 10_000, connections: SINGLE_CONNECTIONS },
    { name: "batch@max", body: batch, events: 100, rate: undefined, connections: CONNECTIONS },
    { name: "single@max", body: one, events: 1, rate: undefined, connections: SINGLE_CONNECTIONS },
  ];
  // BENCH_SCENARIOS=single@10k,batch@max: only those (comparing variants of one path).
  const only = process.env.BENCH_SCENARIOS?.split(",");
  for (const s of scenarios.filter((x) => !only || only.includes(x.name))) {
    for (let round = 0; round < rounds; round++) {
      for (const v of variants) {
        const load = loadavg()[0]?.toFixed(1);
        const cpu0 = cpuSeconds(v.pid);
        const http0 = cpuSeconds(v.pid, v.pid);
        const result = await client.run({
          url: `${v.url}/v1/events`,
          headers,
          body: s.body,
          connections: s.connections,
          seconds: SECONDS,
          ...(s.rate ? { rate: s.rate } : {}),
        });
        const cpu = cpuSeconds(v.pid) - cpu0;
        const http = cpuSeconds(v.pid, v.pid) - http0;
        const accepted = result.status202 * s.events;
        const spooled = await spooledRecords(v.url);
        const perRequest = (seconds: number, requests: number) =>
          ((seconds * 1e6) / Math.max(1, requests)).toFixed(1);
        console.log(
          `${s.name.padEnd(11)} ${v.label.padEnd(6)} ${fmt(accepted / result.seconds)} events/s accepted ` +
            `(${fmt(result.requests / result.seconds)} req/s), p50 ${result.p50Ms.toFixed(1)} ms, ` +
            `p99 ${result.p99Ms.toFixed(1)} ms, max ${result.maxMs.toFixed(1)} ms, non-202 ${result.non202}, ` +
            `errors ${result.errors}; API CPU ${perRequest(cpu, accepted)} µs/event ` +
            `(HTTP thread ${perRequest(http, accepted)}), ` +
            `${((cpu / result.seconds) * 100).toFixed(0)}% of a core; ${client.name} ` +
            `${perRequest(result.clientCpuSeconds, result.requests)} µs/request; ${fmt(spooled)} still ` +
            `spooled; load ${load}`,
        );
        const drainStart = Date.now();
        await waitFor("the spool drained", async () => (await spooledRecords(v.url)) === 0, 300_000);
        if (spooled > 0)
          console.log(`            drained in ${((Date.now() - drainStart) / 1000).toFixed(1)}s`);
      }
    }
  }
  for (const v of variants) {
    v.api.kill("SIGTERM");
    await v.api.exited;
  }
  rmSync(dir, { recursive: true, force: true });
}

await main();
