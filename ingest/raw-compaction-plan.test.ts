import { describe, expect, it } from "vitest";
import { closedPartitions, parseRawFileKey, planPartitionCompaction } from "./raw-compaction-plan.js";

const dir = "raw/orders/event_date=2026-12-01/event_type=order_paid/";
const sinkFile = (p: number, first: number, last: number) => ({
  key: `${dir}orders+${p}+${first}.parquet`,
  kafkaPartition: p,
  first: BigInt(first),
  last: BigInt(last),
});

describe("parseRawFileKey", () => {
  it("reads the sink's and compaction's names and nothing else", () => {
    expect(parseRawFileKey("orders", `${dir}orders+2+1500.parquet`)).toEqual({
      key: `${dir}orders+2+1500.parquet`,
      kafkaPartition: 2,
      first: 1500n,
    });
    expect(parseRawFileKey("orders", `${dir}orders+0+10-99.parquet`)).toMatchObject({
      first: 10n,
      last: 99n,
    });
    expect(parseRawFileKey("orders", `${dir}other+0+10.parquet`)).toBeUndefined();
    expect(parseRawFileKey("orders", `${dir}orders+0+x.parquet`)).toBeUndefined();
    expect(parseRawFileKey("orders", `${dir}_SUCCESS`)).toBeUndefined();
  });
});

describe("closedPartitions", () => {
  const p = (eventDate: string) => ({ topic: "orders", eventDate, eventType: "x", keys: [] });
  const now = new Date("2026-12-06T00:30:00Z");
  const days = ["2026-12-01", "2026-12-02", "2026-12-03", "2026-12-05", "2026-12-06"].map(p);

  it("keeps the days that ended more than four days ago (UTC): past the staging lookback", () => {
    expect(closedPartitions(days, now).map((x) => x.eventDate)).toEqual(["2026-12-01"]);
  });

  it("with afterDays 0, every day before today", () => {
    expect(closedPartitions(days, now, 0).map((x) => x.eventDate)).toEqual([
      "2026-12-01",
      "2026-12-02",
      "2026-12-03",
      "2026-12-05",
    ]);
  });
});

describe("planPartitionCompaction", () => {
  it("merges a Kafka partition's committed files into one named by their offsets", () => {
    const files = [sinkFile(0, 200, 299), sinkFile(0, 0, 99), sinkFile(0, 100, 199), sinkFile(1, 0, 50)];
    const plan = planPartitionCompaction(
      "orders",
      files,
      new Map([
        [0, 300n],
        [1, 51n],
      ]),
      2,
    );
    expect(plan.redundant).toEqual([]);
    expect(plan.merges).toHaveLength(1); // partition 1 has one file: below minFiles
    expect(plan.merges[0]).toMatchObject({
      kafkaPartition: 0,
      first: 0n,
      last: 299n,
      output: `${dir}orders+0+0-299.parquet`,
    });
    expect(plan.merges[0]?.inputs.map((f) => f.first)).toEqual([0n, 100n, 200n]);
  });

  it("leaves files the sink has not committed past (it may write them again after a crash)", () => {
    const files = [sinkFile(0, 0, 99), sinkFile(0, 100, 199), sinkFile(0, 200, 299)];
    const plan = planPartitionCompaction("orders", files, new Map([[0, 299n]]), 2);
    expect(plan.merges[0]?.inputs.map((f) => f.first)).toEqual([0n, 100n]);
    expect(plan.uncommitted).toBe(1);
    expect(planPartitionCompaction("orders", files, new Map(), 2)).toEqual({
      redundant: [],
      merges: [],
      uncommitted: 3,
    });
  });

  it("deletes leftovers of an interrupted run and merges a late file with the merged one", () => {
    const merged = { key: `${dir}orders+0+0-199.parquet`, kafkaPartition: 0, first: 0n, last: 199n };
    const files = [merged, sinkFile(0, 0, 99), sinkFile(0, 100, 199), sinkFile(0, 900, 905)];
    const plan = planPartitionCompaction("orders", files, new Map([[0, 1000n]]), 2);
    expect(plan.redundant).toEqual([`${dir}orders+0+0.parquet`, `${dir}orders+0+100.parquet`]);
    expect(plan.merges[0]).toMatchObject({ first: 0n, last: 905n, output: `${dir}orders+0+0-905.parquet` });
    expect(plan.merges[0]?.inputs.map((f) => f.key)).toEqual([merged.key, `${dir}orders+0+900.parquet`]);
  });
});
