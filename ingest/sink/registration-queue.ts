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
/** Partition registrations in flight at once. */
const REGISTER_LANES = 4;

export class RegistrationQueue {
  private readonly registered = new Set<string>();
  private readonly pending = new Set<string>();
  /** CDC columns whose markers are durable and whose ALTER has not succeeded yet: `topic\0column`. */
  private readonly pendingColumns = new Set<string>();
  private tablesReady = false;
  /** The flush under way, and whether another was asked for meanwhile. */
  private running: Promise<void> | undefined;
  private again = false;

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

  /**
   * A durable file of this (topic, event_date, event_type): its partition must exist. True when that is
   * new (the sink flushes at once: the file's rows are not queryable before it).
   */
  add(topic: string, eventDate: string, eventType: string): boolean {
    const item = `${topic}\u0000${eventDate}\u0000${eventType}`;
    if (this.registered.has(item) || this.pending.has(item)) return false;
    this.pending.add(item);
    return true;
  }

  /**
   * Registers what is pending. One flush at a time: a flush asked for while one runs is run once more after
   * it, and the promise returned covers that run too (what was added before the call is done when it
   * resolves).
   */
  flush(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = async () => {
      try {
        do {
          this.again = false;
          await this.flushOnce();
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    };
    this.running = run();
    return this.running;
  }

  private async flushOnce(): Promise<void> {
    if (!this.trino) return;
    const trino = this.trino;
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
    // A few side by side: each is one metastore call and a file's rows wait for their partition's alone,
    // but a backfill over a year opens thousands of partitions at once, too many queries for Trino at once.
    const items = [...this.pending];
    const register = async (item: string) => {
      const [topic, date, type] = item.split("\u0000") as [string, string, string];
      try {
        await registerRawPartition(trino, this.target, topic, date, type);
        this.pending.delete(item);
        this.registered.add(item);
        this.emit({ kind: "registered", table: topic, partition: { eventDate: date, eventType: type } });
      } catch (error) {
        this.emit({
          kind: "warning",
          message: `partition registration failed, will retry: ${String(error)}`,
        });
      }
    };
    const lane = async () => {
      for (let item = items.shift(); item !== undefined; item = items.shift()) await register(item);
    };
    await Promise.all(Array.from({ length: Math.min(REGISTER_LANES, items.length) }, lane));
  }
}
