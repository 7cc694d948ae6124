import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Kafka, ProducerBatch } from "kafkajs";
import { afterAll, describe, expect, it } from "vitest";
import type { CliIO } from "../../cli/commands/io.js";
import { main } from "../../cli/main.js";
import { endpointsFromEnv, kafkaClient } from "../endpoints.js";
import {
  type RunNames,
  readDlq,
  readTopic,
  sinkTargets,
  tableOf,
  topicMessageCount,
  trinoQuery,
  uniqueRun,
} from "../int-helpers.js";
import { PUBLISH_RETRY } from "../producer.js";
import { runSink } from "../sink.js";
import { loadFiles } from "./load.js";
import { ndjsonText, parquetFromNdjson } from "./test-files.js";

/**
 * `floe ingest load` against the real stack: Kafka for the topics, S3 for the records, the sink and Trino
 * for the raw rows. Every test has its own topic prefix (so its own records under _floe/loads/<prefix>).
 */

const dir = mkdtempSync(join(tmpdir(), "floe-load-it-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Today at noon UTC, so every event lands in one event_date partition well inside the contract's bounds. */
const NOON = `${new Date().toISOString().slice(0, 10)}T12:00:00.000Z`;

function view(i: number) {
  return {
    event_id: randomUUID(),
    event_type: i % 3 === 0 ? "add_to_cart" : "product_view",
    event_time: NOON,
    user_id: `u-${i}`,
    session_id: `s-${i % 7}`,
    product_id: `p-${i % 11}`,
    quantity: 1 + (i % 4),
    price: 9.5,
    currency: "USD",
  };
}

function order(i: number) {
  return {
    event_id: randomUUID(),
    event_type: "order_paid",
    event_time: NOON,
    order_id: `o-${i}`,
    customer_id: `u-${i}`,
    amount: 20.25,
    currency: "EUR",
    country: "DE",
  };
}

function recordingIO(): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => {
      out.push(t);
    },
    stderr: (t) => {
      err.push(t);
    },
    env: process.env,
    cwd: process.cwd(),
  };
}

async function floe(...args: string[]) {
  const io = recordingIO();
  const code = await main(["node", "floe", ...args], io);
  return { code, out: io.out.join(""), err: io.err.join("") };
}

/** Lands the run's topics in its raw tables, then returns each event_id's row count in `topic`'s table. */
async function landAndCount(run: RunNames, topic: string): Promise<Map<string, number>> {
  await runSink({ ...sinkTargets(run), untilIdle: true, idleMs: 3_000, metricsPort: null });
  const rows = await trinoQuery(`SELECT event_id, count(*) FROM ${tableOf(topic)} GROUP BY event_id`);
  return new Map(rows.map(([id, n]) => [String(id), Number(n)]));
}

/** The event_id of every message in a topic, in the order read. */
const eventIdsIn = (topic: string) =>
  readTopic(topic, (m) => String((JSON.parse(String(m.value)) as { event_id: unknown }).event_id));

function expectExactlyOnce(counts: Map<string, number>, ids: readonly string[]) {
  expect([...counts.keys()].sort()).toEqual([...ids].sort());
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
}

