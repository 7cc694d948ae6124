import { jsonLine, textOf } from "../log/json-line.js";
import { clock, dots, plural, position } from "../log/text-logger.js";
import type { NodeValidation, ValidateEvent } from "./validate-events.js";

/** dbt-like live lines for `floe validate`, or one JSON object per event (`--log-format json`). */
export function validateLogger(
  format: "text" | "json",
  write: (text: string) => void,
): (event: ValidateEvent) => void {
  if (format === "json") {
    return (event) => {
      const failed =
        (event.code === "NODE_VALIDATED" && event.result.status === "error") ||
        ((event.code === "VALIDATE_STARTED" || event.code === "VALIDATE_FINISHED") &&
          event.renderFailures.length > 0);
      const level = failed ? "error" : event.code === "ENGINE_UNAVAILABLE" ? "warn" : "info";
      const msg = textOf((to) => validateLogger("text", to)(event));
      write(jsonLine(level, { ...event, msg }));
    };
  }
  const out = (text: string) => write(`${clock()}  ${text}\n`);
  return (event) => {
    switch (event.code) {
      case "ENGINE_UNAVAILABLE":
        out(`Warning: Trino is not reachable, so SQL was not checked by the engine: ${event.message}`);
        return;
      case "VALIDATE_STARTED":
        out(
          `Rendered ${event.rendered.toLocaleString("en-US")} models and tests${event.renderFailures.length > 0 ? `; ${plural(event.renderFailures.length, "node")} did not render` : ""}${event.engine ? "" : " (SQL not checked by the engine)"}.`,
        );
        for (const f of event.renderFailures) {
          out(`  Error [${f.code}] ${f.location}: ${f.message}${f.hint ? ` Fix: ${f.hint}` : ""}`);
        }
        if (event.engine)
          out(`Validating ${plural(event.total, "node")} with EXPLAIN (TYPE VALIDATE) on ${event.engine}`);
        return;
      case "NODE_VALIDATED": {
        const r = event.result;
        out(dots(`${position(event.index, event.total)} ${headline(r)}`, badge(r)));
        if (r.status === "error") out(`  ${r.location ?? ""}: ${r.message ?? ""}`);
        return;
      }
      case "VALIDATE_FINISHED": {
        const count = (s: string) => event.results.filter((r) => r.status === s).length;
        const lines = ["", `Finished validate in ${event.elapsedSeconds.toFixed(2)}s.`];
        if (event.renderFailures.length > 0) {
          lines.push(`Project errors: ${event.renderFailures.length} (fix these first; exit 2).`);
        }
        lines.push(
          `Done. OK=${count("ok")} ERROR=${count("error") + event.renderFailures.length} NOT_CHECKED=${count("not checked")} TOTAL=${event.results.length}`,
          "",
        );
        write(lines.join("\n"));
        return;
      }
    }
  };
}

function headline(r: NodeValidation): string {
  const what = `${r.resourceType} ${r.name}`;
  const inlined =
    r.inlined.length > 0 ? ` (with ${plural(r.inlined.length, "unbuilt upstream")} inlined)` : "";
  switch (r.status) {
    case "ok":
      return `OK ${what}${inlined}`;
    case "error":
      return `ERROR ${what}${inlined}`;
    case "not checked":
      return `NOT CHECKED ${what}: ${r.message ?? ""}`;
  }
}

function badge(r: NodeValidation): string {
  switch (r.status) {
    case "ok":
      return `[OK in ${r.executionTime.toFixed(2)}s]`;
    case "error":
      return `[ERROR in ${r.executionTime.toFixed(2)}s]`;
    case "not checked":
      return "[SKIP]";
  }
}
