import { describe, expect, it } from "vitest";
import { TOPIC_KINDS, type TopicKind } from "../contracts.js";
import { generateShop } from "../generator.js";
import { memoryCheckpointStore } from "../producer.js";
import { type EndOffsets, partitionKey } from "../publish-checkpoint.js";
import {
  FollowFailed,
  type OutgoingMessage,
  type PublishIO,
  type PublishRun,
  publishStream,
} from "../publish-loop.js";
import { MemoryShopDb } from "./memory-writer.js";
import { ShopDbFold } from "./shop-db-fold.js";
import { publishedEventOf, shopDbFollower } from "./shop-db-follower.js";

const SETTINGS = {
  events: 4_000,
  seed: 21,
  start: "2026-03-01T00:00:00.000Z",
  days: 3,
  duplicates: 0.02,
  malformed: 0.01,
  late: 0.03,
  oversized: false,
  topicPrefix: "t-",
};
const RETRY = { attempts: 3, baseMs: 1, maxMs: 2 };

/** Kafka as the loop sees it: one append-only log per topic. */
class FakeKafka implements PublishIO {
  readonly logs = new Map<string, OutgoingMessage[]>(TOPIC_KINDS.map((k) => [partitionKey(`t-${k}`, 0), []]));
  partitionOf(): number {
    return 0;
  }
  async endOffsets(): Promise<EndOffsets> {
    return Object.fromEntries([...this.logs].map(([key, log]) => [key, log.length]));
  }
  async send(batch: readonly OutgoingMessage[]): Promise<void> {
    for (const m of batch) this.logs.get(partitionKey(m.topic, m.partition))?.push(m);
  }
}

const run = (db: MemoryShopDb, extra: Partial<PublishRun> = {}): PublishRun => ({
  settings: { ...SETTINGS, v3Share: 0 },
  topicOf: (kind: TopicKind) => `t-${kind}`,
  batch: 500,
  resume: false,
  retry: RETRY,
  follower: shopDbFollower({ seed: SETTINGS.seed, writer: db, retry: RETRY }),
  ...extra,
});

/** The database the whole stream implies, folded directly. */
async function expectedDb(): Promise<MemoryShopDb> {
  const db = new MemoryShopDb();
  const fold = new ShopDbFold(SETTINGS.seed);
  const shop = generateShop({ ...SETTINGS, start: new Date(SETTINGS.start) });
  for (const m of shop.messages) {
    const e = publishedEventOf(m);
    if (e) await db.apply(fold.add(e));
  }
  return db;
}

describe("the generator's loop with the shop database", { timeout: 60_000 }, () => {
  it("applies each acknowledged batch's changes in one call, riding out a database blip", async () => {
    const db = new MemoryShopDb();
    db.failures = 2;
    const outcome = await publishStream(run(db), new FakeKafka(), memoryCheckpointStore());
    expect(outcome.state).toBe("complete");
    expect(db.batches).toHaveLength(SETTINGS.events / 500);
    expect(db.tables).toEqual((await expectedDb()).tables);
  });

  it("fails typed and resumable when the database stays down; --resume re-applies the batch in flight", async () => {
    const db = new MemoryShopDb();
    const kafka = new FakeKafka();
    const store = memoryCheckpointStore();
    const apply = db.apply.bind(db);
    let calls = 0;
    db.apply = async (m) => {
      if (++calls === 4) db.failures = RETRY.attempts;
      return apply(m);
    };
    const error = await publishStream(run(db), kafka, store).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FollowFailed);
    expect(error).toMatchObject({ retriable: true, code: "FOLLOW_FAILED" });
    expect((error as Error).message).toMatch(/1500 of 4000 messages are published and applied/);
    expect((await store.read())?.published).toBe(1_500);

    const outcome = await publishStream(run(db, { resume: true }), kafka, store);
    expect(outcome.state).toBe("complete");
    expect(db.tables).toEqual((await expectedDb()).tables);
  });

  it("stops without applying when asked to stop while the database is down", async () => {
    const db = new MemoryShopDb();
    const controller = new AbortController();
    db.failure = () => {
      controller.abort();
      return Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    };
    db.failures = 1;
    const follower = shopDbFollower({
      seed: SETTINGS.seed,
      writer: db,
      retry: RETRY,
      signal: controller.signal,
    });
    const outcome = await publishStream(
      run(db, { signal: controller.signal, follower }),
      new FakeKafka(),
      memoryCheckpointStore(),
    );
    expect(outcome).toMatchObject({ state: "stopped", published: 0 });
    expect(db.batches).toEqual([]);
  });
});
