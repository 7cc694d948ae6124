import { z } from "zod";
import { durationSeconds } from "../../core/duration.js";
import { ConfigError } from "../../core/errors.js";
import { quoteIdentifier, quoteRelation } from "../../trino/dialect.js";
import type { Manifest } from "../manifest/manifest.js";

/**
 * Which marts `floe serve` measures event→mart latency on, and the one query per mart (pure). A model
 * opts in with the meta key `slo` (`meta: {slo: true}` or an object), in its yml or `{{config}}`:
 *
 *   event_time  the column holding each row's event time (default: the model's dbt `event_time` config)
 *   count       a column counting the events a row stands for (aggregates); default one event per row
 *   grain       event-time bucket width, like `5s` or `1m` (default 5s): latency is measured from a
 *               bucket's start, so it is an upper bound by at most the grain
 *
 * Opting in stays explicit: dbt's `event_time` alone also marks microbatch models whose rows stand for a
 * day (metrics_by_day), whose "latency" from the day's start would say nothing about the pipeline.
 */

export interface MeasuredMart {
  readonly uniqueId: string;
  readonly name: string;
  readonly relation: string;
  readonly eventTime: string;
  readonly count: string | undefined;
  readonly grainSeconds: number;
}

const sloMeta = z.union([
  z.literal(true),
  z.strictObject({
    event_time: z.string().min(1).optional(),
    count: z.string().min(1).optional(),
    grain: z
      .string()
      .refine((g) => (durationSeconds(g) ?? 0) > 0, "a duration like 5s or 1m")
      .optional(),
  }),
]);

const DEFAULT_GRAIN_SECONDS = 5;

/** The selected models that declare `meta.slo`, in name order; a malformed declaration is a ConfigError. */
export function measuredMarts(manifest: Manifest, selected: ReadonlySet<string>): MeasuredMart[] {
  const marts: MeasuredMart[] = [];
  for (const id of selected) {
    const node = manifest.nodes[id];
    if (node?.resource_type !== "model") continue;
    const meta = (node.config.meta ?? {}) as Record<string, unknown>;
    if (meta.slo === undefined || meta.slo === false) continue;
    const where = `model '${node.name}' (${node.patch_path ?? node.original_file_path}), meta.slo`;
    const parsed = sloMeta.safeParse(meta.slo);
    if (!parsed.success) {
      throw new ConfigError(`${where}: ${parsed.error.issues.map((i) => i.message).join("; ")}`, {
        hint: "write meta: {slo: true} or meta: {slo: {event_time: <column>, count: <column>, grain: 5s}}",
      });
    }
    const slo = parsed.data === true ? {} : parsed.data;
    const eventTime = slo.event_time ?? (node.config as { event_time?: string }).event_time;
    if (!eventTime) {
      throw new ConfigError(`${where}: no event-time column to measure latency from.`, {
        hint: "name it with meta: {slo: {event_time: <column>}} or the model's event_time config",
      });
    }
    marts.push({
      uniqueId: id,
      name: node.name,
      relation: quoteRelation(node.relation),
      eventTime,
      count: slo.count,
      grainSeconds: slo.grain ? (durationSeconds(slo.grain) ?? DEFAULT_GRAIN_SECONDS) : DEFAULT_GRAIN_SECONDS,
    });
  }
  return marts.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Events per event-time bucket since `fromSeconds` (epoch): at most lookback/grain rows, whatever the
 * table's size. Needs a UTC session: event times are UTC timestamps without a zone.
 */
export function eventTimeCountsSql(mart: MeasuredMart, fromSeconds: number): string {
  const column = quoteIdentifier(mart.eventTime);
  const grain = mart.grainSeconds;
  const from = Math.floor(fromSeconds / grain) * grain;
  const events = mart.count ? `sum(cast(${quoteIdentifier(mart.count)} as bigint))` : "count(*)";
  return [
    `select cast(floor(to_unixtime(${column}) / ${grain}) * ${grain} as bigint) as bucket_start, ${events} as events`,
    `from ${mart.relation}`,
    `where ${column} >= from_unixtime(${from})`,
    "group by 1",
  ].join("\n");
}
