import {
  type RawTableTarget,
  registerRawPartition,
  registerRawTables,
  type TrinoQuery,
} from "../raw-tables.js";
import type { SinkEvent } from "./types.js";

/**
 * The raw tables and the partitions the sink's files open, registered in Trino on the tick. Registration
 * only affects when rows become queryable, never what is durable: a failure is retried on the next tick
 * and does not hold back any partition. Without a connection nothing is registered.
 */
export class RegistrationQueue {
  private readonly registered = new Set<string>();
  private readonly pending = new Set<string>();
  private tablesReady = false;

  constructor(
    private readonly trino: TrinoQuery | undefined,
    private readonly target: RawTableTarget,
    private readonly topics: readonly string[],
    private readonly emit: (event: SinkEvent) => void,
  ) {}

  /** A durable file of this (topic, event_date, event_type): its partition must exist. */
  add(topic: string, eventDate: string, eventType: string): void {
    const item = `${topic}\u0000${eventDate}\u0000${eventType}`;
    if (!this.registered.has(item)) this.pending.add(item);
  }

  async flush(): Promise<void> {
    if (!this.trino) return;
    try {
      if (!this.tablesReady) {
        const tables = await registerRawTables(this.trino, this.target, this.topics, true);
        for (const table of tables) this.emit({ kind: "registered", table });
        this.tablesReady = true;
      }
    } catch (error) {
      this.emit({ kind: "warning", message: `raw table registration failed, will retry: ${String(error)}` });
      return;
    }
    for (const item of [...this.pending]) {
      const [topic, date, type] = item.split("\u0000") as [string, string, string];
      try {
        await registerRawPartition(this.trino, this.target, topic, date, type);
        this.pending.delete(item);
        this.registered.add(item);
        this.emit({ kind: "registered", table: topic, partition: { eventDate: date, eventType: type } });
      } catch (error) {
        this.emit({
          kind: "warning",
          message: `partition registration failed, will retry: ${String(error)}`,
        });
      }
    }
  }
}
