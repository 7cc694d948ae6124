import { Kafka, logLevel } from "kafkajs";
import { describe, expect, it } from "vitest";
import { localTrino, uniqueName } from "../testing/local-stack.js";
import { portInUse } from "./health.js";
import { stackDown, stackStatus, stackUp } from "./launcher.js";
import { isRunning } from "./process.js";
import { PORTS, SERVICES } from "./services.js";

/** `down` stops every process `up` started, by PID; data survives; `up` again is healthy and idempotent. */
describe("stack lifecycle", () => {
  it("keeps tables and topics across down/up and leaves no process behind", async () => {
    const trino = localTrino();
    const schema = uniqueName("lifecycle");
    const topic = uniqueName("lifecycle-topic");
    await trino.query(`CREATE SCHEMA iceberg.${schema} WITH (location = 's3://warehouse/${schema}')`);
    await trino.query(`CREATE TABLE iceberg.${schema}.kept AS SELECT 42 AS answer`);
    const kafka = new Kafka({
      clientId: "floe-lifecycle",
      brokers: [`127.0.0.1:${PORTS.kafka}`],
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: "kept" }] });
    await producer.disconnect();

    const before = await stackStatus();
    const pids = before.map((s) => s.pid).filter((p): p is number => p !== undefined);
    expect(pids).toHaveLength(SERVICES.length);

    const down = await stackDown();
    expect(down.map((d) => d.result)).toEqual(SERVICES.map(() => "stopped"));
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
    for (const spec of SERVICES) for (const port of spec.ports) expect(await portInUse(port)).toBe(false);
    expect((await stackStatus()).every((s) => s.state === "stopped")).toBe(true);

    const up = await stackUp();
    expect(up.every((s) => s.state === "healthy" && !s.alreadyRunning)).toBe(true);
    const again = await stackUp();
    expect(again.every((s) => s.alreadyRunning)).toBe(true);

    const kept = await trino.query<{ answer: number }>(`SELECT answer FROM iceberg.${schema}.kept`);
    expect(kept.rows).toEqual([{ answer: 42 }]);
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBe(1);
    await trino.query(`DROP TABLE iceberg.${schema}.kept`);
    await trino.query(`DROP SCHEMA iceberg.${schema}`);
  });
});
