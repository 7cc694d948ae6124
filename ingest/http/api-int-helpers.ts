import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { packageRoot } from "../../stack/paths.js";
import { createKey, type NewKey } from "./api-keys.js";

/** Helpers shared by the ingestion API's integration tests and `bench:api` (real HTTP, real stack). */

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `floe-api-${label}-`));
}

/** A key file in a fresh directory holding one key per spec; returns the file and the secrets by name. */
export function keysWith(
  dir: string,
  specs: readonly NewKey[],
): { file: string; secrets: Record<string, string> } {
  const file = join(dir, "api-keys.json");
  const secrets: Record<string, string> = {};
  for (const spec of specs) secrets[spec.name] = createKey(file, spec).secret;
  return { file, secrets };
}

/** A valid product_view with a fresh event_id (a minute old, so every contract bound accepts it). */
export function productView(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_id: randomUUID(),
    event_type: "product_view",
    event_time: new Date(Date.now() - 60_000).toISOString(),
    user_id: `u${i % 997}`,
    session_id: `s${i % 97}`,
    product_id: `p${i % 31}`,
    ...extra,
  };
}

export function orderPaid(i: number): Record<string, unknown> {
  return {
    event_id: randomUUID(),
    event_type: "order_paid",
    event_time: new Date(Date.now() - 60_000).toISOString(),
    order_id: `o${i}`,
    customer_id: `c${i % 50}`,
    amount: 10 + (i % 7),
    currency: "EUR",
    country: "FR",
  };
}

export interface Posted {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Headers;
}

/** POSTs events with Node's fetch (a real HTTP client over loopback). */
export async function postEvents(
  url: string,
  key: string | undefined,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Posted> {
  const response = await fetch(`${url}/v1/events`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
      ...headers,
    },
    body: typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { text };
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/**
 * `floe ingest api` as a child process of the built CLI (run `npm run build` first), so a test can SIGKILL
 * it as a crash would. `ready` resolves with its URL once it listens.
 */
export class ApiChild {
  private text = "";
  private readonly child: ChildProcess;
  readonly ready: Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  /**
   * `root`: the checkout whose build runs (bench:api compares builds side by side); `nodeArgs`: flags for
   * node itself (`--cpu-prof`, which NODE_OPTIONS does not take).
   */
  constructor(
    args: readonly string[],
    env: NodeJS.ProcessEnv = process.env,
    { root = packageRoot(), nodeArgs = [] }: { root?: string; nodeArgs?: readonly string[] } = {},
  ) {
    const cli = ["bin/floe.js", "ingest", "api", "--port", "0", ...args];
    this.child = spawn(process.execPath, [...nodeArgs, ...cli], {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.ready = new Promise((resolve, reject) => {
      const onData = (d: Buffer) => {
        this.text += d;
        const url = /ingestion API on (http:\/\/\S+)/.exec(this.text)?.[1];
        if (url) resolve(url);
      };
      this.child.stdout?.on("data", onData);
      this.child.stderr?.on("data", onData);
      this.child.on("close", () => reject(new Error(`the API exited before listening:\n${this.text}`)));
    });
    this.exited = new Promise((resolve) =>
      this.child.on("close", (code, signal) => resolve({ code, signal })),
    );
  }

  get output(): string {
    return this.text;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    this.child.kill(signal);
  }
}

/**
 * The built Kafka link thread, for tests that start the API from TypeScript sources (which cannot start a
 * thread themselves): they then forward through the same worker thread as `floe ingest api`.
 */
export function builtLinkWorker(): URL {
  const path = join(packageRoot(), "dist", "bundle", "kafka-link-worker.js");
  if (!existsSync(path)) throw new Error(`${path} is missing: run npm run build first`);
  return pathToFileURL(path);
}

/** Spooled events not yet in Kafka, as `/readyz` reports them. */
export async function spooledRecords(url: string): Promise<number> {
  const ready = (await (await fetch(`${url}/readyz`)).json()) as { spool: { records: number } };
  return ready.spool.records;
}

/** Polls until `check` holds, or fails after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Posts batches of product views from `workers` concurrent clients until `stop` is aborted; returns the
 * event ids of every request answered 202 (durably accepted), the ids of requests that got no answer (a
 * killed server: they may or may not have been spooled) and the statuses seen.
 */
export async function loadUntil(
  url: () => string,
  key: string,
  stop: AbortSignal,
  options: { batch: number; workers: number; pauseMs: number },
): Promise<{ accepted: string[]; unanswered: string[]; statuses: Record<number, number> }> {
  const accepted: string[] = [];
  const unanswered: string[] = [];
  const statuses: Record<number, number> = {};
  let n = 0;
  const worker = async () => {
    while (!stop.aborted) {
      const events = Array.from({ length: options.batch }, () => productView(n++));
      const ids = events.map((e) => e.event_id as string);
      try {
        const posted = await postEvents(url(), key, events);
        statuses[posted.status] = (statuses[posted.status] ?? 0) + 1;
        if (posted.status === 202) accepted.push(...ids);
      } catch {
        unanswered.push(...ids);
        statuses[0] = (statuses[0] ?? 0) + 1;
      }
      await new Promise((r) => setTimeout(r, options.pauseMs));
    }
  };
  await Promise.all(Array.from({ length: options.workers }, worker));
  return { accepted, unanswered, statuses };
}
