/**
 * The existing name closest to a mistyped one, for "did you mean" hints. Levenshtein distance, accepted when
 * it is small relative to the name (a third of its length, at least 2) or when one name contains the other
 * (`orders` → `stg_orders`).
 */
export function closestName(wanted: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const lower = wanted.toLowerCase();
  for (const candidate of candidates) {
    if (candidate === wanted) continue;
    const other = candidate.toLowerCase();
    let distance = levenshtein(lower, other, bestDistance);
    if (
      distance > Math.max(2, Math.floor(wanted.length / 3)) &&
      !(other.includes(lower) || lower.includes(other))
    ) {
      continue;
    }
    if (other.includes(lower) || lower.includes(other))
      distance = Math.min(distance, Math.abs(other.length - lower.length));
    if (distance < bestDistance || (distance === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Edit distance, giving up early (returning a value > limit) once every path exceeds `limit`. */
export function levenshtein(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      const value = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
      current.push(value);
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length] ?? 0;
}
