import type pg from "pg";

/**
 * A scripted stream of inserts, updates and deletes on the shop database's `products` and `inventory`,
 * on ids of one test run only, each change logged in commit order: what raw must hold exactly once.
 */

export interface LoggedChange {
  readonly table: "products" | "inventory";
  readonly key: string;
  readonly op: "c" | "u" | "d";
  /** products: the price as the database prints numeric(12,2); inventory: the quantity; deletes: null. */
  readonly value: string | null;
}

/** A deterministic pseudo-random generator (mulberry32), so a failing run can be replayed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class ShopChangeWriter {
  readonly log: LoggedChange[] = [];
  private readonly live = new Set<string>();
  private readonly random: () => number;

  constructor(
    private readonly db: pg.Client,
    private readonly idPrefix: string,
    private readonly products: number,
    seed: number,
  ) {
    this.random = seeded(seed);
  }

  /** One transaction: create a product (with its stock), change a stock or a price, or delete a product. */
  async step(): Promise<void> {
    const id = `${this.idPrefix}${Math.floor(this.random() * this.products)}`;
    const roll = this.random();
    await this.db.query("BEGIN");
    try {
      const changes = this.live.has(id) ? await this.change(id, roll) : await this.create(id);
      await this.db.query("COMMIT");
      this.log.push(...changes);
    } catch (error) {
      await this.db.query("ROLLBACK").catch(() => {});
      throw error;
    }
  }

  private async create(id: string): Promise<LoggedChange[]> {
    const price = (10 + Math.floor(this.random() * 9000) / 100).toFixed(2);
    const quantity = String(Math.floor(this.random() * 100));
    await this.db.query(
      "INSERT INTO products (product_id, name, category, price, is_active, updated_at) VALUES ($1, 'E2E lamp', 'test', $2, true, now())",
      [id, price],
    );
    await this.db.query(
      "INSERT INTO inventory (product_id, quantity, low_stock_threshold, updated_at) VALUES ($1, $2, 10, now())",
      [id, quantity],
    );
    this.live.add(id);
    return [
      { table: "products", key: id, op: "c", value: price },
      { table: "inventory", key: id, op: "c", value: quantity },
    ];
  }

  private async change(id: string, roll: number): Promise<LoggedChange[]> {
    if (roll < 0.6) {
      const quantity = String(Math.floor(this.random() * 100));
      await this.db.query("UPDATE inventory SET quantity = $2, updated_at = now() WHERE product_id = $1", [
        id,
        quantity,
      ]);
      return [{ table: "inventory", key: id, op: "u", value: quantity }];
    }
    if (roll < 0.85) {
      const price = (10 + Math.floor(this.random() * 9000) / 100).toFixed(2);
      await this.db.query("UPDATE products SET price = $2, updated_at = now() WHERE product_id = $1", [
        id,
        price,
      ]);
      return [{ table: "products", key: id, op: "u", value: price }];
    }
    await this.db.query("DELETE FROM inventory WHERE product_id = $1", [id]);
    await this.db.query("DELETE FROM products WHERE product_id = $1", [id]);
    this.live.delete(id);
    return [
      { table: "inventory", key: id, op: "d", value: null },
      { table: "products", key: id, op: "d", value: null },
    ];
  }

  /** Removes every row of this run (cleanup; not logged). */
  async removeAll(): Promise<void> {
    await this.db.query("DELETE FROM inventory WHERE product_id LIKE $1", [`${this.idPrefix}%`]);
    await this.db.query("DELETE FROM products WHERE product_id LIKE $1", [`${this.idPrefix}%`]);
  }
}
