import {
  addCdcColumnSql,
  type CdcColumns,
  type RawTableTarget,
  registerRawPartition,
  registerRawTables,
  type TrinoQuery,
} from "../raw-tables.js";
import type { SinkEvent } from "./types.js";

/**
 * The raw tables and the partitions the sink's files open, registered in Trino on the tick. Registration
 * only affects when rows become queryable, never what is durable: a failure is retried on the next tick
 * and does not hold back any partition. Without a connection nothing is registered. A CDC table's new
 * columns are added before the partitions of the files that brought them.
 */
export class RegistrationQueue {
  private readonly registered = new Set<string>();
  private readonly pending = new Set<string>();
  /** CDC columns whose markers are durable and whose ALTER has not succeeded yet: `topic\0column`. */
  private readonly pendingColumns = new Set<string>();
  private tablesReady = false;

  constructor(
    private readonly trino: TrinoQuery | undefined,
    private readonly target: RawTableTarget,
    private readonly topics: readonly string[],
    private readonly emit: (event: SinkEvent) => void,
    private readonly cdcColumns?: CdcColumns,
  ) {}

  /** A CDC topic's files now hold these columns: its table must gain them. */
  addColumns(topic: string, columns: readonly string[]): void {
    for (const column of columns) this.pendingColumns.add(`${topic}\u0000${column}`);
  }

  /** A durable file of this (topic, event_date, event_type): its partition must exist. */
  add(topic: string, eventDate: string, eventType: string): void {
    const item = `${topic}\u0000${eventDate}\u0000${eventType}`;
    if (!this.registered.has(item)) this.pending.add(item);
  }

  async flush(): Promise<void> {
    if (!this.trino) return;
    try {
      if (!this.tablesReady) {
        const tables = await registerRawTables(this.trino, this.target, this.topics, true, this.cdcColumns);
        for (const table of tables) this.emit({ kind: "registered", table });
        this.tablesReady = true;
      }
    } catch (error) {
      this.emit({ kind: "warning", message: `raw table registration failed, will retry: ${String(error)}` });
      return;
    }
    for (const item of [...this.pendingColumns]) {
      const [topic, column] = item.split("\u0000") as [string, string];
      try {
        await this.trino.query(addCdcColumnSql(this.target, topic, column));
        this.pendingColumns.delete(item);
        this.emit({ kind: "registered", table: topic, column });
      } catch (error) {
        // The partitions still go ahead: until the ALTER succeeds their rows only lack this column.
        this.emit({
          kind: "warning",
          message: `adding column ${column} failed, will retry: ${String(error)}`,
        });
      }
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
