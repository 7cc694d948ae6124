import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { UsageError } from "../../core/errors.js";

/**
 * `floe init <dir>`: a small, working project — a seed, a staging view using a macro, a mart table, yml
 * tests and a singular test — that compiles with no engine and runs against the local stack.
 */
export function starterFiles(projectName: string): Record<string, string> {
  const env = envPrefixFor(projectName);
  return {
    "floe_project.yml": `name: ${projectName}
version: "1.0"
profile: ${projectName}

model-paths: [models]
macro-paths: [macros]
test-paths: [tests]
seed-paths: [seeds]
target-path: target

vars:
  paid_status: paid

models:
  ${projectName}:
    staging:
      +materialized: view
    marts:
      +materialized: table
      +tags: [daily]
`,
    "profiles.yml": `${projectName}:
  target: dev
  outputs:
    dev:
      type: trino
      host: '{{env "${env}_TRINO_HOST" "127.0.0.1"}}'
      port: '{{env "${env}_TRINO_PORT" "8080"}}'
      user: '{{env "${env}_TRINO_USER" "floe"}}'
      catalog: '{{env "${env}_TRINO_CATALOG" "iceberg"}}'
      schema: '{{env "${env}_TRINO_SCHEMA" "${projectName}"}}'
      threads: 4
      http_scheme: http
      # The S3 endpoint and Iceberg REST catalog Trino uses: probed before a run ('' to skip).
      storage_endpoint: '{{env "${env}_S3_ENDPOINT" "http://127.0.0.1:9000"}}'
      catalog_uri: '{{env "${env}_ICEBERG_REST_URI" "http://127.0.0.1:8181"}}'
`,
    ".gitignore": "target/\nfloe_packages/\n",
    "seeds/raw_orders.csv": `order_id,customer_id,amount_cents,status,ordered_at
1,100,2500,paid,2024-01-01 10:00:00
2,100,1200,paid,2024-01-02 11:30:00
3,101,9900,cancelled,2024-01-02 12:00:00
4,102,450,paid,2024-01-03 09:15:00
`,
    "seeds/seeds.yml": `version: 2
seeds:
  - name: raw_orders
    config:
      column_types:
        ordered_at: timestamp(6)
`,
    "macros/cents_to_dollars.sql": "cast({{column}} as decimal(18, 2)) / 100\n",
    "models/staging/stg_orders.sql": `select
    order_id,
    customer_id,
    {{> cents_to_dollars column="amount_cents"}} as amount,
    status,
    cast(ordered_at as timestamp(6)) as ordered_at
from {{ref "raw_orders"}}
`,
    "models/staging/schema.yml": `version: 2
models:
  - name: stg_orders
    description: One row per order, amounts in dollars.
    columns:
      - name: order_id
        tests: [unique, not_null]
      - name: status
        tests:
          - accepted_values:
              values: [paid, cancelled, refunded]
`,
    "models/marts/customer_revenue.sql": `{{config materialized="table" tags="finance"}}
select
    customer_id,
    sum(amount) as revenue,
    count(*) as paid_orders
from {{ref "stg_orders"}}
where status = '{{var "paid_status"}}'
group by customer_id
`,
    "models/marts/schema.yml": `version: 2
models:
  - name: customer_revenue
    description: Revenue of paid orders per customer.
    columns:
      - name: customer_id
        tests: [unique, not_null]
      - name: revenue
        tests:
          - expression_is_true:
              expression: ">= 0"
`,
    "tests/assert_paid_orders_positive.sql": `-- A customer in the mart has at least one paid order.
select *
from {{ref "customer_revenue"}}
where paid_orders < 1
`,
  };
}

/**
 * The prefix of the environment variables a new project's profile reads (`MY_SHOP_TRINO_HOST`, ...): its
 * own names, so a shell set up for the shop in this repository (`FLOE_TRINO_SCHEMA`, ...) does not send
 * the new project's tables into the shop's schema.
 */
export function envPrefixFor(projectName: string): string {
  return projectName.toUpperCase();
}

export function projectNameFor(dir: string): string {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return /^[a-z_]/.test(name) ? name : `project_${name}`;
}

/** Writes the starter project; refuses a non-empty folder. Returns the files written. */
export function initProject(dir: string): string[] {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new UsageError(`${dir} is not empty; floe init only creates new projects.`, {
      hint: "pass a new folder name, e.g. floe init my_project.",
    });
  }
  const files = starterFiles(projectNameFor(dir));
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return Object.keys(files);
}
