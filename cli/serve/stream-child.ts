import type { IncomingMessage, ServerResponse } from "node:http";
import { KeyIndex } from "../../ingest/http/api-keys.js";
import { type MartReader, queryRoutes, trinoMartReader } from "../../ingest/stream/query-api.js";
import { connectRedis } from "../../ingest/stream/redis-store.js";
import type { StreamOptions } from "../../ingest/stream/run-stream.js";
import { StreamMetrics } from "../../ingest/stream/stream-metrics.js";
import { lazyRedisViewReader } from "../../ingest/stream/view-reader.js";
import type { TrinoConnection } from "../../trino/connection.js";
import type { ChildSpec } from "./run-supervisor.js";

/** `floe stream` as serve runs it: `runStream`'s options without what serve decides (stop, metrics). */
export type ServeStreamOptions = Omit<StreamOptions, "signal" | "metrics" | "onEvent">;

/** The stream processor as a supervised child: running once it has synced with Redis; a crash restarts it. */
export function streamChild(
  options: ServeStreamOptions,
  metrics: StreamMetrics,
  log: (line: string) => void,
): ChildSpec {
  return {
    name: "stream",
    async run({ signal, running }) {
      const { runStream } = await import("../../ingest/stream/run-stream.js");
      await runStream({
        ...options,
        signal,
        metrics,
        onEvent: (event) => {
          if (event.kind === "started") running();
          else if (event.kind === "phase" && event.phase !== "stopped")
            log(`stream ${event.phase}: ${event.reason}`);
        },
      });
    },
  };
}

export interface QueryApiWiring {
  readonly redisUrl: string;
  readonly keyPrefix: string;
  readonly keysFile: string;
  /** The target's Trino and the quoted relation of the minute mart (absent: Redis only). */
  readonly mart?: { readonly connection: TrinoConnection; readonly relation: string };
}

/** The query API's routes on serve's port, and what closes their Redis connection. */
export function queryApiRoutes(wiring: QueryApiWiring): {
  routes: (req: IncomingMessage, res: ServerResponse) => boolean;
  close(): void;
} {
  const view = lazyRedisViewReader(() => connectRedis(wiring.redisUrl), wiring.keyPrefix);
  const keys = new KeyIndex(wiring.keysFile);
  const mart: MartReader | undefined = wiring.mart
    ? trinoMartReader(wiring.mart.connection, wiring.mart.relation)
    : undefined;
  return {
    routes: queryRoutes({
      view,
      ...(mart ? { mart } : {}),
      authorize: (secret) => keys.lookup(secret, Date.now()) !== undefined,
    }),
    close: () => view.close(),
  };
}

export { StreamMetrics };
