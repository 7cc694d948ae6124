import { isFloeError } from "./errors.js";

/**
 * The one retry policy: exponential backoff with jitter, `attempts` tries in all (the sink's contract says
 * 5), and only for errors that say trying again can help (`isRetriable`). A permanent error — a 403, a
 * missing bucket, a contract violation — is thrown at once instead of being retried five times. After the
 * last attempt the error is thrown and the caller decides (the sink pauses the partition; it never skips).
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

/** Network failures a later attempt can get past (Node's system error codes). */
const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/** S3 error codes that no retry can fix (the request or the account is wrong, not the moment). */
const PERMANENT_S3_CODES = new Set([
  "NoSuchBucket",
  "AccessDenied",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "InvalidBucketName",
  "AllAccessDisabled",
]);

interface ErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly retriable?: unknown;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
  readonly cause?: unknown;
}

/**
 * Whether trying the same call again can help. Floe's errors say so themselves; kafkajs errors carry
 * `retriable`; AWS SDK errors carry an HTTP status (5xx, 429 and 408 are worth another try, other 4xx are
 * not); Node's network errors are transient; a timeout or abort from `AbortSignal.timeout` is too. An error
 * of unknown shape is retried: the caller's attempts bound it, and skipping data is never the safe default.
 */
export function isRetriable(error: unknown): boolean {
  if (isFloeError(error)) return error.retriable;
  if (typeof error !== "object" || error === null) return true;
  const e = error as ErrorShape;
  if (typeof e.code === "string" && TRANSIENT_CODES.has(e.code)) return true;
  if (e.name === "TimeoutError" || e.name === "AbortError") return true;
  if (typeof e.name === "string" && PERMANENT_S3_CODES.has(e.name)) return false;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === "number") {
    if (status >= 500 || status === 429 || status === 408) return true;
    if (status >= 400) return false;
  }
  // kafkajs gives up after its own retries with a non-retriable wrapper; the broker may be back by our
  // next attempt, so the wrapped cause decides.
  if (e.name === "KafkaJSNumberOfRetriesExceeded") return e.cause === undefined || isRetriable(e.cause);
  // Its retriers nest (a send retries a metadata refresh that retries a connect): when the inner one gives
  // up, the outer one wraps that as non-retriable, with the first error (a refused connection) as cause.
  if (e.name === "KafkaJSNonRetriableError") {
    return e.cause !== undefined && e.cause !== error && isRetriable(e.cause);
  }
  if (typeof e.retriable === "boolean") return e.retriable;
  if (e.cause !== undefined && e.cause !== error) return isRetriable(e.cause);
  return true;
}

export async function withRetry<T>(
  policy: RetryPolicy,
  fn: (attempt: number) => Promise<T>,
  onRetry?: (attempt: number, error: unknown, waitMs: number) => void,
  retriable: (error: unknown) => boolean = isRetriable,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= policy.attempts || !retriable(error)) throw error;
      const wait = backoffMs(policy, attempt);
      onRetry?.(attempt, error, wait);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
