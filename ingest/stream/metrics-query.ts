import { z } from "zod";
import { quoteLiteral } from "../../trino/dialect.js";
import { METRIC_NAMES, METRICS } from "./observations.js";
import {
  GROUP_DIMENSIONS,
  isoSeconds,
  WINDOW_SECONDS,
  WINDOWS,
  type WindowName,
  windowExpiresAt,
  windowStartsBetween,
} from "./windows.js";

/**
 * `GET /v1/metrics?name=&window=&from=&to=&group_by=` as pure parts: the parameters (zod), which windows
 * Redis still holds and which must come from the minute mart, and the mart's SQL.
 */
export const MAX_WINDOWS = 1_440;

const instant = z
  .string()
  .trim()
  .transform((text, ctx) => {
    const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: "custom", message: "must be an ISO-8601 time or epoch seconds" });
      return z.NEVER;
    }
    return ms;
  });

export const metricsParams = z
  .object({
    name: z.enum(METRIC_NAMES as [string, ...string[]], {
      error: `must be one of ${METRIC_NAMES.join(", ")}`,
    }),
    window: z.enum(WINDOWS, { error: `must be one of ${WINDOWS.join(", ")}` }).default("1m"),
    from: instant.optional(),
    to: instant.optional(),
    group_by: z.enum(GROUP_DIMENSIONS, { error: `must be one of ${GROUP_DIMENSIONS.join(", ")}` }).optional(),
  })
  .strict();

export interface MetricsQuery {
  readonly name: string;
  readonly window: WindowName;
  readonly fromS: number;
  readonly toS: number;
  readonly groupBy: (typeof GROUP_DIMENSIONS)[number] | undefined;
}

export type ParamsResult = { ok: true; query: MetricsQuery } | { ok: false; errors: string[] };

/** The query string as a query: `to` defaults to now, `from` to 12 windows before `to`. */
export function parseMetricsQuery(search: URLSearchParams, nowMs: number): ParamsResult {
  const raw: Record<string, string> = {};
  for (const [k, v] of search) raw[k] = v;
  const parsed = metricsParams.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) =>
        i.code === "unrecognized_keys"
          ? `unknown parameter ${i.keys.join(", ")} (expected name, window, from, to, group_by)`
          : `${i.path.join(".") || "query"}: ${i.message}`,
      ),
    };
  }
  const p = parsed.data;
  const size = WINDOW_SECONDS[p.window];
  const toS = Math.floor((p.to ?? nowMs) / 1000);
  const fromS = p.from !== undefined ? Math.floor(p.from / 1000) : toS - 12 * size;
  if (fromS >= toS) return { ok: false, errors: ["from: must be before to"] };
  if ((toS - fromS) / size > MAX_WINDOWS) {
    return {
      ok: false,
      errors: [
        `from/to: at most ${MAX_WINDOWS} windows of ${p.window} per request; narrow the range or widen the window`,
      ],
    };
  }
  return { ok: true, query: { name: p.name, window: p.window, fromS, toS, groupBy: p.group_by } };
}

/** Window starts Redis still holds (expiry after now) and the older ones, which only the mart can answer. */
export function splitBySource(query: MetricsQuery, nowMs: number): { redis: number[]; mart: number[] } {
  const starts = windowStartsBetween(query.window, query.fromS, query.toS, MAX_WINDOWS);
  const alive = (s: number) => windowExpiresAt(query.window, s) > nowMs / 1000;
  return { redis: starts.filter(alive), mart: starts.filter((s) => !alive(s)) };
}

/**
 * The minute mart's rows for these windows, rolled up to the window size (counts and sums add up; distinct
 * users do not, so the mart answers without them). Undefined when the metric has no mart column.
 */
export function martSql(
  query: MetricsQuery,
  starts: readonly number[],
  relation: string,
): string | undefined {
  const metric = METRICS[query.name];
  if (!metric?.countColumn || starts.length === 0) return undefined;
  const size = WINDOW_SECONDS[query.window];
  const first = Math.min(...starts);
  const end = Math.max(...starts) + size;
  const ts = (s: number) => `timestamp ${quoteLiteral(isoSeconds(s).replace("T", " ").replace("Z", ""))}`;
  const group = query.groupBy ? `coalesce(${query.groupBy}, 'unknown')` : "'all'";
  const sum = metric.sumColumn ? `sum(${metric.sumColumn})` : "0";
  return [
    `select cast(floor(to_unixtime(bucket_start) / ${size}) * ${size} as bigint) as window_start,`,
    `  ${group} as grp, sum(${metric.countColumn}) as cnt, cast(${sum} as double) as total`,
    `from ${relation}`,
    `where bucket_start >= ${ts(first)} and bucket_start < ${ts(end)}`,
    "group by 1, 2",
    "order by 1, 2",
  ].join("\n");
}
