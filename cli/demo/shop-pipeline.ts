import { DeleteObjectsCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { Partitioners } from "kafkajs";
import { EnvironmentError } from "../../core/errors.js";
import { shopCdcTopics } from "../../ingest/cdc/cdc-topics.js";
import { TOPIC_KINDS } from "../../ingest/contracts.js";
import { type Endpoints, endpointsFromEnv, kafkaClient, s3Client } from "../../ingest/endpoints.js";
import type { GeneratedMessage } from "../../ingest/generator.js";
import { defaultTopicNames, ensureTopics, ShopProducer, topicName } from "../../ingest/producer.js";
import {
  DEFAULT_RAW_TARGET,
  dropTableSql,
  type RawTableTarget,
  registerRawTables,
  type TrinoQuery,
} from "../../ingest/raw-tables.js";
import { runSink, type SinkEvent, type SinkSummary } from "../../ingest/sink.js";
import type { TrinoConnection } from "../../trino/connection.js";
import { quoteIdentifier, quoteRelation } from "../../trino/dialect.js";
import { loadProject, type ParsedProject } from "../compile/compile.js";
import type { RunLogger } from "../log/events.js";
import { connectTarget } from "../runner/connect.js";
import { runTaskOptions } from "../runner/run-options.js";
import { type RunTaskResult, runTask } from "../runner/run-task.js";

/**
 * The shop pipeline as a programmatic API, shared by `floe demo` and the shop's integration tests:
 * publish generated events → sink them to raw Parquet until idle → register the raw tables under the names
 * the project's sources expect → `floe build`. A namespace keeps one run's topics, objects, raw tables and
 * target schemas apart from every other's.
 */
export interface ShopNamespace {
  /** Prefix of the Kafka topics (`''` = the default topic names). */
  readonly topicPrefix: string;
  /** Object prefix of the raw area in the bucket, e.g. `raw/`. */
  readonly s3Prefix: string;
  /** Hive schema of the raw tables (the project's `raw` source). */
  readonly rawSchema: string;
  /** The profile's target schema; models go to `<schema>_staging` and `<schema>_marts`. */
  readonly targetSchema: string;
  /** Consumer group of the sink. */
  readonly sinkGroup: string;
}

export const topicsOf = (ns: ShopNamespace): string[] =>
  TOPIC_KINDS.map((kind) => topicName({ prefix: ns.topicPrefix }, kind));
export const dlqOf = (ns: ShopNamespace): string => defaultTopicNames(ns.topicPrefix).dlq;

const kafkaUnreachable = (endpoints: Endpoints, cause: unknown) =>
  new EnvironmentError("KAFKA_UNREACHABLE", `Cannot reach Kafka at ${endpoints.brokers.join(",")}.`, {
    hint: "start the stack with `floe stack up` or set FLOE_KAFKA_BROKERS",
    cause,
  });

/** Publishes generated messages as they are (duplicates and malformed ones included). */
export async function publishMessages(
  ns: ShopNamespace,
  messages: Iterable<GeneratedMessage>,
  options: { partitions?: number; endpoints?: Endpoints; onProgress?: (n: number) => void } = {},
): Promise<number> {
  const endpoints = options.endpoints ?? endpointsFromEnv();
  const kafka = kafkaClient(endpoints, "floe-shop");
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await Promise.all([admin.connect(), producer.connect()]).catch((cause: unknown) => {
    throw kafkaUnreachable(endpoints, cause);
  });
  try {
    // Right after a topic deletion Kafka may still refuse the name for a moment ("marked for deletion").
    for (let attempt = 1; ; attempt++) {
      try {
        await ensureTopics(admin, { sources: topicsOf(ns), dlq: dlqOf(ns) }, options.partitions ?? 3);
        break;
      } catch (error) {
        if (attempt >= 20) throw error;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    const shop = new ShopProducer(producer, defaultTopicNames(ns.topicPrefix));
    let published = 0;
    for (const m of messages) {
      // Valid first copies go through the contract check; duplicates and malformed bytes go out as they are.
      if (m.event && !m.duplicate) await shop.send(m.kind, m.key, m.event);
      else await shop.sendRaw(m.kind, m.key, m.value);
      if (++published % 10_000 === 0) options.onProgress?.(published);
    }
    await shop.flush();
    return published;
  } finally {
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Runs the sink over the namespace's topics until it is caught up and idle; with `cdc`, Debezium's
 * `db.<table>` topics too (never prefixed: the connector is the stack's one), landing under the
 * namespace's object prefix.
 */
export function sinkUntilIdle(
  ns: ShopNamespace,
  options: { onEvent?: (e: SinkEvent) => void; endpoints?: Endpoints; cdc?: boolean } = {},
): Promise<SinkSummary> {
  return runSink({
    topics: topicsOf(ns),
    // A table nobody has changed yet has no topic: the sink consumes it once it appears.
    ...(options.cdc ? { optionalTopics: shopCdcTopics() } : {}),
    dlqTopic: dlqOf(ns),
    prefix: ns.s3Prefix,
    groupId: ns.sinkGroup,
    untilIdle: true,
    idleMs: 3_000,
    flushIntervalMs: 10_000,
    metricsPort: null,
    // No Trino connection: the sink would name tables after the (prefixed) topics; the project's sources
    // expect the bare names, so registration happens in registerShopRawTables.
    ...(options.endpoints ? { endpoints: options.endpoints } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
}

/**
 * Creates `hive.<rawSchema>.{user_events,product_metadata,orders}` over the namespace's topic folders and
 * adds the partitions on S3. Naming the table by the topic kind while pointing the location at the prefixed
 * topic folder is what lets any namespace feed the same project.
 */
export async function registerShopRawTables(ns: ShopNamespace, trino: TrinoQuery): Promise<string[]> {
  const events = await registerRawTables(trino, rawTargetOf(ns), [...TOPIC_KINDS]);
  // The shop database's CDC tables (source shop_db), beside the event tables: registered — empty until the
  // sink lands Debezium's topics there — as the sink itself does at start, so that `floe validate` and a
  // build find dim_customers' upstream whether or not the shop database feeds this namespace.
  const cdc = await registerRawTables(trino, cdcTargetOf(ns), shopCdcTopics());
  return [...events, ...cdc];
}

/** Where a namespace's raw tables live: its hive schema, over its topics' folders. */
export function rawTargetOf(ns: ShopNamespace): RawTableTarget {
  return { ...DEFAULT_RAW_TARGET, schema: ns.rawSchema, prefix: `${ns.s3Prefix}${ns.topicPrefix}` };
}

/** Where a namespace's CDC tables are: its raw schema and object prefix, Debezium's unprefixed topics. */
function cdcTargetOf(ns: ShopNamespace): RawTableTarget {
  return { ...DEFAULT_RAW_TARGET, schema: ns.rawSchema, prefix: ns.s3Prefix };
}

/** Drops the raw tables, the CDC ones too (external: their files stay), so stale partitions go with them. */
export async function dropRawTables(ns: ShopNamespace, trino: TrinoQuery): Promise<void> {
  for (const kind of TOPIC_KINDS) await trino.query(dropTableSql(rawTargetOf(ns), kind));
  for (const topic of shopCdcTopics()) await trino.query(dropTableSql(cdcTargetOf(ns), topic));
}

/** Deletes the namespace's topics (and its DLQ) and sink consumer group; missing ones are fine. */
export async function deleteShopTopics(ns: ShopNamespace, endpoints = endpointsFromEnv()): Promise<void> {
  const admin = kafkaClient(endpoints, "floe-shop").admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const topics = [...topicsOf(ns), dlqOf(ns)].filter((t) => existing.has(t));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
    await admin.deleteGroups([ns.sinkGroup]).catch(() => {});
    // Topic deletion is asynchronous in Kafka: wait until the names are free to be created again.
    for (let i = 0; i < 60; i++) {
      const left = new Set(await admin.listTopics());
      if (!topics.some((t) => left.has(t))) break;
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Deletes the raw objects of the namespace's topics (with `cdc`, of Debezium's topics' too). */
export async function deleteShopRawObjects(
  ns: ShopNamespace,
  endpoints = endpointsFromEnv(),
  options: { cdc?: boolean } = {},
): Promise<number> {
  const s3 = s3Client(endpoints);
  let deleted = 0;
  for (const topic of [...topicsOf(ns), ...(options.cdc ? shopCdcTopics() : [])]) {
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: endpoints.bucket,
          Prefix: `${ns.s3Prefix}${topic}/`,
          ContinuationToken: token,
        }),
      );
      const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
      if (keys.length > 0) {
        await s3.send(new DeleteObjectsCommand({ Bucket: endpoints.bucket, Delete: { Objects: keys } }));
        deleted += keys.length;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
  return deleted;
}

/** The vars of a build over the event topics alone: the shop database's models off, whatever the default. */
export const WITHOUT_SHOP_DB: Readonly<Record<string, unknown>> = { shop_db: false };

/** Loads the repository's project with the namespace's raw schema and target schema. */
export function loadShopProject(
  projectDir: string,
  ns: ShopNamespace,
  vars: Readonly<Record<string, unknown>> = {},
): ParsedProject {
  const project = loadProject({
    projectDir,
    vars,
    env: { ...process.env, FLOE_TRINO_SCHEMA: ns.targetSchema },
  });
  // The namespace's raw tables, the CDC ones too (var shop_db is on by default), live in its own schema.
  pointSourceAt(project, "raw", ns.rawSchema);
  pointSourceAt(project, "shop_db", ns.rawSchema);
  return project;
}

/**
 * The project with the shop database's CDC models on (var `shop_db`), their source `shop_db` read from the
 * namespace's raw schema (where a test's own CDC sink lands Debezium's `db.<table>` topics).
 */
export function loadShopDbProject(
  projectDir: string,
  ns: ShopNamespace,
  vars: Readonly<Record<string, unknown>> = {},
): ParsedProject {
  return loadShopProject(projectDir, ns, { ...vars, shop_db: true });
}

/**
 * Repoints a source's tables to another Hive schema. The sources yml names `hive.raw`; another namespace's
 * raw tables live in another schema. Source relations are resolved from the manifest when models render,
 * so repointing them here is enough.
 */
function pointSourceAt(project: ParsedProject, sourceName: string, schema: string): void {
  for (const source of Object.values(project.manifest.sources)) {
    if (source.source_name === sourceName) {
      (source as { relation: typeof source.relation }).relation = { ...source.relation, schema };
    }
  }
}

export interface BuildShopOptions {
  readonly fullRefresh?: boolean;
  readonly logger: RunLogger;
  readonly threads?: number;
  readonly writeArtifact?: (path: string, content: string) => void;
  /** Only these models and the tests attached to them (default: the whole project). */
  readonly models?: readonly string[];
  /** Default: the profile target's Trino. */
  readonly connection?: TrinoConnection;
}

/** `floe build` over the whole project (seeds, models, tests in DAG order), or over `options.models`. */
export async function buildShop(project: ParsedProject, options: BuildShopOptions): Promise<RunTaskResult> {
  const { nodes } = project.manifest;
  const models = options.models;
  const inScope = (id: string): boolean => {
    const n = nodes[id];
    if (models === undefined) return true;
    if (n?.resource_type === "model") return models.includes(n.name);
    const tested = n?.resource_type === "test" && n.attached_node ? nodes[n.attached_node] : undefined;
    return tested?.resource_type === "model" && models.includes(tested.name);
  };
  return runTask(
    runTaskOptions({
      project,
      kind: "build",
      // The shop's unit tests run before their models, as in `floe build`.
      selected: new Set([
        ...Object.keys(nodes).filter(inScope),
        ...Object.values(project.manifest.unit_tests)
          .filter((u) => inScope(u.attached_node))
          .map((u) => u.unique_id),
      ]),
      connection: options.connection ?? connectTarget(project.target),
      logger: options.logger,
      threads: options.threads,
      fullRefresh: options.fullRefresh,
      // Compiled and run SQL files only when asked: `floe demo` asks, the shop's tests do not.
      writeArtifact: options.writeArtifact ?? (() => {}),
    }),
  );
}

/** The models `names` read, transitively, themselves included. */
export function upstreamModels(project: ParsedProject, names: readonly string[]): string[] {
  const nodes = project.manifest.nodes;
  const byName = new Map(Object.values(nodes).map((n) => [n.name, n]));
  const out = new Set<string>();
  const visit = (name: string) => {
    const node = byName.get(name);
    if (node?.resource_type !== "model" || out.has(name)) return;
    out.add(name);
    for (const dep of node.depends_on.nodes) visit(nodes[dep]?.name ?? "");
  };
  for (const n of names) visit(n);
  return [...out];
}

/** The relation of a model of the project, quoted for Trino. */
export function martRelation(project: ParsedProject, model: string): string {
  const node = Object.values(project.manifest.nodes).find(
    (n) => n.resource_type === "model" && n.name === model,
  );
  if (node?.resource_type !== "model") throw new Error(`no model ${model} in the shop project`);
  const r = node.relation;
  return quoteRelation(r);
}

export interface ShopReport {
  /** Schema of the marts (for BI tools). */
  readonly martSchema: string;
  readonly rowsPerMart: { model: string; rows: number }[];
  readonly revenue: number;
  readonly paidOrders: number;
  readonly orders: number;
  readonly avgOrderValue: number;
  readonly conversionRate: number;
  readonly sessions: number;
  readonly topCategories: { category: string; revenue: number }[];
  /** The shop database's part, when its models are built (var shop_db). */
  readonly cdc?: ShopCdcReport;
}

export interface ShopCdcReport {
  readonly customers: number;
  /** Customers whose e-mail the marts hold hashed (and masked), from the database's current users. */
  readonly hashedEmails: number;
  /** fct_inventory_db: products with the database's stock. */
  readonly inventoryProducts: number;
  /** Products whose database stock equals the stock the event stream implies. */
  readonly stockAsEvents: number;
  /** Products whose database stock differs (restocks only the database knows). */
  readonly stockDiffers: number;
  readonly lowStock: number;
}

const hasModel = (project: ParsedProject, model: string) =>
  Object.values(project.manifest.nodes).some((n) => n.resource_type === "model" && n.name === model);

/** The CDC figures: hashed e-mails in dim_customers, fct_inventory_db reconciled with the events. */
export async function shopCdcReport(project: ParsedProject, trino: TrinoConnection): Promise<ShopCdcReport> {
  const customers = await trino.query<{ n: number; hashed: number }>(
    `select count(*) as n, count(email_hash) as hashed from ${martRelation(project, "dim_customers")}`,
  );
  const stock = await trino.query<{ n: number; same: number; differs: number; low: number }>(
    `select count(*) as n, count_if(stock_difference = 0) as same,
            count_if(stock_difference is null or stock_difference <> 0) as differs, count_if(is_low_stock) as low
     from ${martRelation(project, "fct_inventory_db")}`,
  );
  const c = customers.rows[0];
  const s = stock.rows[0];
  return {
    customers: Number(c?.n ?? 0),
    hashedEmails: Number(c?.hashed ?? 0),
    inventoryProducts: Number(s?.n ?? 0),
    stockAsEvents: Number(s?.same ?? 0),
    stockDiffers: Number(s?.differs ?? 0),
    lowStock: Number(s?.low ?? 0),
  };
}

/** Rows per mart and the headline figures, read from the marts. */
export async function shopReport(project: ParsedProject, trino: TrinoConnection): Promise<ShopReport> {
  const marts = Object.values(project.manifest.nodes)
    .filter((n) => n.resource_type === "model" && n.fqn.includes("marts"))
    .map((n) => n.name)
    .sort();
  const rowsPerMart: { model: string; rows: number }[] = [];
  for (const model of marts) {
    const r = await trino.query<{ n: number }>(`select count(*) as n from ${martRelation(project, model)}`);
    rowsPerMart.push({ model, rows: Number(r.rows[0]?.n ?? 0) });
  }
  const revenue = await trino.query<{ revenue: string; paid: number }>(
    `select cast(coalesce(sum(revenue), 0) as varchar) as revenue, coalesce(sum(paid_orders), 0) as paid
     from ${martRelation(project, "fct_daily_revenue")}`,
  );
  const orders = await trino.query<{ n: number }>(
    `select count(*) as n from ${martRelation(project, "fct_orders")}`,
  );
  const funnel = await trino.query<{ step: string; sessions: number }>(
    `select step, sessions from ${martRelation(project, "fct_funnel")}`,
  );
  const categories = await trino.query<{ category: string; revenue_text: string }>(
    // The output alias differs from the column: `order by sum(revenue)` would otherwise see the varchar.
    `select c.category, cast(sum(c.revenue) as varchar) as revenue_text
     from ${martRelation(project, "product_category_revenue")} as c
     group by c.category order by sum(c.revenue) desc, c.category limit 3`,
  );
  const totalRevenue = Number(revenue.rows[0]?.revenue ?? 0);
  const paidOrders = Number(revenue.rows[0]?.paid ?? 0);
  const step = (name: string) => Number(funnel.rows.find((r) => r.step === name)?.sessions ?? 0);
  const anyMart = Object.values(project.manifest.nodes).find(
    (n) => n.resource_type === "model" && n.fqn.includes("marts"),
  );
  return {
    martSchema: anyMart?.resource_type === "model" ? anyMart.relation.schema : "",
    rowsPerMart,
    revenue: totalRevenue,
    paidOrders,
    orders: Number(orders.rows[0]?.n ?? 0),
    avgOrderValue: paidOrders === 0 ? 0 : Math.round((totalRevenue / paidOrders) * 100) / 100,
    sessions: step("session"),
    conversionRate: step("session") === 0 ? 0 : step("purchase") / step("session"),
    topCategories: categories.rows.map((r) => ({ category: r.category, revenue: Number(r.revenue_text) })),
    ...(hasModel(project, "fct_inventory_db") ? { cdc: await shopCdcReport(project, trino) } : {}),
  };
}

/** A namespace of its own for one test or benchmark run (`id`: a unique, SQL-safe name). */
export function isolatedNamespace(id: string): ShopNamespace {
  return {
    topicPrefix: `${id}-`,
    s3Prefix: `test-raw/${id}/`,
    rawSchema: `${id}_raw`,
    targetSchema: id,
    sinkGroup: `${id}-sink`,
  };
}

/**
 * Removes everything a namespace created: model tables and schemas (on each project's target), raw tables
 * and their schema (on `trino`), topics and raw objects.
 */
export async function dropShopNamespace(
  ns: ShopNamespace,
  projects: readonly ParsedProject[],
  trino: TrinoQuery,
): Promise<void> {
  for (const project of projects) {
    const connection = connectTarget(project.target);
    const schemas = new Set<string>();
    for (const node of Object.values(project.manifest.nodes)) {
      if (node.resource_type !== "model" && node.resource_type !== "seed") continue;
      schemas.add(`"${node.relation.catalog}"."${node.relation.schema}"`);
      await connection.query(`DROP TABLE IF EXISTS ${quoteRelation(node.relation)}`).catch(() => {});
    }
    for (const schema of schemas) await connection.query(`DROP SCHEMA IF EXISTS ${schema}`).catch(() => {});
  }
  await dropRawTables(ns, trino).catch(() => {});
  const raw = rawTargetOf(ns);
  await trino
    .query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(raw.catalog)}.${quoteIdentifier(raw.schema)}`)
    .catch(() => {});
  await deleteShopTopics(ns);
  await deleteShopRawObjects(ns);
}

/** Publish → sink until idle → register: one load of messages into the namespace's raw tables. */
export async function loadMessages(
  ns: ShopNamespace,
  messages: Iterable<GeneratedMessage>,
  trino: TrinoQuery,
): Promise<SinkSummary> {
  await publishMessages(ns, messages);
  const summary = await sinkUntilIdle(ns);
  await registerShopRawTables(ns, trino);
  return summary;
}

/** The nodes of a build that did not succeed/pass, one line each (empty: all good). */
export function unsuccessful(build: RunTaskResult): string[] {
  return build.results
    .filter((r) => r.status !== "success" && r.status !== "pass")
    .map((r) => `${r.displayName}: ${r.status} ${r.message}`);
}
