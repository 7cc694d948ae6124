/**
 * What the sink's `/readyz` says: ready while its consumer is a member of the group (joined, not
 * rebalancing, not crashed) and its last S3 probe passed. Pure: `runSink` records the facts as they
 * happen and the metrics server asks at request time. `/healthz` is liveness only (the process answers).
 */

export interface SinkHealthFacts {
  /** The consumer joined the group and has not started rebalancing or crashed since. */
  joined: boolean;
  /** The last S3 probe (HeadBucket on the sink's bucket); absent before the first one. */
  s3?: { ok: boolean; at: number; error?: string };
  stopping: boolean;
}

export interface Readiness {
  readonly ready: boolean;
  readonly reasons: readonly string[];
}

/** How old the last S3 probe may be before readiness stops trusting it (it runs every 10 s). */
export const S3_PROBE_STALE_MS = 60_000;

export function sinkReadiness(facts: SinkHealthFacts, now: number): Readiness {
  const reasons: string[] = [];
  if (facts.stopping) reasons.push("the sink is stopping");
  if (!facts.joined) reasons.push("the consumer has not joined its group (starting or rebalancing)");
  if (!facts.s3) reasons.push("S3 not probed yet");
  else if (!facts.s3.ok) reasons.push(`S3 unreachable: ${facts.s3.error ?? "unknown error"}`);
  else if (now - facts.s3.at > S3_PROBE_STALE_MS)
    reasons.push(`the last S3 probe is ${Math.round((now - facts.s3.at) / 1000)} s old`);
  return { ready: reasons.length === 0, reasons };
}
