import { Kafka, logLevel } from "kafkajs";
import { shopCdcTopics } from "../ingest/cdc/cdc-topics.js";
import { stackUp } from "../stack/launcher.js";
import { PORTS } from "../stack/services.js";

/**
 * Integration tests run against the real local stack — in CI too, the shop's PostgreSQL, Redis and Kafka
 * Connect + Debezium with the rest. `stackUp` is idempotent: it returns at once when the stack is already
 * healthy and otherwise starts what is missing. When it cannot (no JDK ≥ 24, a port taken, no Maven, no
 * redis-server), the error fails the whole integration run — integration tests never skip. The stack is left running for
 * the next run; `.ci/run` stops it, and `npx floe stack down` does by hand.
 */
export default async function setup(): Promise<void> {
  const statuses = await stackUp({
    onEvent: (e) => {
      if (e.kind === "starting") process.stderr.write(`[stack] starting ${e.service}\n`);
      if (e.kind === "install" && e.phase === "download")
        process.stderr.write(`[stack] fetching ${e.service}\n`);
    },
  });
  process.stderr.write(`[stack] ${statuses.map((s) => `${s.name}:${s.state}`).join(" ")}\n`);
  await ensureCdcTopics();
}

/**
 * Debezium creates a table's topic at that table's first change, so on a fresh stack `db.inventory` may not
 * exist yet when a test starts a consumer of it (a sink or `floe stream` waiting for it before the test
 * writes the change that would create it). Create the missing ones as Connect would (one partition,
 * `topic.creation.default.*` in stack/connect/shop-cdc.properties), so every test starts from the state of
 * a stack whose tables have all changed once.
 */
async function ensureCdcTopics(): Promise<void> {
  const admin = new Kafka({
    clientId: "floe-it-setup",
    brokers: [`127.0.0.1:${PORTS.kafka}`],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = shopCdcTopics().filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({
        topics: missing.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })),
        waitForLeaders: true,
      });
      process.stderr.write(`[stack] created ${missing.join(", ")}\n`);
    }
  } finally {
    await admin.disconnect();
  }
}
