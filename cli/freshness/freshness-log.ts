import { jsonLine, textOf } from "../log/json-line.js";
import { clock, dots, plural, position } from "../log/text-logger.js";
import { type FreshnessCriteria, formatAge, formatDuration } from "./criteria.js";
import type { FreshnessEvent, SourceFreshnessResult } from "./run-freshness.js";

/** dbt-like live lines for `floe source freshness`, or one JSON object per event (`--log-format json`). */
export function freshnessLogger(
  format: "text" | "json",
  write: (text: string) => void,
): (event: FreshnessEvent) => void {
  if (format === "json") {
    return (event) => {
      const status = event.code === "SOURCE_FINISHED" ? event.result.status : undefined;
      const level =
        status === "error" || status === "runtime error" ? "error" : status === "warn" ? "warn" : "info";
      const msg = textOf((to) => freshnessLogger("text", to)(event));
      write(jsonLine(level, { ...event, msg }));
    };
  }
  const out = (text: string) => write(`${clock()}  ${text}\n`);
  return (event) => {
    switch (event.code) {
      case "FRESHNESS_STARTED":
        for (const s of event.skipped) out(`Skipping freshness of ${s.name}: ${s.reason}`);
        out(
          event.total === 0
            ? "Nothing to do: no selected source has loaded_at_field and freshness (warn_after/error_after)."
            : `Checking freshness of ${plural(event.total, "source")} with ${plural(Math.min(event.threads, event.total), "thread")}`,
        );
        return;
      case "SOURCE_STARTED":
        out(dots(`${position(event.index, event.total)} START freshness of ${event.name}`, "[RUN]"));
        return;
      case "SOURCE_FINISHED": {
        const r = event.result;
        out(dots(`${position(event.index, event.total)} ${headline(r)}`, badge(r)));
        if (r.error) out(`  ${r.error.file}: ${r.error.message}`);
        return;
      }
      case "FRESHNESS_FINISHED": {
        const count = (s: string) => event.results.filter((r) => r.status === s).length;
        write(
          [
            "",
            `Finished source freshness of ${plural(event.results.length, "source")} in ${event.elapsedSeconds.toFixed(2)}s.`,
            `Done. PASS=${count("pass")} WARN=${count("warn")} ERROR=${count("error") + count("runtime error")} TOTAL=${event.results.length}`,
            `Results: ${event.sourcesPath}`,
            "",
          ].join("\n"),
        );
        return;
      }
    }
  };
}

function headline(r: SourceFreshnessResult): string {
  const what = `freshness of ${r.name}`;
  switch (r.status) {
    case "pass":
      return `PASS ${what} (${age(r)})`;
    case "warn":
      return `WARN ${what} (${age(r)}, ${threshold(r.criteria, "warn_after")})`;
    case "error":
      return `ERROR STALE ${what} (${age(r)}, ${threshold(r.criteria, "error_after")})`;
    case "runtime error":
      return `ERROR ${what}`;
  }
}

function age(r: SourceFreshnessResult): string {
  return r.ageSeconds === undefined ? "no rows" : `${formatAge(r.ageSeconds)} old`;
}

function threshold(criteria: FreshnessCriteria, key: "warn_after" | "error_after"): string {
  const d = criteria[key];
  return d ? `${key} ${formatDuration(d)}` : key;
}

function badge(r: SourceFreshnessResult): string {
  const time = `in ${r.executionTime.toFixed(2)}s`;
  switch (r.status) {
    case "pass":
      return `[PASS ${time}]`;
    case "warn":
      return `[WARN ${time}]`;
    case "error":
      return `[ERROR STALE ${time}]`;
    case "runtime error":
      return `[ERROR ${time}]`;
  }
}
