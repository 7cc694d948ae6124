import { describe, expect, it } from "vitest";
import type { SinkEvent } from "../../ingest/sink.js";
import { main } from "../main.js";
import { recordingIO } from "../testing/recording-io.js";
import { sinkEventJson, sinkLog } from "./sink-log.js";

const at = new Date("2026-12-06T12:00:00.000Z");
const parse = (line: string | undefined) => JSON.parse(line ?? "null") as Record<string, unknown>;

describe("the sink's --log-format json lines", () => {
  it("carry json-line's shape, the event as sink.<kind> and its fields in snake_case", () => {
    const line = parse(
      sinkEventJson(
        { kind: "paused", topic: "orders", partition: 2, error: "S3 down", resumeInMs: 10_000 },
        false,
        at,
      ),
    );
    expect(line).toMatchObject({
      ts: "2026-12-06T12:00:00.000Z",
      level: "warn",
      event: "sink.paused",
      msg: "paused orders[2] for 10s after retries: S3 down",
      topic: "orders",
      partition: 2,
      resume_in_ms: 10_000,
    });
    expect(typeof line.invocation_id).toBe("string");
  });

  it("leave a file's Kafka timestamps out and follow --verbose like the text", () => {
    const file: SinkEvent = {
      kind: "file",
      file: {
        key: "raw/orders/x.parquet",
        topic: "orders",
        partition: 0,
        eventDate: "2026-12-06",
        eventType: "order_placed",
        records: 3,
        outcome: "written",
        kafkaTimestamps: [1, 2, 3],
        durableAt: 4,
      },
    };
    expect(sinkEventJson(file, false, at)).toBeUndefined();
    const line = parse(sinkEventJson(file, true, at));
    expect(line.file).toMatchObject({ key: "raw/orders/x.parquet", event_date: "2026-12-06", records: 3 });
    expect(line.file).not.toHaveProperty("kafka_timestamps");
  });

  it("end with the summary as one JSON line, or the text line", () => {
    const summary = { records: 10, files: 2, existingFiles: 0, dlq: 1, skipped: 0 };
    expect(parse(sinkLog("json", false).summary(summary))).toMatchObject({
      event: "sink.stopped",
      msg: "sink stopped: 10 rows in 2 new files, 1 to the DLQ",
      existing_files: 0,
    });
    expect(sinkLog("text", false).summary(summary)).toBe(
      "sink stopped: 10 rows in 2 new files, 1 to the DLQ\n",
    );
  });
});

describe("floe ingest sink --log-format json with a bad setting", () => {
  it("fails before connecting, with one JSON error line naming the variable", async () => {
    const io = recordingIO({
      env: { ...process.env, FLOE_KAFKA_BROKERS: "127.0.0.1:1", FLOE_KAFKA_SASL_MECHANISM: "gssapi" },
    });
    const code = await main(
      ["node", "floe", "ingest", "sink", "--log-format", "json", "--metrics-port", "0"],
      io,
    );
    expect(code).toBe(2);
    const lines = io.stderrText().trim().split("\n");
    expect(lines).toHaveLength(1);
    const error = parse(lines[0]);
    expect(error.level).toBe("error");
    expect(JSON.stringify(error)).toContain("FLOE_KAFKA_SASL_MECHANISM");
  });

  it("refuses a --log-format it does not know", async () => {
    const io = recordingIO();
    expect(await main(["node", "floe", "ingest", "sink", "--log-format", "yaml"], io)).toBe(2);
    expect(io.stderrText()).toContain("--log-format");
  });
});
