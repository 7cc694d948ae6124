import type { Admin, ConfigResourceTypes } from "kafkajs";
import { describe, expect, it } from "vitest";
import { FloeError } from "../../core/errors.js";
import { DLQ_HEADROOM_BYTES, ensureDeadLetterTopic, waitForSourceTopics } from "./topics.js";

/** A fake admin over topics with their max.message.bytes; records the topics it is asked to create. */
function fakeAdmin(limits: Record<string, number>) {
  const created: {
    topic: string;
    numPartitions?: number;
    configEntries?: { name: string; value: string }[];
  }[] = [];
  const admin = {
    async listTopics() {
      return Object.keys(limits);
    },
    async createTopics({
      topics,
    }: {
      topics: { topic: string; numPartitions?: number; configEntries?: { name: string; value: string }[] }[];
    }) {
      created.push(...topics);
      return true;
    },
    async describeConfigs({ resources }: { resources: { type: ConfigResourceTypes; name: string }[] }) {
      return {
        throttleTime: 0,
        resources: resources.map((r) => ({
          resourceName: r.name,
          resourceType: r.type,
          errorCode: 0,
          errorMessage: "",
          configEntries: [{ configName: "max.message.bytes", configValue: String(limits[r.name]) }],
        })),
      };
    },
  } as unknown as Pick<Admin, "listTopics" | "createTopics" | "describeConfigs">;
  return { admin, created };
}

describe("the sink's topics", () => {
  it("waits for missing topics, then refuses them naming each and the fix", async () => {
    const { admin } = fakeAdmin({ "user-events": 1_000 });
    const waiting: string[][] = [];
    const wait = { timeoutMs: 30, pollMs: 5, onWaiting: (m: readonly string[]) => waiting.push([...m]) };
    const topics = ["user-events", "x-orders", "x-product-metadata"];
    const error = await waitForSourceTopics(admin, topics, ["k:9092"], wait).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FloeError);
    expect(error).toMatchObject({ code: "SINK_TOPIC_MISSING", exitCode: 2 });
    expect((error as FloeError).message).toContain('"x-orders", "x-product-metadata"');
    expect((error as FloeError).message).not.toContain('"user-events"');
    expect((error as FloeError).hint).toContain("floe ingest generate");
    expect(waiting).toEqual([["x-orders", "x-product-metadata"]]);
  });

  it("goes on as soon as the topics exist (a producer started beside the sink creates them)", async () => {
    const limits: Record<string, number> = {};
    const { admin } = fakeAdmin(limits);
    setTimeout(() => {
      limits["user-events"] = 1_000;
    }, 20);
    const wait = { timeoutMs: 5_000, pollMs: 5 };
    await expect(waitForSourceTopics(admin, ["user-events"], ["k:9092"], wait)).resolves.toBeUndefined();
  });

  it("creates the DLQ topic able to hold a letter of the largest source message", async () => {
    const { admin, created } = fakeAdmin({ "user-events": 4_194_304, orders: 1_048_588 });
    expect(await ensureDeadLetterTopic(admin, "dlq", ["user-events", "orders"])).toBeUndefined();
    expect(created).toMatchObject([
      {
        topic: "dlq",
        numPartitions: 1,
        configEntries: [{ name: "max.message.bytes", value: String(4_194_304 + DLQ_HEADROOM_BYTES) }],
      },
    ]);
  });

  it("creates the DLQ topic with the partitions asked for (the generator's, so its letters spread alike)", async () => {
    const { admin, created } = fakeAdmin({ orders: 1_048_588 });
    await ensureDeadLetterTopic(admin, "dlq", ["orders"], 3);
    expect(created).toMatchObject([{ topic: "dlq", numPartitions: 3 }]);
  });

  it("leaves an existing DLQ topic alone, warning when it is smaller than a source", async () => {
    const small = fakeAdmin({ "user-events": 4_194_304, dlq: 1_048_588 });
    expect(await ensureDeadLetterTopic(small.admin, "dlq", ["user-events"])).toContain("truncated copy");
    expect(small.created).toEqual([]);
    const same = fakeAdmin({ "user-events": 4_194_304, dlq: 4_194_304 });
    expect(await ensureDeadLetterTopic(same.admin, "dlq", ["user-events"])).toBeUndefined();
  });
});
