import { connect } from "node:net";
import { Kafka, logLevel } from "kafkajs";
import pg from "pg";
import { createClient } from "redis";
import type { HealthCheck } from "./services.js";

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portInUse(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (used: boolean) => {
      socket.destroy();
      resolve(used);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * Trino is ready when /v1/info says it is no longer starting and a query that scans a connector's table
 * finishes: for about two seconds after that flag (and after `SELECT 1` works), table scans still fail
 * with "No nodes available to run query" until the coordinator has registered its own node's catalogs.
 */
async function trinoRunsQueries(base: string): Promise<boolean> {
  const info = await fetch(`${base}/v1/info`, { signal: AbortSignal.timeout(3_000) });
  if (!info.ok || !(await info.text()).includes('"starting":false')) return false;
  let page = (await (
    await fetch(`${base}/v1/statement`, {
      method: "POST",
      body: "SELECT count(*) FROM tpch.tiny.region",
      headers: { "X-Trino-User": "floe-health" },
      signal: AbortSignal.timeout(3_000),
    })
  ).json()) as { nextUri?: string; error?: unknown };
  const deadline = Date.now() + 10_000;
  while (page.nextUri && !page.error && Date.now() < deadline) {
    page = (await (await fetch(page.nextUri, { signal: AbortSignal.timeout(3_000) })).json()) as typeof page;
  }
  return page.nextUri === undefined && page.error === undefined;
}

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: 3_000,
    query_timeout: 3_000,
  });
  try {
    await client.connect();
    const result = await client.query<{ ok: number }>("SELECT 1 AS ok");
    return result.rows[0]?.ok === 1;
  } finally {
    await client.end().catch(() => {});
  }
}

async function redisAnswers(url: string): Promise<boolean> {
  const client = createClient({ url, socket: { connectTimeout: 3_000, reconnectStrategy: false } });
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } finally {
    client.destroy();
  }
}

/** Kafka Connect's status of one connector (GET /connectors/<name>/status). */
export interface ConnectorStatus {
  readonly connector: { readonly state: string; readonly trace?: string };
  readonly tasks: readonly { readonly id: number; readonly state: string; readonly trace?: string }[];
}

/** Healthy means the connector and at least one task run and no task failed. Pure. */
export function connectorRunning(status: ConnectorStatus): boolean {
  return (
    status.connector.state === "RUNNING" &&
    status.tasks.length > 0 &&
    status.tasks.every((t) => t.state === "RUNNING")
  );
}

async function connectorStatus(url: string, connector: string): Promise<ConnectorStatus | undefined> {
  const response = await fetch(`${url}/connectors/${encodeURIComponent(connector)}/status`, {
    signal: AbortSignal.timeout(3_000),
  });
  return response.ok ? ((await response.json()) as ConnectorStatus) : undefined;
}

/**
 * A failure a service reports about itself while its process lives on (a Debezium task that FAILED, with
 * Connect's trace), so `up` can stop waiting and say why; undefined when there is none to report.
 */
export async function probeFailure(check: HealthCheck): Promise<string | undefined> {
  if (check.kind !== "connect") return undefined;
  try {
    const status = await connectorStatus(check.url, check.connector);
    if (!status) return undefined;
    const failed = [status.connector, ...status.tasks].find((s) => s.state === "FAILED");
    return failed ? (failed.trace ?? "FAILED").split("\n").slice(0, 6).join("\n") : undefined;
  } catch {
    return undefined;
  }
}

/** One probe of a service's health check; never throws. */
export async function probe(check: HealthCheck): Promise<boolean> {
  try {
    if (check.kind === "trino") return await trinoRunsQueries(check.url);
    if (check.kind === "postgres") return await postgresAnswers(check.url);
    if (check.kind === "redis") return await redisAnswers(check.url);
    if (check.kind === "connect") {
      const status = await connectorStatus(check.url, check.connector);
      return status !== undefined && connectorRunning(status);
    }
    if (check.kind === "http") {
      const response = await fetch(check.url, { signal: AbortSignal.timeout(3_000) });
      const ok = check.okStatuses ? check.okStatuses.includes(response.status) : response.ok;
      if (!ok) return false;
      if (check.bodyIncludes === undefined) return true;
      return (await response.text()).includes(check.bodyIncludes);
    }
    const kafka = new Kafka({
      clientId: "floe-health",
      brokers: [check.broker],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 2_000,
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0 && cluster.controller !== null;
    } finally {
      await admin.disconnect().catch(() => {});
    }
  } catch {
    return false;
  }
}
