import type { NodeResult, RunEvent, RunLogger } from "./events.js";
import { formatTable } from "./format-table.js";

const WIDTH = 80;

/** The live, dbt-like log: one START and one result line per node, then a summary. */
export function textLogger(write: (text: string) => void): RunLogger {
  const out = (text: string) => write(`${clock()}  ${text}\n`);
  return {
    event(event: RunEvent) {
      switch (event.code) {
        case "RUN_STARTED": {
          const parts = Object.entries(event.counts)
            .filter(([, n]) => n > 0)
            .map(([kind, n]) => plural(n, kind.replace("_", " ")));
          out(
            `Running ${event.command} with ${event.threads} thread${event.threads === 1 ? "" : "s"} on target ${event.target}: ${parts.join(", ") || "nothing selected"}`,
          );
          return;
        }
        case "NODE_STARTED":
          out(
            dots(
              `${event.index} of ${event.total} START ${event.node.description} ${event.node.displayName}`,
              "[RUN]",
            ),
          );
          return;
        case "NODE_FINISHED": {
          const r = event.result;
          out(dots(`${event.index} of ${event.total} ${headline(r)}`, badge(r)));
          if ((r.status === "fail" || r.status === "warn") && r.sample && r.sample.rows.length > 0) {
            write(`${indent(formatTable(r.sample.columns, r.sample.rows))}\n`);
          }
          return;
        }
        case "RUN_FINISHED":
          write(summary(event));
          return;
      }
    },
  };
}

function headline(r: NodeResult): string {
  switch (r.status) {
    case "success":
      return `OK ${r.resourceType === "seed" ? "loaded" : "created"} ${r.description} ${r.displayName}`;
    case "error":
      return `ERROR ${r.resourceType === "test" || r.resourceType === "unit_test" ? "running" : "creating"} ${r.description} ${r.displayName}`;
    case "skipped":
      return `SKIP ${r.description} ${r.displayName}`;
    case "pass":
      return `PASS ${r.displayName}`;
    case "warn":
      return `WARN ${r.failures ?? 0} ${r.displayName}`;
    case "fail":
      return `FAIL ${r.failures ?? 0} ${r.displayName}`;
  }
}

function badge(r: NodeResult): string {
  const time = `in ${r.executionTime.toFixed(2)}s`;
  switch (r.status) {
    case "success":
      return r.rowsAffected === undefined
        ? `[OK ${time}]`
        : `[OK in ${r.executionTime.toFixed(1)}s, ${plural(r.rowsAffected, "row")}]`;
    case "error":
      return `[ERROR ${time}]`;
    case "skipped":
      return "[SKIP]";
    case "pass":
      return `[PASS ${time}]`;
    case "warn":
      return `[WARN ${r.failures ?? 0} ${time}]`;
    case "fail":
      return `[FAIL ${r.failures ?? 0} ${time}]`;
  }
}

function summary(event: Extract<RunEvent, { code: "RUN_FINISHED" }>): string {
  const { results } = event;
  const count = (s: string) => results.filter((r) => r.status === s).length;
  const kinds = ["model", "seed", "test", "unit_test"]
    .map((k) => [k, results.filter((r) => r.resourceType === k).length] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => plural(n, k.replace("_", " ")));
  const lines: string[] = [
    "",
    `Finished ${event.command}: ${kinds.join(", ") || "nothing"} in ${event.elapsedSeconds.toFixed(2)}s.`,
  ];
  if (event.cancelled)
    lines.push("Cancelled: running queries were cancelled; nodes not started were skipped.");
  const errors = results.filter((r) => r.status === "error" || r.status === "fail");
  const warnings = results.filter((r) => r.status === "warn");
  if (errors.length + warnings.length > 0) {
    lines.push(
      "",
      `Completed with ${plural(errors.length, "error")} and ${plural(warnings.length, "warning")}:`,
    );
    for (const r of [...errors, ...warnings]) {
      const what = r.status === "error" ? "Error in" : r.status === "fail" ? "Failure in" : "Warning in";
      lines.push(`  ${what} ${r.description} ${r.displayName}${r.location ? ` (${r.location})` : ""}`);
      lines.push(`    ${r.message}`);
      if (r.hint) lines.push(`    Fix: ${r.hint}`);
    }
  }
  const skippedBy = new Map<string, string[]>();
  for (const r of results) {
    if (r.status !== "skipped") continue;
    const cause = r.skippedBecause ?? "cancellation";
    skippedBy.set(cause, [...(skippedBy.get(cause) ?? []), r.displayName]);
  }
  for (const [cause, names] of skippedBy) {
    const causeName = results.find((r) => r.uniqueId === cause)?.displayName ?? cause;
    lines.push(`  Skipped because of ${causeName}: ${names.join(", ")}`);
  }
  lines.push(
    "",
    `Done. PASS=${count("success") + count("pass")} WARN=${count("warn")} ERROR=${count("error") + count("fail")} SKIP=${count("skipped")} TOTAL=${results.length}`,
    `Results: ${event.runResultsPath}`,
    "",
  );
  return lines.join("\n");
}

export function dots(left: string, right: string): string {
  const fill = Math.max(3, WIDTH - left.length - right.length - 2);
  return `${left} ${".".repeat(fill)} ${right}`;
}

export function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `          ${l}`)
    .join("\n");
}

export function plural(n: number, word: string): string {
  return `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
}
