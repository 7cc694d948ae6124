import { CancelledError, EnvironmentError } from "../../core/errors.js";
import type { TrinoConnection } from "../../trino/connection.js";
import { quoteIdentifier } from "../../trino/dialect.js";
import { TrinoConnectionError, TrinoQueryError } from "../../trino/errors.js";
import type { Manifest, TargetConfig } from "../compile/compile.js";

/**
 * One check before a run's first statement that the services behind Trino answer. With S3 down, every
 * query waited out Trino's S3 retries (91–101 s each, 193 s for a small build, no hint); with the Iceberg
 * catalog down, the errors never named the catalog. Two probes, both cheap on a healthy stack:
 *
 * 1. The endpoints the profile declares (`storage_endpoint`, `catalog_uri`: what Trino's catalogs use; Floe
 *    cannot read Trino's catalog properties): an HTTP request each, where any HTTP answer means "up".
 * 2. Through Trino, portable to any deployment: `SHOW SCHEMAS` in each catalog the run writes or reads,
 *    with a deadline. It reaches the catalog service (REST catalog, metastore) and, for a metastore kept
 *    on S3 (the local `hive` catalog), the storage.
 *
 * Either failing is an EnvironmentError (exit 2) naming the service, the address and the fix. Trino itself
 * being unreachable keeps its own error.
 */

/** An HTTP endpoint that answers nothing within this is down for our purposes (a local one answers in ms). */
export const ENDPOINT_TIMEOUT_MS = 3_000;
/** SHOW SCHEMAS takes well under a second on a healthy cluster; S3 retries inside Trino take minutes. */
export const CATALOG_TIMEOUT_MS = 20_000;

export interface PreflightOptions {
  readonly signal?: AbortSignal;
  readonly endpointTimeoutMs?: number;
  readonly catalogTimeoutMs?: number;
}

export async function preflight(
  target: TargetConfig,
  connection: TrinoConnection,
  catalogs: readonly string[],
  options: PreflightOptions = {},
): Promise<void> {
  await probeEndpoints(target, options.endpointTimeoutMs ?? ENDPOINT_TIMEOUT_MS);
  await Promise.all(
    catalogs.map((catalog) =>
      probeCatalog(connection, catalog, options.catalogTimeoutMs ?? CATALOG_TIMEOUT_MS, options.signal),
    ),
  );
}

/** The Trino catalogs a run touches: the target's, and those of the relations and sources it reads. */
export function catalogsOf(manifest: Manifest, selected: Iterable<string>, target: TargetConfig): string[] {
  const catalogs = new Set([target.catalog]);
  for (const id of selected) {
    const node = manifest.nodes[id];
    if (node && "relation" in node) catalogs.add(node.relation.catalog);
    for (const parent of manifest.parent_map[id] ?? []) {
      const source = manifest.sources[parent];
      if (source) catalogs.add(source.relation.catalog);
    }
  }
  return [...catalogs].sort();
}

interface Endpoint {
  readonly key: "storage_endpoint" | "catalog_uri";
  readonly code: string;
  readonly service: string;
  readonly url: string;
}

/** The profile's declared endpoints, each probed once; the first that does not answer is the error. */
export async function probeEndpoints(target: TargetConfig, timeoutMs: number): Promise<void> {
  const endpoints: Endpoint[] = [];
  if (target.storage_endpoint) {
    endpoints.push({
      key: "storage_endpoint",
      code: "STORAGE_UNREACHABLE",
      service: "the storage (S3)",
      url: target.storage_endpoint,
    });
  }
  if (target.catalog_uri) {
    endpoints.push({
      key: "catalog_uri",
      code: "CATALOG_UNREACHABLE",
      service: "the Iceberg REST catalog",
      // The REST spec's cheapest call; any answer (200, or 401 from a catalog with auth) means it is up.
      url: `${target.catalog_uri.replace(/\/+$/, "")}/v1/config`,
    });
  }
  const failures = await Promise.all(endpoints.map((e) => httpProbe(e.url, timeoutMs)));
  const index = failures.findIndex((reason) => reason !== undefined);
  const endpoint = endpoints[index];
  if (endpoint === undefined) return;
  throw new EnvironmentError(
    endpoint.code,
    `${endpoint.service} at ${endpoint.url} does not answer (${failures[index]}): every query of the run would wait on it.`,
    {
      location: { file: "profiles.yml", path: `${target.profile}.outputs.${target.name}.${endpoint.key}` },
      hint: `start it (\`floe stack up\` for the local stack, \`floe stack status\` shows what runs), or set ${endpoint.key} in profiles.yml to the address Trino's catalogs use.`,
      retriable: true,
    },
  );
}

/** Undefined when the URL answers anything over HTTP; else why not (refused, timed out, DNS...). */
export async function httpProbe(url: string, timeoutMs: number): Promise<string | undefined> {
  try {
    const response = await fetch(url, { method: "GET", signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return undefined;
  } catch (error) {
    if ((error as Error).name === "TimeoutError") return `no answer within ${timeoutMs / 1000} s`;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? (error as Error).message;
  }
}

/** `SHOW SCHEMAS FROM <catalog>` with a deadline; user errors (no such catalog) are left to the run. */
export async function probeCatalog(
  connection: TrinoConnection,
  catalog: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
  const hint =
    "check the catalog service and the storage behind it (`floe stack status` on the local stack); declare storage_endpoint and catalog_uri in profiles.yml so floe can name which one is down.";
  try {
    await connection.query(`SHOW SCHEMAS FROM ${quoteIdentifier(catalog)}`, { signal: combined });
  } catch (error) {
    if (error instanceof CancelledError && deadline.aborted && !signal?.aborted) {
      throw new EnvironmentError(
        "CATALOG_UNRESPONSIVE",
        `Trino's catalog '${catalog}' did not list its schemas within ${timeoutMs / 1000} s: its catalog service (REST catalog, metastore) or the storage behind it is not answering.`,
        { hint, retriable: true },
      );
    }
    if (error instanceof TrinoQueryError && !error.isUserError) {
      throw new EnvironmentError(
        "CATALOG_UNREACHABLE",
        `Trino cannot reach catalog '${catalog}': ${error.message}`,
        { hint, retriable: true, cause: error },
      );
    }
    if (error instanceof TrinoConnectionError || error instanceof CancelledError) throw error;
    if (error instanceof TrinoQueryError) return;
    throw error;
  }
}
