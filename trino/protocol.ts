import { z } from "zod";

/**
 * Trino's client REST protocol (POST /v1/statement, then follow `nextUri`), as zod schemas for the parts
 * Floe reads. Every page is validated at this boundary; inside, types are trusted.
 */

export const QueryErrorSchema = z.object({
  message: z.string(),
  errorCode: z.number(),
  errorName: z.string(),
  errorType: z.string(),
  errorLocation: z.object({ lineNumber: z.number(), columnNumber: z.number() }).optional(),
});

export const StatsSchema = z.object({
  state: z.string(),
  progressPercentage: z.number().optional(),
  processedRows: z.number().default(0),
  processedBytes: z.number().default(0),
  elapsedTimeMillis: z.number().default(0),
});

export const PageSchema = z.object({
  id: z.string(),
  nextUri: z.string().optional(),
  columns: z.array(z.object({ name: z.string(), type: z.string() })).optional(),
  data: z.array(z.array(z.unknown())).optional(),
  stats: StatsSchema.optional(),
  error: QueryErrorSchema.optional(),
  updateType: z.string().optional(),
  updateCount: z.number().optional(),
});

export type Page = z.infer<typeof PageSchema>;

/** `X-Trino-Session: a=1,b=x%2Cy` — values are URL-encoded as the protocol asks. */
export function sessionHeader(properties: Readonly<Record<string, string>>): string {
  return Object.entries(properties)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join(",");
}

/** Statuses on which the protocol says: wait and retry the same URI. */
export const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
