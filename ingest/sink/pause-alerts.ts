import type { Alert } from "../../core/alert.js";
import type { SinkEvent } from "./types.js";

/**
 * Turns the sink's pause and resume events into `sink_paused` alerts, once per crossing: a partition that
 * stays paused through several rounds of attempts (one "paused" event per round) raises one alert, and
 * its resume one more. Pure: the sink publishes what this returns.
 */
export class PauseAlerts {
  readonly #paused = new Set<string>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** The alert this event raises, if any. */
  onEvent(event: SinkEvent): Alert | undefined {
    if (event.kind !== "paused" && event.kind !== "resumed") return undefined;
    const key = `${event.topic}\u0000${event.partition}`;
    const at = this.now().toISOString();
    if (event.kind === "paused") {
      if (this.#paused.has(key)) return undefined;
      this.#paused.add(key);
      return {
        kind: "sink_paused",
        at,
        severity: "critical",
        summary: `sink paused ${event.topic}[${event.partition}] after its retries ran out: ${event.error} (next attempt in ${Math.round(event.resumeInMs / 1000)} s; nothing is lost, its rows wait in Kafka)`,
        topic: event.topic,
        partition: event.partition,
        error: event.error,
        state: "paused",
      };
    }
    if (!this.#paused.delete(key)) return undefined;
    return {
      kind: "sink_paused",
      at,
      severity: "info",
      summary: `sink resumed ${event.topic}[${event.partition}]`,
      topic: event.topic,
      partition: event.partition,
      state: "resumed",
    };
  }
}
