/** Pure arithmetic of `npm run bench:sink-peers`: weighted percentiles and the comparison table. */

/** Rows of equal age, e.g. every row of one file whose event_time fell in one second. */
export interface AgeBucket {
  readonly ageSeconds: number;
  readonly rows: number;
}

/** The p-th percentile (0–100) of ages, each bucket counting `rows` times; NaN when there are no rows. */
export function weightedPercentile(buckets: readonly AgeBucket[], p: number): number {
  const sorted = [...buckets].filter((b) => b.rows > 0).sort((a, b) => a.ageSeconds - b.ageSeconds);
  const total = sorted.reduce((n, b) => n + b.rows, 0);
  if (total === 0) return Number.NaN;
  // The same rank rule as bench:sink's percentile over a sorted array: index floor(p/100 · n).
  const rank = Math.min(total - 1, Math.floor((p / 100) * total));
  let seen = 0;
  for (const b of sorted) {
    seen += b.rows;
    if (seen > rank) return b.ageSeconds;
  }
  return sorted[sorted.length - 1]?.ageSeconds ?? Number.NaN;
}

/** A figure or "–" where the phase did not run or measured nothing. */
export function cell(value: number | undefined, digits = 0): string {
  if (value === undefined || !Number.isFinite(value)) return "–";
  return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** A Markdown table (what README shows), columns padded so it reads in a terminal too. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** Met or missed, with the ratio that decided it ("2.3× ≥ 2×: met"). */
export function verdict(ratio: number, target: number, atLeast: boolean): string {
  if (!Number.isFinite(ratio)) return "not measured";
  const met = atLeast ? ratio >= target : ratio <= target;
  return `${ratio.toFixed(2)}× (target ${atLeast ? "≥" : "≤"} ${target}×): ${met ? "met" : "missed"}`;
}
