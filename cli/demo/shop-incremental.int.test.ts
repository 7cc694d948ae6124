import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateShop } from "../../ingest/generator.js";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import { informationSchema, quoteIdentifier, quoteString } from "../../trino/dialect.js";
import type { ParsedProject } from "../compile/compile.js";
import type { RunLogger } from "../log/events.js";
import type { RunTaskResult } from "../runner/run-task.js";
import * as shop from "./shop-pipeline.js";

/**
 * Incremental = full refresh: the shop's events arrive in two loads with a build after each (the second
 * one incremental: staging merges only the new rows, late events included), and the result must equal
 * one full-refresh build over all the events, table by table, row for row.
 */
const id = uniqueName("shopinc");
const ns = shop.isolatedNamespace(id);
const quiet: RunLogger = { event: () => {} };
const trino = localTrino();
let incremental: ParsedProject;
let full: ParsedProject;
const builds: RunTaskResult[] = [];

beforeAll(async () => {
  const { messages } = generateShop({
    events: 16_000,
    seed: 11,
    start: new Date("2026-03-01T00:00:00Z"),
    days: 3,
    duplicates: 0.03,
    late: 0.02,
    malformed: 0.002,
  });
  const all = [...messages];
  // The cut falls mid-session and mid-order: orders created in the first load are paid in the second,
  // and late events of the first load's days arrive with the second.
  const cut = Math.floor(all.length * 0.55);
  incremental = shop.loadShopProject(process.cwd(), ns, shop.WITHOUT_SHOP_DB);
  full = shop.loadShopProject(process.cwd(), { ...ns, targetSchema: `${id}_full` }, shop.WITHOUT_SHOP_DB);

  await shop.loadMessages(ns, all.slice(0, cut), trino);
  builds.push(await shop.buildShop(incremental, { logger: quiet }));

  await shop.loadMessages(ns, all.slice(cut), trino);
  builds.push(await shop.buildShop(incremental, { logger: quiet }));
  builds.push(await shop.buildShop(full, { logger: quiet, fullRefresh: true }));
}, 1_200_000);

afterAll(async () => {
  if (incremental && full) await shop.dropShopNamespace(ns, [incremental, full], trino);
}, 300_000);

const models = () =>
  Object.values(incremental.manifest.nodes)
    .filter((n) => n.resource_type === "model")
    .map((n) => n.name)
    .sort();

/** The columns EXCEPT can compare (maps are not comparable in Trino). */
async function comparableColumns(project: ParsedProject, model: string): Promise<string[]> {
  const node = Object.values(project.manifest.nodes).find((n) => n.name === model);
  if (node?.resource_type !== "model") throw new Error(model);
  const { rows } = await trino.query<{ column_name: string; data_type: string }>(
    `select column_name, data_type from ${informationSchema(node.relation.catalog, "columns")}
     where table_schema = ${quoteString(node.relation.schema)} and table_name = ${quoteString(node.relation.identifier)}
     order by ordinal_position`,
  );
  return rows.filter((r) => !r.data_type.startsWith("map(")).map((r) => quoteIdentifier(r.column_name));
}

describe("two incremental builds with new events in between", () => {
  it("build every model and pass every test, each time", () => {
    for (const build of builds) expect(shop.unsuccessful(build)).toEqual([]);
  });

  it("really merged increments into the staging tables (more than one snapshot)", async () => {
    for (const model of ["stg_user_events", "stg_product_events", "stg_order_events"]) {
      const relation = shop.martRelation(incremental, model);
      const snapshots = relation.replace(/"([^"]+)"$/, '"$1$snapshots"');
      const { rows } = await trino.query<{ n: number }>(`select count(*) as n from ${snapshots}`);
      expect(Number(rows[0]?.n), model).toBeGreaterThan(1);
    }
  });

  it("give the same tables as one full refresh over all events", async () => {
    const differences: string[] = [];
    for (const model of models()) {
      const columns = (await comparableColumns(incremental, model)).join(", ");
      const a = shop.martRelation(incremental, model);
      const b = shop.martRelation(full, model);
      const { rows } = await trino.query<{ a_only: number; b_only: number; a_rows: number; b_rows: number }>(
        `select
           (select count(*) from (select ${columns} from ${a} except all select ${columns} from ${b})) as a_only,
           (select count(*) from (select ${columns} from ${b} except all select ${columns} from ${a})) as b_only,
           (select count(*) from ${a}) as a_rows,
           (select count(*) from ${b}) as b_rows`,
      );
      const r = rows[0];
      if (!r || Number(r.a_only) !== 0 || Number(r.b_only) !== 0 || Number(r.a_rows) !== Number(r.b_rows)) {
        differences.push(`${model}: ${JSON.stringify(r)}`);
      }
      expect(Number(r?.a_rows), model).toBeGreaterThan(0);
    }
    expect(differences).toEqual([]);
  });
});
