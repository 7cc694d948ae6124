import type { Admin } from "kafkajs";
import type { SinkMetrics } from "./metrics.js";

/** The partitions this member was assigned at its last group join, by topic (undefined before the first). */
export type Assignment = ReadonlyMap<string, ReadonlySet<number>> | undefined;

/**
 * This member's lag, summed over the partitions assigned to it (every partition before the first join),
 * each measured from this member's position (`positionOf`) or, for a partition it has not fetched yet, from
 * the committed offset. Sets the lag gauge as it goes.
 */
export async function memberLag(
  admin: Pick<Admin, "fetchTopicOffsets" | "fetchOffsets">,
  groupId: string,
  topics: readonly string[],
  assignment: Assignment,
  positionOf: (topic: string, partition: number) => bigint | undefined,
  lagGauge: SinkMetrics["lag"],
): Promise<number> {
  let total = 0;
  for (const topic of topics) {
    const [ends, committed] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    for (const end of ends) {
      // Another member's partition: its lag is that member's, measured there from its own position.
      // Read here from the committed offset, it stayed high while that member held rows of small
      // writers for --flush-interval, and kept this sink from stopping --until-idle.
      if (assignment && !assignment.get(topic)?.has(end.partition)) {
        lagGauge.remove({ topic, partition: String(end.partition) });
        continue;
      }
      const c = committed[0]?.partitions.find((p) => p.partition === end.partition);
      const committedOffset = c && BigInt(c.offset) >= 0n ? BigInt(c.offset) : BigInt(end.low);
      const position = positionOf(topic, end.partition) ?? committedOffset;
      const lag = Number(BigInt(end.high) - position);
      lagGauge.set({ topic, partition: String(end.partition) }, Math.max(0, lag));
      total += Math.max(0, lag);
    }
  }
  return total;
}
