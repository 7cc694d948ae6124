import { z } from "zod";

/**
 * The one shape of a message on the Kafka topic `alerts` (contract: DESIGN.md). Producers are the SLO
 * burn-rate evaluator of `floe serve`, the low-stock detector of `floe stream` and the sink (a partition
 * paused after its retries ran out, and resumed); consumers (a pager bridge, the dashboard, tests) read any
 * alert with this one schema and switch on `kind`.
 */
export const ALERTS_TOPIC = "alerts";

const base = {
  /** ISO-8601 UTC time the alert was raised. */
  at: z.iso.datetime(),
  severity: z.enum(["info", "warning", "critical"]),
  /** One line a human reads in a pager or a log. */
  summary: z.string().min(1),
};

export const alertSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("slo_burn"),
    ...base,
    /** The mart whose event→mart latency SLO burns, or `all`. */
    mart: z.string(),
    /** Burn rates over the long and the short window of the rule that fired. */
    long_window: z.string(),
    short_window: z.string(),
    burn_rate_long: z.number(),
    burn_rate_short: z.number(),
    /** "firing" when the rule starts to hold, "resolved" when it stops. */
    state: z.enum(["firing", "resolved"]),
  }),
  z.object({
    kind: z.literal("low_stock"),
    ...base,
    product_id: z.string(),
    quantity: z.number().int(),
    threshold: z.number().int(),
    /** "below" when the stock crosses under the threshold, "recovered" when it crosses back. */
    state: z.enum(["below", "recovered"]),
  }),
  z.object({
    kind: z.literal("sink_paused"),
    ...base,
    topic: z.string(),
    partition: z.number().int().nonnegative(),
    /** The error that exhausted the retries (on "paused"). */
    error: z.string().optional(),
    /** "paused" when the partition stops being written, "resumed" when its rows flow again. */
    state: z.enum(["paused", "resumed"]),
  }),
]);

export type Alert = z.infer<typeof alertSchema>;

/** The Kafka message key of an alert: alerts about one subject stay in order on one partition. */
export function alertKey(alert: Alert): string {
  switch (alert.kind) {
    case "slo_burn":
      return `slo_burn:${alert.mart}`;
    case "low_stock":
      return `low_stock:${alert.product_id}`;
    case "sink_paused":
      return `sink_paused:${alert.topic}:${alert.partition}`;
  }
}
