import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { KafkaMessage } from "kafkajs";
import { packageRoot } from "../stack/paths.js";
import { TOPIC_KINDS } from "./contracts.js";
import { endpointsFromEnv, kafkaClient, trinoFromEnv } from "./endpoints.js";
import { type GenerateOptions, generateShop } from "./generator.js";
import { defaultTopicNames, topicName } from "./producer.js";
import { RAW_COLUMNS, utcDate } from "./raw-schema.js";
import { foldLedger, type LedgerEntry, type ShopLedger } from "./shop-ledger.js";

/** Helpers shared by the ingest integration tests and benchmarks (real stack, unique names per run). */

/** The Trino the tests and benchmarks check raw tables in (and their sinks register them in). */
export const testTrino = trinoFromEnv();

/** A query's rows as tuples, in column order. */
export async function trinoQuery(sql: string): Promise<unknown[][]> {
  const result = await testTrino.query(sql);
  return result.rows.map((row) => result.columns.map((c) => row[c.name]));
}

export interface RunNames {
  readonly id: string;
  readonly topicPrefix: string;
  readonly topics: string[];
  readonly dlq: string;
  readonly prefix: string;
  readonly group: string;
  /** Hive schema for the run's raw tables: tests keep out of the real `hive.raw`. */
  readonly schema: string;
}

export const TEST_SCHEMA = "raw_floe_tests";