describe("floe ingest load (real Kafka, S3, sink and Trino)", () => {
  it("loads an NDJSON file once: the second load is skipped and says so; bad rows go to the DLQ", {
    timeout: 300_000,
  }, async () => {
    const run = uniqueRun("ld");
    const good = Array.from({ length: 40 }, (_, i) => view(i));
    const orders = Array.from({ length: 5 }, (_, i) => order(i));
    const bad = [
      "{not json",
      JSON.stringify({ ...view(99), user_id: undefined }),
      JSON.stringify({ ...view(98), event_type: "page_scroll" }),
    ];
    const lines = [
      ...good.slice(0, 20).map((e) => JSON.stringify(e)),
      bad[0],
      "",
      ...good.slice(20).map((e) => JSON.stringify(e)),
    ];
    lines.push(...orders.map((e) => JSON.stringify(e)), bad[1] ?? "", bad[2] ?? "");
    const path = join(dir, "events.ndjson");
    writeFileSync(path, `${lines.join("\n")}\n`);

    const first = await floe("ingest", "load", path, "--topic-prefix", run.topicPrefix);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(
      new RegExp(
        `loaded ${path}: 48 rows; accepted ${run.topicPrefix}user-events 40, ${run.topicPrefix}orders 5; 3 dead-lettered`,
      ),
    );
    const second = await floe("ingest", "load", path, "--topic-prefix", run.topicPrefix);
    expect(second.code).toBe(0);
    expect(second.out).toMatch(/^skipped: already loaded [0-9a-f]{64} at \d{4}-\d\d-\d\dT[\d:.]+Z/);
    expect(second.out).toMatch(/1 skipped/);

    // Once in Kafka, once in the raw table, by event_id.
    expect(await topicMessageCount(`${run.topicPrefix}user-events`)).toBe(40);
    expectExactlyOnce(
      await landAndCount(run, `${run.topicPrefix}user-events`),
      good.map((e) => e.event_id),
    );
    const [orderRows] = await trinoQuery(
      `SELECT count(DISTINCT event_id), count(*) FROM ${tableOf(`${run.topicPrefix}orders`)}`,
    );
    expect(orderRows?.map(Number)).toEqual([5, 5]);

    const letters = await readDlq(run.dlq);
    expect(letters).toHaveLength(3);
    const byLine = new Map(letters.map((h) => [h.source_line, h]));
    expect(byLine.get("21")?.error).toMatch(/^invalid JSON/);
    // Line 22 is blank (not a row): 20 + 1 + 1 + 20 events + 5 orders, then the two bad events.
    expect(byLine.get("48")?.error).toBe("add_to_cart v1: user_id: required");
    expect(byLine.get("49")?.error).toMatch(/unknown event_type "page_scroll"/);
    for (const h of letters) {
      expect(h.source_file).toBe(path);
      expect(h.source_sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(Number(h.source_row)).toBeGreaterThanOrEqual(0);
    }
  });

  it("loads a folder of CSV and Parquet files, typing their cells, each file once", {
    timeout: 300_000,
  }, async () => {
    const run = uniqueRun("lf");
    const folder = join(dir, "folder");
    mkdirSync(folder);
    const csvEvents = Array.from({ length: 30 }, (_, i) => view(i));
    const header =
      "event_id,event_type,event_time,user_id,session_id,product_id,quantity,price,currency,app_version";
    const csvLines = csvEvents.map(
      (e) =>
        `${e.event_id},${e.event_type},${e.event_time},${e.user_id},${e.session_id},${e.product_id},${e.quantity},${e.price},${e.currency},7.1`,
    );
    csvLines.splice(10, 0, `${randomUUID()},product_view,${NOON},u-x,s-x,p-x,1,9.5`); // a short row
    csvLines.push(`${randomUUID()},add_to_cart,${NOON},u-y,s-y,p-y,many,9.5,USD,7.1`); // quantity not a number
    writeFileSync(join(folder, "a.csv"), `${header}\n${csvLines.join("\n")}\n`);

    const parquetEvents = Array.from({ length: 25 }, (_, i) => view(100 + i));
    const source = join(dir, "for-parquet.ndjson");
    // A row without session_id: null in Parquet, absent in the event, refused by the contract.
    const noSession = { ...view(200), session_id: null };
    writeFileSync(source, ndjsonText([...parquetEvents, noSession]));
    // DuckDB types event_time as TIMESTAMP and quantity as BIGINT: the loader must map them back.
    await parquetFromNdjson(source, join(folder, "b.parquet"));
    writeFileSync(join(folder, "notes.txt"), "not loaded\n");

    const summary = await loadFiles({ source: folder, topicPrefix: run.topicPrefix });
    expect(
      summary.files.map((f) => [f.name.slice(folder.length + 1), f.format, f.state, f.rows, f.deadLettered]),
    ).toEqual([
      ["a.csv", "csv", "loaded", 32, 2],
      ["b.parquet", "parquet", "loaded", 26, 1],
    ]);

    const topic = `${run.topicPrefix}user-events`;
    const counts = await landAndCount(run, topic);
    expectExactlyOnce(
      counts,
      [...csvEvents, ...parquetEvents].map((e) => e.event_id),
    );
    // Typed: numbers are numbers, the unknown column an attribute, the event time the same instant.
    const [typed] = await trinoQuery(
      `SELECT quantity, price, element_at(attributes, 'app_version'), CAST(event_time AS varchar) FROM ${tableOf(topic)} WHERE event_id = '${csvEvents[3]?.event_id}'`,
    );
    expect(typed).toEqual([csvEvents[3]?.quantity, 9.5, "7.1", NOON.replace("T", " ").replace("Z", "")]);
    const [fromParquet] = await trinoQuery(
      `SELECT user_id, quantity FROM ${tableOf(topic)} WHERE event_id = '${parquetEvents[2]?.event_id}'`,
    );
    expect(fromParquet).toEqual(["u-102", parquetEvents[2]?.quantity]);

    const letters = await readDlq(run.dlq);
    expect(letters.map((h) => h.error).sort()).toEqual([
      expect.stringMatching(/^add_to_cart v1: quantity: Invalid input: expected number/),
      expect.stringMatching(/^bad CSV row: .*/),
      expect.stringMatching(/session_id: required/),
    ]);
    const badRow = letters.find((h) => h.error?.startsWith("bad CSV row"));
    expect(badRow?.source_line).toBe("12");
    // The short row's own text is the letter's value.
    expect(Number(badRow?.value_bytes)).toBe(Buffer.byteLength(csvLines[10] ?? ""));
    expect(letters.find((h) => h.error?.includes("session_id"))).toMatchObject({ source_row: "25" });

    const again = await loadFiles({ source: folder, topicPrefix: run.topicPrefix });
    expect(again.files.map((f) => f.state)).toEqual(["skipped", "skipped"]);
    expect(await topicMessageCount(topic)).toBe(55);
  });

  it("downloads a URL through failures: two 503s then the file, loaded once", {
    timeout: 120_000,
  }, async () => {
    const run = uniqueRun("lu");
    const events = Array.from({ length: 50 }, (_, i) => view(i));
    const body = ndjsonText(events);
    let requests = 0;
    const server = await serve((req, res) => {
      requests++;
      if (req.url !== "/exports/events.ndjson") {
        res.writeHead(404).end("no such export");
        return;
      }
      if (requests <= 2) {
        res.writeHead(503).end("busy");
        return;
      }
      res.writeHead(200, { "content-type": "application/x-ndjson" }).end(body);
    });
    try {
      const url = `${server.url}/exports/events.ndjson`;
      const result = await floe("ingest", "load", url, "--topic-prefix", run.topicPrefix, "--retries", "4");
      expect(result.code).toBe(0);
      expect(requests).toBe(3);
      expect(result.err.match(/retry \d of the download/g)).toHaveLength(2);
      expect(result.out).toMatch(/loaded http:\/\/127\.0\.0\.1:\d+\/exports\/events\.ndjson: 50 rows/);
      const again = await floe("ingest", "load", url, "--topic-prefix", run.topicPrefix);
      expect(again.out).toMatch(/^skipped: already loaded/);
      const ids = await eventIdsIn(`${run.topicPrefix}user-events`);
      expect(ids.sort()).toEqual(events.map((e) => e.event_id).sort());

      // A 404 is not retried: one request, and the error names the status.
      const before = requests;
      const missing = await floe(
        "ingest",
        "load",
        `${server.url}/gone.csv?x=1`,
        "--topic-prefix",
        run.topicPrefix,
      );
      expect(missing.code).toBe(2);
      expect(missing.err).toMatch(/LOAD_HTTP_STATUS\] GET http:\S+\/gone\.csv\?x=1 answered 404/);
      expect(requests - before).toBe(1);
    } finally {
      await server.close();
    }
  });

  it("a download dropped midway records and publishes nothing; the next load completes it exactly once", {
    timeout: 120_000,
  }, async () => {
    const run = uniqueRun("lx");
    const events = Array.from({ length: 400 }, (_, i) => view(i));
    const body = Buffer.from(ndjsonText(events));
    let healthy = false;
    let requests = 0;
    const server = await serve((_req, res) => {
      requests++;
      res.writeHead(200, { "content-length": String(body.length) });
      if (healthy) {
        res.end(body);
        return;
      }
      // Half the body, then the connection drops.
      res.write(body.subarray(0, body.length / 2), () => res.socket?.destroy());
    });
    try {
      const url = `${server.url}/events.ndjson`;
      const broken = await floe("ingest", "load", url, "--topic-prefix", run.topicPrefix, "--retries", "2");
      expect(broken.code).toBe(2);
      expect(broken.err).toMatch(/LOAD_URL_UNREACHABLE/);
      expect(requests).toBe(2);
      // Nothing published (the topics do not even exist yet) and nothing recorded.
      const admin = kafkaClient(endpointsFromEnv(), "floe-test").admin();
      await admin.connect();
      const topics = await admin.listTopics();
      await admin.disconnect();
      expect(topics.filter((t) => t.startsWith(run.topicPrefix))).toEqual([]);

      healthy = true;
      const fixed = await floe("ingest", "load", url, "--topic-prefix", run.topicPrefix);
      expect(fixed.code).toBe(0);
      expect(fixed.out).toMatch(/: 400 rows; accepted \S+user-events 400; 0 dead-lettered/);
      const ids = await eventIdsIn(`${run.topicPrefix}user-events`);
      expect(ids).toHaveLength(400);
      expect(new Set(ids).size).toBe(400);
    } finally {
      await server.close();
    }
  });

  it("a load whose ack is lost stops unrecorded; the next load finds the batch that landed and sends only the rest", {
    timeout: 180_000,
  }, async () => {
    const run = uniqueRun("lk");
    const events = Array.from({ length: 1_000 }, (_, i) => view(i));
    const path = join(dir, "acks.ndjson");
    writeFileSync(path, ndjsonText(events));
    // The second produce request reaches the broker, but its acknowledgement is "lost".
    const lossy = ackLosingKafka(kafkaClient(endpointsFromEnv(), "floe-load-test"), 2);
    const failed = loadFiles({
      source: path,
      topicPrefix: run.topicPrefix,
      batch: 200,
      // Transient errors (a leader not yet elected for the new topics) are retried; the lost ack is not.
      retry: { attempts: 5, baseMs: 200, maxMs: 2_000 },
      kafka: lossy,
    });
    await expect(failed).rejects.toMatchObject({ code: "KAFKA_PUBLISH_FAILED" });
    await expect(failed).rejects.toThrow(/200 rows are published, the file is not recorded/);
    const topic = `${run.topicPrefix}user-events`;
    expect(await topicMessageCount(topic)).toBe(400);

    const events2: string[] = [];
    const resumed = await loadFiles({
      source: path,
      topicPrefix: run.topicPrefix,
      batch: 200,
      retry: PUBLISH_RETRY,
      onEvent: (e) => {
        if (e.kind === "loop" && e.event.kind === "resumed")
          events2.push(`${e.event.from}/${e.event.landed}`);
      },
    });
    expect(events2).toEqual(["200/200"]);
    expect(resumed.files[0]).toMatchObject({ state: "loaded", rows: 1_000, resumedFrom: 200 });
    expect(resumed.files[0]?.accepted).toEqual({ [topic]: 1_000 });
    const ids = await eventIdsIn(topic);
    expect(ids).toHaveLength(1_000);
    expect(new Set(ids)).toEqual(new Set(events.map((e) => e.event_id)));
    expect((await floe("ingest", "load", path, "--topic-prefix", run.topicPrefix)).out).toMatch(/^skipped/);
  });

  it("a send whose ack is lost is retried inside the run: the read-back finds it landed, nothing is sent twice", {
    timeout: 120_000,
  }, async () => {
    const run = uniqueRun("lr");
    const events = Array.from({ length: 600 }, (_, i) => view(i));
    const path = join(dir, "retry.ndjson");
    writeFileSync(path, ndjsonText(events));
    const retries: string[] = [];
    const summary = await loadFiles({
      source: path,
      topicPrefix: run.topicPrefix,
      batch: 200,
      retry: { attempts: 5, baseMs: 200, maxMs: 2_000 },
      // The second request is written, then reported as a reset connection (retriable).
      kafka: ackLosingKafka(kafkaClient(endpointsFromEnv(), "floe-load-test"), 2, true),
      onEvent: (e) => {
        if (e.kind === "loop" && e.event.kind === "retry") retries.push(e.event.error);
      },
    });
    expect(retries).toContain("connection reset before the ack");
    expect(summary.files[0]).toMatchObject({ state: "loaded", rows: 600 });
    const ids = await eventIdsIn(`${run.topicPrefix}user-events`);
    expect(ids).toHaveLength(600);
    expect(new Set(ids).size).toBe(600);
  });
});

/** A Kafka client whose producers' `nth` sendBatch is written by the broker but then reported as failed (retriable or not). */
function ackLosingKafka(real: Kafka, nth: number, retriable = false): Kafka {
  const wrapped = Object.create(real) as Kafka;
  wrapped.producer = (config) => {
    const producer = real.producer(config);
    const send = producer.sendBatch.bind(producer);
    let sends = 0;
    producer.sendBatch = async (batch: ProducerBatch) => {
      const result = await send(batch);
      if (++sends === nth) {
        throw retriable
          ? Object.assign(new Error("connection reset before the ack"), { code: "ECONNRESET" })
          : Object.assign(new Error("the ack was lost"), { retriable: false });
      }
      return result;
    };
    return producer;
  };
  return wrapped;
}

async function serve(
  handler: Parameters<typeof createServer>[1],
): Promise<{ url: string; close: () => Promise<void>; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
