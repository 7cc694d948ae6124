import { PRIMARY_KEY, type Row, type RowMutation, SHOP_TABLE_NAMES, type ShopTable } from "./mutations.js";
import type { ShopDbWriter } from "./pg-writer.js";

/**
 * The shop database in memory, with the semantics `renderMutations` gives PostgreSQL (an insert of an
 * existing key does nothing, an update or delete of a missing key changes nothing): the recording fake
 * the generator's loop is tested with. `failures` makes the next applies fail, as a database that is down.
 */
export class MemoryShopDb implements ShopDbWriter {
  readonly tables = new Map<ShopTable, Map<string, Row>>(SHOP_TABLE_NAMES.map((t) => [t, new Map()]));
  /** Every batch applied, in order. */
  readonly batches: RowMutation[][] = [];
  /** How many of the next calls fail (before changing anything) with this error. */
  failures = 0;
  failure: () => Error = () =>
    Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5433"), { code: "ECONNREFUSED" });
  readies = 0;
  closed = false;

  async ready(): Promise<void> {
    this.readies++;
    if (this.failures > 0) {
      this.failures--;
      throw this.failure();
    }
  }

  async apply(mutations: readonly RowMutation[]): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw this.failure();
    }
    this.batches.push([...mutations]);
    applyInMemory(this.tables, mutations);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** A table's rows, ordered by key. */
  rows(table: ShopTable): Row[] {
    const rows = [...(this.tables.get(table)?.values() ?? [])];
    const pk = PRIMARY_KEY[table];
    return rows.sort((a, b) => String(a[pk]).localeCompare(String(b[pk])));
  }
}

export function applyInMemory(
  tables: Map<ShopTable, Map<string, Row>>,
  mutations: readonly RowMutation[],
): void {
  for (const m of mutations) {
    const table = tables.get(m.table) as Map<string, Row>;
    if (m.op === "insert") {
      const key = String(m.row[PRIMARY_KEY[m.table]]);
      if (!table.has(key)) table.set(key, { ...m.row });
    } else if (m.op === "update") {
      const row = table.get(m.key);
      if (row) table.set(m.key, { ...row, ...m.set });
    } else table.delete(m.key);
  }
}