export function uniqueRun(label: string): RunNames {
  const id = `${label}${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;
  const topicPrefix = `${id}-`;
  const names = defaultTopicNames(topicPrefix);
  return {
    id,
    topicPrefix,
    topics: TOPIC_KINDS.map((k) => topicName(names, k)),
    dlq: names.dlq,
    prefix: `test-raw/${id}/`,
    group: `${id}-sink`,
    schema: TEST_SCHEMA,
  };
}

/**
 * The sink options that point a run's sink at its own topics, prefix, consumer group and raw schema (its
 * raw tables registered in `testTrino`).
 */
export function sinkTargets(run: RunNames) {
  return {
    topics: run.topics,
    dlqTopic: run.dlq,
    prefix: run.prefix,
    groupId: run.group,
    hiveSchema: run.schema,
    trino: testTrino,
  };
}

export const tableOf = (topic: string) =>
  `hive.${TEST_SCHEMA}.${topic.replace(/[^A-Za-z0-9_]/g, "_").toLowerCase()}`;

/** Messages in a topic (no compaction, so end − start offsets). */
export async function topicMessageCount(topic: string): Promise<number> {
  const admin = kafkaClient(endpointsFromEnv(), "floe-test").admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Reads a whole topic once (every message there when called), mapping each message with `pick`. */
export async function readTopic<T>(topic: string, pick: (message: KafkaMessage) => T): Promise<T[]> {
  const expected = await topicMessageCount(topic);
  const kafka = kafkaClient(endpointsFromEnv(), "floe-test");
  const consumer = kafka.consumer({ groupId: `${topic}-reader-${Date.now()}` });
  const out: T[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${out.length} of ${expected} messages`)), 60_000);
    if (expected === 0) {
      clearTimeout(timer);
      resolve();
      return;
    }
    consumer
      .run({
        eachMessage: async ({ message }) => {
          out.push(pick(message));
          if (out.length >= expected) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return out;
}

/** Reads a whole topic once; returns each message's headers as strings. */
export function readDlq(topic: string): Promise<Record<string, string>[]> {
  return readTopic(topic, (message) => {
    const headers: Record<string, string> = { value_bytes: String(message.value?.length ?? 0) };
    for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
    return headers;
  });
}

export interface RawCheck {
  readonly rows: number;
  readonly distinctOffsets: number;
  readonly badDates: number;
  readonly badPaths: number;
  /** Rows whose event_type/event_date partition disagrees with what the generator produced. */
  readonly wrongPartition: number;
  readonly unknownEventIds: number;
}

/** Counts and partition checks of one raw table against the generator's own truth. */
export async function checkRawTable(
  topic: string,
  truth: Map<string, { type: string; date: string }>,
): Promise<RawCheck> {
  const table = tableOf(topic);
  const [counts] = await trinoQuery(
    `SELECT count(*), count(DISTINCT (_kafka_partition, _kafka_offset)),
       count_if(event_date <> format_datetime(event_time, 'yyyy-MM-dd')),
       count_if(NOT strpos("$path", '/' || '${topic}/event_date=' || event_date || '/event_type=' || event_type || '/${topic}+' || CAST(_kafka_partition AS varchar) || '+') > 0)
     FROM ${table}`,
  );
  const rows = await trinoQuery(`SELECT DISTINCT event_id, event_type, event_date FROM ${table}`);
  let wrongPartition = 0;
  let unknownEventIds = 0;
  for (const [id, type, date] of rows) {
    const t = truth.get(String(id));
    if (!t) unknownEventIds++;
    else if (t.type !== type || t.date !== date) wrongPartition++;
  }
  const c = counts as number[];
  return {
    rows: Number(c[0]),
    distinctOffsets: Number(c[1]),
    badDates: Number(c[2]),
    badPaths: Number(c[3]),
    wrongPartition,
    unknownEventIds,
  };
}

/** event_id → (type, UTC date) of every valid event the generator emits for these options. */
export function generatorTruth(options: GenerateOptions): Map<string, { type: string; date: string }> {
  const truth = new Map<string, { type: string; date: string }>();
  for (const m of generateShop(options).messages) {
    if (!m.event) continue;
    truth.set(String(m.event.event_id), {
      type: String(m.event.event_type),
      date: utcDate(new Date(String(m.event.event_time))),
    });
  }
  return truth;
}

/** The contract's test shop: 1% duplicates, 0.5% malformed, 2% late, fixed start so truth is stable. */
export function testShop(events: number, seed: number, days = 3): GenerateOptions {
  return {
    events,
    seed,
    duplicates: 0.01,
    malformed: 0.005,
    late: 0.02,
    start: new Date("2026-03-01T00:00:00Z"),
    days,
  };
}

/** Checks every raw table of a run; returns the total row count and a list of problems (empty = good). */
export async function verifyRawTables(
  topics: readonly string[],
  shop: GenerateOptions,
): Promise<{ rows: number; problems: string[] }> {
  const truth = generatorTruth(shop);
  let rows = 0;
  const problems: string[] = [];
  for (const topic of topics) {
    const c = await checkRawTable(topic, truth);
    rows += c.rows;
    if (c.distinctOffsets !== c.rows)
      problems.push(`${topic}: ${c.rows - c.distinctOffsets} duplicate offsets`);
    if (c.badDates > 0)
      problems.push(`${topic}: ${c.badDates} rows whose event_date is not their event_time's date`);
    if (c.badPaths > 0) problems.push(`${topic}: ${c.badPaths} rows in a path not matching their partition`);
    if (c.wrongPartition > 0)
      problems.push(`${topic}: ${c.wrongPartition} rows under the wrong event_type/event_date`);
    if (c.unknownEventIds > 0)
      problems.push(`${topic}: ${c.unknownEventIds} event_ids the generator never made`);
  }
  return { rows, problems };
}

/** The event fields the ledger fold reads (`shop-ledger.ts`), where a topic's raw table has them. */
const FOLDED = ["user_id", "session_id", "order_id", "customer_id", "amount", "currency", "country"];

/**
 * The ledger fold applied to the rows a run's raw tables hold, read back through Trino in offset order;
 * `ledger` gives the header (seed, start, catalog sizes) that rows cannot tell.
 */
export async function rawTablesLedger(topicPrefix: string, ledger: ShopLedger): Promise<ShopLedger> {
  const entries: LedgerEntry[] = [];
  for (const kind of TOPIC_KINDS) {
    const columns = FOLDED.filter((c) => RAW_COLUMNS[kind].some((r) => r.name === c));
    const rows = await trinoQuery(
      `SELECT event_id, event_type, cast(event_time AS varchar), ${columns.join(", ")}
       FROM ${tableOf(topicName({ prefix: topicPrefix }, kind))}
       ORDER BY _kafka_partition, _kafka_offset`,
    );
    for (const [id, type, time, ...values] of rows) {
      const event: Record<string, unknown> = { event_id: id, event_type: type, event_time: time };
      columns.forEach((c, i) => {
        event[c] = values[i];
      });
      entries.push({ kind, event });
    }
  }
  return foldLedger({ ...ledger, start: new Date(ledger.start) }, entries);
}

/**
 * The part of a ledger that rows read back can reproduce (malformed messages are in the DLQ, not in rows,
 * and `late` is the generator's own mark), orders in id order: equal for the raw tables' ledger and the
 * generator's when raw = ledger.
 */
export function comparableLedger(ledger: ShopLedger) {
  const { valid, uniqueEvents, duplicates, validByTopic, uniqueByType } = ledger.messages;
  return {
    messages: { valid, uniqueEvents, duplicates, validByTopic, uniqueByType },
    orders: [...ledger.orders].sort((a, b) => a.order_id.localeCompare(b.order_id)),
    revenueByDay: ledger.revenueByDay,
    funnel: ledger.funnel,
    sameDayPurchasers: ledger.sameDayPurchasers,
  };
}

/** Builds the CLI that child processes run (tsc, then the bundle `bin/floe.js` loads). */
export function buildCli(): void {
  execFileSync("npm", ["run", "build"], { cwd: packageRoot(), stdio: "inherit" });
}

/** How a `floe ingest sink` child ended: its exit code or the signal, and everything it printed. */
export interface SinkExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
}

/**
 * `floe ingest sink` as a child process of the built CLI (`bin/floe.js`: run `npm run build` first), so a
 * test can SIGKILL it as a crash would; `env` points it elsewhere (e.g. `FLOE_S3_ENDPOINT` at a proxy).
 */
export class SinkChild {
  private text = "";
  private readonly child: ChildProcess;
  private readonly listeners: (() => void)[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  readonly exited: Promise<SinkExit>;

  constructor(args: readonly string[], env: NodeJS.ProcessEnv = process.env) {
    this.child = spawn(process.execPath, ["bin/floe.js", "ingest", "sink", ...args], {
      cwd: packageRoot(),
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const onData = (d: Buffer) => {
      this.text += d;
      for (const listener of this.listeners) listener();
    };
    this.child.stdout?.on("data", onData);
    this.child.stderr?.on("data", onData);
    this.exited = new Promise((resolve) =>
      this.child.on("close", (code, signal) => {
        for (const timer of this.timers) clearTimeout(timer);
        resolve({ code, signal, output: this.text });
      }),
    );
  }

  get output(): string {
    return this.text;
  }

  /** New files it made durable so far (`-v` prints a "  wrote" line for each). */
  get files(): number {
    return (this.text.match(/ {2}wrote /g) ?? []).length;
  }

  /** Runs `action` `delayMs` after it made its `n`-th new file durable, unless it has exited by then. */
  afterFiles(n: number, delayMs: number, action: () => void): void {
    let armed = false;
    const check = () => {
      if (armed || this.files < n) return;
      armed = true;
      this.timers.push(setTimeout(action, delayMs));
    };
    this.listeners.push(check);
    check();
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    this.child.kill(signal);
  }
}

/** A child sink's flags for a run's topics, prefix, group and schema, verbose, with `extra` flags after. */
export function sinkChildArgs(run: RunNames, ...extra: string[]): string[] {
  return [
    ...["--topic-prefix", run.topicPrefix, "--prefix", run.prefix, "--group", run.group],
    ...["--schema", run.schema, "--metrics-port", "0", "-v", ...extra],
  ];
}
