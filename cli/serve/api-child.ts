import type { IngestApi, IngestApiEvent, IngestApiOptions } from "../../ingest/http/server.js";
import type { ChildSpec } from "./run-supervisor.js";

/** The ingestion API as serve runs it: `startIngestApi`'s options without what serve decides (events). */
export type ServeApiOptions = Omit<IngestApiOptions, "onEvent">;

/** What `/api/status` and the dashboard say of the API while it runs. */
export interface ApiStatus {
  readonly url: string;
  /** Events spooled and not yet acknowledged by Kafka. */
  readonly pending: number;
}

export interface ApiChildHooks {
  /** One line per API event (listening, Kafka send failures, draining). */
  readonly log: (line: string) => void;
  /** The running API, or undefined once it stopped: serve reads its status and metrics through it. */
  readonly onApi: (api: IngestApi | undefined) => void;
  /** Injected for tests; default: the real `startIngestApi`. */
  readonly start?: (options: IngestApiOptions) => Promise<IngestApi>;
}

/**
 * `floe ingest api` as a supervised child of `floe serve`: started on its own port (8686 by default), up
 * once it listens, and on stop it refuses new requests and drains its spool into Kafka before it returns.
 * A failed start (the port taken, the spool unreadable) is a crash: the supervisor restarts it with
 * backoff, and the spool keeps every event a 202 acknowledged across restarts.
 */
export function apiChild(options: ServeApiOptions, hooks: ApiChildHooks): ChildSpec {
  return {
    name: "api",
    async run({ signal, running }) {
      const start = hooks.start ?? (await import("../../ingest/http/server.js")).startIngestApi;
      const api = await start({
        ...options,
        onEvent: (event) => hooks.log(`api: ${describeApiEvent(event)}`),
      });
      hooks.onApi(api);
      running();
      try {
        if (!signal.aborted)
          await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
      } finally {
        hooks.onApi(undefined);
        await api.close();
      }
    },
  };
}

export function apiStatusOf(api: IngestApi | undefined): ApiStatus | null {
  return api ? { url: api.url, pending: api.pending() } : null;
}

export function describeApiEvent(e: IngestApiEvent): string {
  switch (e.kind) {
    case "listening":
      return `listening on ${e.url} (POST /v1/events; ${e.pending} spooled events waiting for Kafka)`;
    case "forward-failed":
      return `Kafka send failed (breaker ${e.breaker}; events stay spooled): ${e.error}`;
    case "reconciled":
      return `reconciled with Kafka: ${e.alreadyInKafka} spooled events were already there`;
    case "draining":
      return `draining ${e.pending} spooled events into Kafka`;
    case "stopped":
      return e.pending === 0
        ? "stopped, spool drained"
        : `stopped with ${e.pending} events spooled (sent at the next start)`;
  }
}
