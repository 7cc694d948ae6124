/**
 * `npm run bench:api`: the ingestion API (`floe ingest api`, a child process of the built CLI) under
 * autocannon, with the stack running (the API forwards to the real Kafka while it is measured).
 *
 * Scenarios, each BENCH_SECONDS (default 15) long:
 * - batch@10k: 100 events per request at 100 requests/s = 10,000 events/s (the seeds' peak);
 * - single@10k: one event per request at 10,000 requests/s;
 * - batch@max and single@max: as fast as the connections go (BENCH_CONNECTIONS, default 16, for batches;
 *   BENCH_SINGLE_CONNECTIONS, default 200, for single events).
 * For each: accepted events/s (202s × events per request / time), p50/p99 latency, non-202 answers, the
 * API process's CPU per accepted event (its utime+stime from /proc), and the events still spooled at the
 * end (how far the forwarder trailed). BENCH_SCENARIOS (comma-separated names) runs only some;
 * BENCH_VARIANTS=main,worker runs an API per kafkajs placement and alternates them (BENCH_ROUNDS times).
 */
import { readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
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

interface CannonResult {
  readonly requests: { readonly average: number; readonly total: number };
  readonly latency: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly "2xx": number;
  readonly non2xx: number;
  readonly errors: number;
  readonly duration: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
/**
 * One event per request needs many clients: a request is answered after its fsync, and group commit
 * shares one fsync among the requests waiting, so requests/s ≈ connections ÷ latency.
 */
const SINGLE_CONNECTIONS = Number(process.env.BENCH_SINGLE_CONNECTIONS ?? 200);
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after "pid (comm) ".
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** One API under test: a child process with its own spool, forwarding with kafkajs on `thread`. */
interface Variant {
  readonly thread: string;
  readonly api: ApiChild;
  readonly url: string;
  readonly pid: number;
}

async function main(): Promise<void> {
  const run = uniqueRun("benchapi");
  const dir = tempDir("bench");
  const { file, secrets } = keysWith(dir, [{ name: "bench", rate: 10_000_000 }]);
  // BENCH_VARIANTS=main,worker: one API per kafkajs placement, measured alternately scenario by scenario
  // (same machine, same minutes); BENCH_ROUNDS repeats the alternation.
  const threads = (process.env.BENCH_VARIANTS ?? "worker").split(",");
  const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
  const variants: Variant[] = [];
  for (const thread of threads) {
    const api = new ApiChild(
      ["--keys-file", file, "--spool-dir", join(dir, `spool-${thread}`), "--topic-prefix", run.topicPrefix],
      { ...process.env, FLOE_API_FORWARD_THREAD: thread },
    );
    variants.push({ thread, api, url: await api.ready, pid: api.pid as number });
  }
  const headers = { "content-type": "application/json", authorization: `Bearer ${secrets.bench}` };
  const one = JSON.stringify(productView(1));
  const batch = JSON.stringify(Array.from({ length: 100 }, (_, i) => productView(i)));
  console.log(
    `APIs ${variants.map((v) => `${v.thread} at ${v.url} (pid ${v.pid})`).join(", ")}; ${SECONDS}s per scenario, ` +
      `${CONNECTIONS} connections for batches, ${SINGLE_CONNECTIONS} for single events; topics ${run.topicPrefix}*; ` +
      `load average ${loadavg()[0]?.toFixed(1)}`,
  );
  for (const v of variants) {
    // Warm-up: topics created, producer connected, JIT warm.
    await autocannon({
      url: `${v.url}/v1/events`,
      method: "POST",
      headers,
      body: batch,
      connections: 4,
      duration: 3,
    });
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
        const result = await autocannon({
          url: `${v.url}/v1/events`,
          method: "POST",
          headers,
          body: s.body,
          connections: s.connections,
          duration: SECONDS,
          ...(s.rate ? { overallRate: s.rate } : {}),
        });
        const cpu = cpuSeconds(v.pid) - cpu0;
        const accepted = result["2xx"] * s.events;
        const spooled = await spooledRecords(v.url);
        console.log(
          `${s.name.padEnd(11)} ${v.thread.padEnd(6)} ${fmt(accepted / result.duration)} events/s accepted (${fmt(result.requests.average)} req/s), ` +
            `p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms, ` +
            `non-202 ${result.non2xx}, errors ${result.errors}; API CPU ${((cpu * 1e6) / Math.max(1, accepted)).toFixed(1)} µs/event ` +
            `(${((cpu / result.duration) * 100).toFixed(0)}% of a core); ${fmt(spooled)} still spooled; load ${load}`,
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
