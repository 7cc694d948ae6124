import { describe, expect, it } from "vitest";
import { icebergSinkProperties, literalRegex, propertiesText, workerProperties } from "./connect-config.js";

const sink = {
  name: "peers1-iceberg",
  tables: [
    { topic: "peers1-user-events", table: "peers1.user_events" },
    { topic: "peers1-orders", table: "peers1.orders" },
  ],
  dlqTopic: "peers1-iceberg-dlq",
  controlTopic: "peers1-control-iceberg",
  controlGroupPrefix: "peers1-cg-control",
  commitIntervalMs: 60_000,
  catalogUri: "http://127.0.0.1:8181",
  s3Endpoint: "http://127.0.0.1:9000",
  s3AccessKey: "floe",
  s3SecretKey: "floe-local-secret",
};

describe("the Iceberg sink's properties", () => {
  it("routes each topic to its own table by an exact match of the topic name", () => {
    const p = icebergSinkProperties(sink);
    expect(p.topics).toBe("peers1-user-events,peers1-orders");
    expect(p["iceberg.tables"]).toBe("peers1.user_events,peers1.orders");
    expect(p["iceberg.table.peers1.user_events.route-regex"]).toBe("peers1-user-events");
    expect(p["iceberg.tables.route-field"]).toBe(p["transforms.kafka.topic.field"]);
  });

  it("sends what the converter rejects to its own DLQ and commits on the given interval", () => {
    const p = icebergSinkProperties(sink);
    expect(p["errors.tolerance"]).toBe("all");
    expect(p["errors.deadletterqueue.topic.name"]).toBe("peers1-iceberg-dlq");
    expect(p["iceberg.control.commit.interval-ms"]).toBe("60000");
    expect(p["iceberg.control.topic"]).toBe("peers1-control-iceberg");
  });

  it("escapes regex characters in topic names", () => {
    expect(literalRegex("a.b+c")).toBe("a\\.b\\+c");
  });
});

describe("the worker's properties", () => {
  it("polls often enough for the coordinator (apache/iceberg#17811) on its own REST port", () => {
    const p = workerProperties({
      bootstrapServers: "127.0.0.1:9092",
      restPort: 8093,
      pluginPath: "/cache/plugins",
      offsetsFile: "/run/offsets.dat",
    });
    expect(p.listeners).toBe("http://127.0.0.1:8093");
    expect(p["offset.flush.interval.ms"]).toBe("1000");
  });
});

describe("propertiesText", () => {
  it("writes key=value lines and escapes backslashes (a regex's) so java.util.Properties reads them back", () => {
    expect(propertiesText({ "a.regex": "x\\.y", b: "c$D" })).toBe("a.regex=x\\\\.y\nb=c$D\n");
  });
});
