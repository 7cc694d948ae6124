import { afterAll, describe, expect, it } from "vitest";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import { floe, jsonLines, testTrinoPort, writeRunnerProject } from "../testing/run-fixture.js";
import { dropSchema, rows } from "../testing/warehouse.js";

/**
 * Hooks against the real stack: on-run-start creates the audit table, pre/post hooks from the project
 * tree, the yml and {{config}} write audit rows in order around their model, a failing post_hook fails
 * its model (its child is skipped), and on-run-end still runs and records the run's results.
 */
const trino = localTrino({ port: testTrinoPort() });
const schema = uniqueName("floe_hooks");
afterAll(async () => {
  await dropSchema(trino, schema);
});

// Each audit row carries how many rows were there before it: the order the hooks ran in.
const audit = (what: string) =>
  `insert into {{target.catalog}}.{{target.schema}}.audit select '{{this.identifier}}', '${what}', (select count(*) from {{target.catalog}}.{{target.schema}}.audit)`;

const files = {
  "floe_project.yml": `name: shop
profile: floe
on-run-start:
  - "create schema if not exists {{target.catalog}}.{{target.schema}} with (location = 's3://warehouse/{{target.schema}}')"
  - "create table if not exists {{target.catalog}}.{{target.schema}}.audit (model varchar, hook varchar, seq bigint)"
on-run-end: >
  insert into {{target.catalog}}.{{target.schema}}.run_log
  {{#each results}}select '{{unique_id}}' as unique_id, '{{status}}' as status, {{rows_affected}} as row_count,
  {{execution_time}} as seconds{{#unless @last}} union all {{/unless}}{{/each}}
models:
  +post-hook: "${audit("project post")}"
`,
  "models/run_log.sql":
    "{{config materialized=\"table\"}}\nselect unique_id, status, cast(null as bigint) as row_count, 0.0e0 as seconds\nfrom (values ('', '')) as t(unique_id, status) where false\n",
  "models/orders.sql": `{{config materialized="table" pre_hook="${audit("template pre")}" post_hook="${audit("template post")}"}}\nselect 1 as id union all select 2\n`,
  "models/orders.yml": `version: 2
models:
  - name: orders
    config:
      post_hook:
        - "${audit("yml post 1")}"
        - "${audit("yml post 2")}"
  - name: broken
    config:
      post-hook: "select * from {{target.catalog}}.{{target.schema}}.no_such_table"
`,
  "models/broken.sql": '{{config materialized="table"}}\nselect * from {{ref "orders"}}\n',
  "models/after_broken.sql": 'select * from {{ref "broken"}}\n',
};

describe("hooks", () => {
  it("run in order around their model; a failing hook fails its node; on-run-end reads the results", async () => {
    const dir = writeRunnerProject(schema, files);
    const run = await floe(dir, "run", "--log-format", "json");
    expect(run.exitCode).toBe(1);
    const events = jsonLines(run.stdout);
    const hooks = events
      .filter((e) => e.code === "HOOK_FINISHED")
      .map((e) => `${e.hook} ${e.index} ${e.status}${e.status === "error" ? e.message : ""}`);
    expect(hooks).toEqual(["on-run-start 1 success", "on-run-start 2 success", "on-run-end 1 success"]);
    const status = Object.fromEntries(
      events.filter((e) => e.code === "NODE_FINISHED").map((e) => [e.result.unique_id, e.result.status]),
    );
    expect(status).toEqual({
      "model.shop.run_log": "success",
      "model.shop.orders": "success",
      "model.shop.broken": "error",
      "model.shop.after_broken": "skipped",
    });

    // orders: its pre_hook, then (after the table) the project's, the yml's and the template's post_hooks.
    expect(
      await rows(
        trino,
        `SELECT model, hook, seq FROM iceberg.${schema}.audit WHERE model = 'orders' ORDER BY seq`,
      ),
    ).toEqual([
      { model: "orders", hook: "template pre", seq: 0 },
      { model: "orders", hook: "project post", seq: 1 },
      { model: "orders", hook: "yml post 1", seq: 2 },
      { model: "orders", hook: "yml post 2", seq: 3 },
      { model: "orders", hook: "template post", seq: 4 },
    ]);
    // broken's project post_hook ran, then its own failed: the table was built, the node is an error.
    expect(await rows(trino, `SELECT hook FROM iceberg.${schema}.audit WHERE model = 'broken'`)).toEqual([
      { hook: "project post" },
    ]);
    expect(await rows(trino, `SELECT count(*) AS n FROM iceberg.${schema}.broken`)).toEqual([{ n: 2 }]);

    // on-run-end saw every node's result, the failure included.
    const log = await rows(
      trino,
      `SELECT unique_id, status, row_count, seconds >= 0 AS timed FROM iceberg.${schema}.run_log ORDER BY unique_id`,
    );
    expect(log).toEqual([
      { unique_id: "model.shop.after_broken", status: "skipped", row_count: null, timed: true },
      { unique_id: "model.shop.broken", status: "error", row_count: null, timed: true },
      { unique_id: "model.shop.orders", status: "success", row_count: 2, timed: true },
      { unique_id: "model.shop.run_log", status: "success", row_count: 0, timed: true },
    ]);
  });

  it("a failing on-run-start runs no node, and on-run-end still runs", async () => {
    const dir = writeRunnerProject(`${schema}_start`, {
      "floe_project.yml": `name: shop\nprofile: floe\non-run-start: "select * from nowhere.no_schema.no_table"\non-run-end: "select 1"\n`,
      "models/m.sql": "select 1 as x\n",
    });
    const run = await floe(dir, "run", "--log-format", "json");
    expect(run.exitCode).toBe(1);
    const events = jsonLines(run.stdout);
    expect(events.filter((e) => e.code === "HOOK_FINISHED").map((e) => `${e.hook} ${e.status}`)).toEqual([
      "on-run-start error",
      "on-run-end success",
    ]);
    expect(events.find((e) => e.code === "NODE_FINISHED")?.result).toMatchObject({
      unique_id: "model.shop.m",
      status: "skipped",
      message: "skipped: an on-run-start hook failed",
    });
  });
});
