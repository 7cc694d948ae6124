import { isRetriable, type RetryPolicy, withRetry } from "../../core/retry.js";
import type { GeneratedMessage } from "../stream-mixer.js";
import type { ShopDbWriter } from "./pg-writer.js";
import { type PublishedEvent, ShopDbFold } from "./shop-db-fold.js";

/**
 * What follows the published stream (the publish loop calls it; `publish-loop.ts`): after Kafka
 * acknowledges a batch, `follow` applies the batch's database changes; on `--resume`, the part published
 * by earlier runs is `replay`ed into the fold without writing (the database has it already).
 */
export interface StreamFollower {
  replay(message: GeneratedMessage): void;
  follow(messages: readonly GeneratedMessage[]): Promise<void>;
}

export interface ShopDbFollowerOptions {
  readonly seed: number;
  readonly writer: ShopDbWriter;
  readonly retry: RetryPolicy;
  /** A stop request ends the retrying (the run stops; `--resume` applies the batch again). */
  readonly signal?: AbortSignal;
  readonly onRetry?: (attempt: number, error: unknown, waitMs: number) => void;
}

/** A generated message as the database sees it: the first copy of a valid event, or nothing. */
export function publishedEventOf(message: GeneratedMessage): PublishedEvent | undefined {
  if (!message.event || message.duplicate || message.malformed) return undefined;
  return { kind: message.kind, event: message.event };
}

export function shopDbFollower(
  options: ShopDbFollowerOptions,
): StreamFollower & { readonly fold: ShopDbFold } {
  const fold = new ShopDbFold(options.seed);
  return {
    fold,
    replay(message) {
      const e = publishedEventOf(message);
      if (e) fold.add(e);
    },
    async follow(messages) {
      const mutations = messages.flatMap((m) => {
        const e = publishedEventOf(m);
        return e ? fold.add(e) : [];
      });
      if (mutations.length === 0) return;
      await withRetry(
        options.retry,
        () => options.writer.apply(mutations),
        options.onRetry,
        (error) => options.signal?.aborted !== true && isRetriable(error),
      );
    },
  };
}
