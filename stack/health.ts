import { connect } from "node:net";
import { Kafka, logLevel } from "kafkajs";
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

/** One probe of a service's health check; never throws. */
export async function probe(check: HealthCheck): Promise<boolean> {
  try {
    if (check.kind === "trino") return await trinoRunsQueries(check.url);
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
