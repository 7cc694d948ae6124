import type { Command } from "commander";
import { PORTS } from "../../stack/services.js";
import { renderStatusLine } from "./stack.js";

/**
 * `floe demo` (what `npm start` runs): the main job end to end on this machine. Today: bring the stack up
 * and prove the query path through Trino into Iceberg; the shop pipeline (generate → sink → build →
 * report) grows here as it lands.
 */
export function registerDemoCommands(program: Command): void {
  program
    .command("demo")
    .description("start the local stack and run the end-to-end demo (what `npm start` runs)")
    .action(async () => {
      process.stderr.write("Starting the local stack (first run downloads ~700 MB from Maven Central)…\n");
      // Imported here so other commands do not load the launcher (and kafkajs) at startup.
      const { stackUp } = await import("../../stack/launcher.js");
      const statuses = await stackUp({
        onEvent: (e) => {
          if (e.kind === "install" && e.phase === "download")
            process.stderr.write(`  fetching ${e.service}…\n`);
          if (e.kind === "install" && e.phase === "done") process.stderr.write(`  installed ${e.service}\n`);
          if (e.kind === "waiting") process.stderr.write(`  waiting for ${e.pending.join(", ")}…\n`);
        },
      });
      for (const s of statuses) process.stdout.write(`${renderStatusLine(s)}\n`);

      const { createTrinoConnection } = await import("../../trino/connection.js");
      const trino = createTrinoConnection({ host: "127.0.0.1", port: PORTS.trino, user: "floe" });
      await trino.query("CREATE SCHEMA IF NOT EXISTS iceberg.demo WITH (location = 's3://warehouse/demo')");
      const created = await trino.query(
        `CREATE OR REPLACE TABLE iceberg.demo.orders_by_priority AS
         SELECT orderpriority AS priority, count(*) AS orders, round(sum(totalprice), 2) AS revenue
         FROM tpch.tiny.orders GROUP BY orderpriority`,
      );
      const rows = await trino.query<{ priority: string; orders: number; revenue: number }>(
        "SELECT priority, orders, revenue FROM iceberg.demo.orders_by_priority ORDER BY priority",
      );
      process.stdout.write(
        `\nSmoke query: wrote ${created.updateCount} rows to iceberg.demo.orders_by_priority (query ${created.queryId})\n`,
      );
      for (const r of rows.rows) {
        process.stdout.write(
          `  ${r.priority.padEnd(16)} ${String(r.orders).padStart(6)} orders  ${r.revenue.toFixed(2)}\n`,
        );
      }
      process.stdout.write(
        `\nTrino is at http://127.0.0.1:${PORTS.trino} (catalogs iceberg, hive, memory, tpch). Stop with \`npx floe stack down\`.\n`,
      );
    });
}
