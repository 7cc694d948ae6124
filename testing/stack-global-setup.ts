import { stackUp } from "../stack/launcher.js";

/**
 * Integration tests run against the real local stack — in CI too, the shop's PostgreSQL, Redis and Kafka
 * Connect + Debezium with the rest. `stackUp` is idempotent: it returns at once when the stack is already
 * healthy and otherwise starts what is missing. When it cannot (no JDK ≥ 24, a port taken, no Maven, no
 * redis-server), the error fails the whole integration run — integration tests never skip. The stack is left running for
 * the next run; `.ci/run` stops it, and `npx floe stack down` does by hand.
 */
export default async function setup(): Promise<void> {
  const statuses = await stackUp({
    onEvent: (e) => {
      if (e.kind === "starting") process.stderr.write(`[stack] starting ${e.service}\n`);
      if (e.kind === "install" && e.phase === "download")
        process.stderr.write(`[stack] fetching ${e.service}\n`);
    },
  });
  process.stderr.write(`[stack] ${statuses.map((s) => `${s.name}:${s.state}`).join(" ")}\n`);
}
