import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { packageRoot } from "../stack/paths.js";

/**
 * bench:api's load generators. wrk (C, Debian package `wrk`, scripts/bench-tools.sh installs it) is the
 * default when installed: the client shares the API's 2 cores, and autocannon (run in the bench's own
 * Node process) spent about as much CPU per request as the API it measured. autocannon stays as the
 * fallback. Both offer a fixed rate (or as fast as the connections go) and report the same figures.
 */

export interface LoadSpec {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly connections: number;
  readonly seconds: number;
  /** Requests per second over all connections; undefined: as fast as they go. */
  readonly rate?: number;
}

export interface LoadResult {
  /** Responses received. */
  readonly requests: number;
  readonly status202: number;
  readonly non202: number;
  /** Connection errors and timeouts (no HTTP answer). */
  readonly errors: number;
  readonly seconds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** CPU the load generator used (user + system), seconds. */
  readonly clientCpuSeconds: number;
}

export interface LoadClient {
  readonly name: "wrk" | "autocannon";
  run(spec: LoadSpec): Promise<LoadResult>;
}

const WRK_PATHS = ["/usr/bin/wrk", "/usr/local/bin/wrk"];

/** BENCH_CLIENT=wrk|autocannon, else wrk when installed; `note` says why when it falls back. */
export function chooseClient(env: NodeJS.ProcessEnv = process.env): { client: LoadClient; note?: string } {
  const wrk = WRK_PATHS.find((p) => existsSync(p));
  const wanted = env.BENCH_CLIENT;
  if (wanted !== undefined && wanted !== "wrk" && wanted !== "autocannon")
    throw new Error(`BENCH_CLIENT must be wrk or autocannon, not ${wanted}`);
  if (wanted === "autocannon") return { client: autocannonClient() };
  if (wrk) return { client: wrkClient(wrk, Number(env.BENCH_WRK_THREADS ?? 1)) };
  const missing = `wrk is not installed (${WRK_PATHS.join(" or ")})`;
  if (wanted === "wrk") throw new Error(`${missing}: run scripts/bench-tools.sh`);
  return {
    client: autocannonClient(),
    note:
      `${missing}: using autocannon in this Node process, which takes CPU from the API on the same ` +
      "cores; install wrk with scripts/bench-tools.sh (apt-get install -y wrk)",
  };
}

/** CPU seconds of this process's children that have exited and been reaped (cutime + cstime, Linux). */
function reapedChildrenCpu(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.split(" ") ?? [];
  // cutime and cstime are fields 16 and 17 of stat, 14 and 15 after "pid (comm) ".
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

const wrkOutput = z.object({
  requests: z.number(),
  duration_us: z.number(),
  p50_us: z.number(),
  p99_us: z.number(),
  max_us: z.number(),
  statuses: z.record(z.string(), z.number()),
  errors: z.object({ connect: z.number(), read: z.number(), write: z.number(), timeout: z.number() }),
});

/** The figures from the WRK_RESULT line bench/wrk-api.lua's done() prints. */
export function parseWrkOutput(stdout: string): Omit<LoadResult, "clientCpuSeconds"> {
  const line = stdout.split("\n").find((l) => l.startsWith("WRK_RESULT "));
  if (!line) throw new Error(`wrk printed no WRK_RESULT line:\n${stdout.slice(-2000)}`);
  const out = wrkOutput.parse(JSON.parse(line.slice("WRK_RESULT ".length)));
  const status202 = out.statuses["202"] ?? 0;
  return {
    requests: out.requests,
    status202,
    non202: Object.values(out.statuses).reduce((a, b) => a + b, 0) - status202,
    errors: out.errors.connect + out.errors.read + out.errors.write + out.errors.timeout,
    seconds: out.duration_us / 1e6,
    p50Ms: out.p50_us / 1000,
    p99Ms: out.p99_us / 1000,
    maxMs: out.max_us / 1000,
  };
}

function wrkClient(path: string, threads: number): LoadClient {
  const script = join(packageRoot(), "bench", "wrk-api.lua");
  return {
    name: "wrk",
    async run(spec) {
      const dir = mkdtempSync(join(tmpdir(), "floe-wrk-"));
      const bodyFile = join(dir, "body.json");
      writeFileSync(bodyFile, spec.body);
      const t = Math.max(1, Math.min(threads, spec.connections));
      const args = [
        ...["-t", String(t), "-c", String(spec.connections), "-d", `${spec.seconds}s`, "--timeout", "30s"],
        ...["-s", script],
        ...Object.entries(spec.headers).flatMap(([k, v]) => ["-H", `${k}: ${v}`]),
        spec.url,
        "--",
        String(spec.rate ? spec.rate / t : 0),
        bodyFile,
      ];
      const cpu0 = reapedChildrenCpu();
      const stdout = await new Promise<string>((resolve, reject) => {
        const child = spawn(path, args, { stdio: ["ignore", "pipe", "pipe"] });
        let text = "";
        child.stdout.on("data", (d: Buffer) => (text += d));
        child.stderr.on("data", (d: Buffer) => (text += d));
        child.on("error", reject);
        child.on("close", (code) =>
          code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}:\n${text}`)),
        );
      });
      rmSync(dir, { recursive: true, force: true });
      return { ...parseWrkOutput(stdout), clientCpuSeconds: reapedChildrenCpu() - cpu0 };
    },
  };
}

interface CannonResult {
  readonly latency: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly "2xx": number;
  readonly non2xx: number;
  /** Connection errors, timeouts included. */
  readonly errors: number;
  readonly duration: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<CannonResult>;

function autocannonClient(): LoadClient {
  const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;
  return {
    name: "autocannon",
    async run(spec) {
      const cpu0 = process.cpuUsage();
      const result = await autocannon({
        url: spec.url,
        method: "POST",
        headers: spec.headers,
        body: spec.body,
        connections: spec.connections,
        duration: spec.seconds,
        ...(spec.rate ? { overallRate: spec.rate } : {}),
      });
      const cpu = process.cpuUsage(cpu0);
      // The API answers 202 or an error status, never another 2xx.
      return {
        requests: result["2xx"] + result.non2xx,
        status202: result["2xx"],
        non202: result.non2xx,
        errors: result.errors,
        seconds: result.duration,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        maxMs: result.latency.max,
        clientCpuSeconds: (cpu.user + cpu.system) / 1e6,
      };
    },
  };
}
