import { type Paint, paint } from "./colour.js";
import type { NodeResult, RunEvent, RunLogger } from "./events.js";
import { formatTable } from "./format-table.js";

const WIDTH = 80;

/**
 * The live, dbt-like log: one START and one result line per node, then a summary. Lines align: the index
 * is padded to the width of the total and the status badges end in one column (dots fill between), so a
 * long run reads as a table; colour (`colour.ts`) only paints the badge, after the padding is measured.
 */
export function textLogger(write: (text: string) => void, options: { colour?: boolean } = {}): RunLogger {
  const out = (text: string) => write(`${clock()}  ${text}\n`);
  const colours = paint(options.colour === true);
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
              `${position(event.index, event.total)} START ${event.node.description} ${event.node.displayName}`,
              "[RUN]",
            ),
          );
          return;
        case "NODE_PROGRESS": {
          const p = event.progress;
          const done = p.progressPercentage === undefined ? "" : `${p.progressPercentage.toFixed(0)}%, `;
          out(
            dots(
              `${position(event.index, event.total)} ${p.state} ${event.node.displayName}: ${done}${plural(p.processedRows, "row")}, ${mib(p.processedBytes)} read`,
              `[${p.elapsedSeconds.toFixed(0)}s]`,
              colours.dim,
            ),
          );
          return;
        }
        case "NODE_FINISHED": {
          const r = event.result;
          out(dots(`${position(event.index, event.total)} ${headline(r)}`, badge(r), tint(r, colours)));
          // --due: why it was not rebuilt, on a line of its own.
          if (r.reused) write(`${indent(r.message)}\n`);
          if ((r.status === "fail" || r.status === "warn") && r.sample && r.sample.rows.length > 0) {
            write(`${indent(formatTable(r.sample.columns, r.sample.rows))}\n`);
          }
          return;
        }
        case "HOOK_FINISHED": {
          const what = `${event.hook} hook ${event.index} of ${event.total}`;
          const time = `in ${event.executionTime.toFixed(2)}s`;
          out(
            event.status === "success"
              ? dots(`OK ${what}: ${event.message}`, `[OK ${time}]`)
              : dots(`ERROR ${what}: ${event.message}`, `[ERROR ${time}]`),
          );
          return;
        }
        case "BATCH_FINISHED": {
          const what = `batch ${event.batchIndex} of ${event.batchTotal} of ${event.node.displayName} [${event.start}, ${event.end})`;
          const rows = event.rowsAffected === undefined ? "" : `, ${plural(event.rowsAffected, "row")}`;
          out(
            event.status === "success"
              ? dots(`  OK ${what}`, `[OK in ${event.seconds.toFixed(2)}s${rows}]`, colours.green)
              : `${dots(`  ERROR ${what}`, `[ERROR in ${event.seconds.toFixed(2)}s]`, colours.red)}\n    ${event.message ?? ""}`,
          );
          return;
        }
        case "RUN_FINISHED":
          write(summary(event, colours));
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
      return `SKIP${r.reused ? " (--due)" : ""} ${r.description} ${r.displayName}`;
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

function summary(event: Extract<RunEvent, { code: "RUN_FINISHED" }>, colours: Paint): string {
  const { results } = event;
  const count = (s: string) => results.filter((r) => r.status === s).length;
  const kinds = ["model", "seed", "snapshot", "test", "unit_test"]
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
      const paintWhat = r.status === "warn" ? colours.yellow : colours.red;
      lines.push(
        `  ${paintWhat(what)} ${r.description} ${r.displayName}${r.location ? ` (${r.location})` : ""}`,
      );
      lines.push(`    ${r.message}`);
      if (r.hint) lines.push(`    Fix: ${r.hint}`);
    }
  }
  const skippedBy = new Map<string, string[]>();
  for (const r of results) {
    if (r.status !== "skipped" || r.reused) continue;
    const cause = r.skippedBecause ?? "cancellation";
    skippedBy.set(cause, [...(skippedBy.get(cause) ?? []), r.displayName]);
  }
  for (const [cause, names] of skippedBy) {
    const causeName = results.find((r) => r.uniqueId === cause)?.displayName ?? cause;
    lines.push(`  Skipped because of ${causeName}: ${names.join(", ")}`);
  }
  const reused = results.filter((r) => r.reused).map((r) => r.displayName);
  if (reused.length > 0) lines.push(`  Not rebuilt by --due (reasons above): ${reused.join(", ")}`);
  lines.push(
    "",
    `Done. PASS=${count("success") + count("pass")} WARN=${count("warn")} ERROR=${count("error") + count("fail")} SKIP=${count("skipped")} TOTAL=${results.length}`,
    `Results: ${event.runResultsPath}`,
    "",
  );
  return lines.join("\n");
}

export function dots(left: string, right: string, colourRight: (text: string) => string = (t) => t): string {
  const fill = Math.max(3, WIDTH - left.length - right.length - 2);
  return `${left} ${".".repeat(fill)} ${colourRight(right)}`;
}

/** `  3 of 120`: padded so that the text after it starts in one column for the whole run. */
export function position(index: number, total: number): string {
  return `${String(index).padStart(String(total).length)} of ${total}`;
}

/** dbt's colours: green for success, red for errors and failures, yellow for warnings and skips. */
function tint(r: NodeResult, colours: Paint): (text: string) => string {
  switch (r.status) {
    case "success":
    case "pass":
      return colours.green;
    case "error":
    case "fail":
      return colours.red;
    case "warn":
    case "skipped":
      return colours.yellow;
  }
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

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function plural(n: number, word: string): string {
  return `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
}
