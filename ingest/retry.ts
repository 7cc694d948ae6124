/**
 * Exponential backoff with jitter for S3 and Kafka calls: `attempts` tries in all (the contract says 5),
 * then the last error is thrown and the caller pauses the partition — it never skips.
 */
export interface RetryPolicy {
  readonly attempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 200, maxMs: 5_000 };

export function backoffMs(policy: RetryPolicy, attempt: number, random = Math.random): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  return Math.round(exp / 2 + (random() * exp) / 2);
}

export async function withRetry<T>(
  policy: RetryPolicy,
  fn: (attempt: number) => Promise<T>,
  onRetry?: (attempt: number, error: unknown, waitMs: number) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= policy.attempts) throw error;
      const wait = backoffMs(policy, attempt);
      onRetry?.(attempt, error, wait);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
