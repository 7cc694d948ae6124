import { UsageError } from "../../core/errors.js";
import type { TopicKind } from "../contracts.js";

/** `floe stream`'s defaults, declared once (runStream, the CLI flags and serve read them). */
export const STREAM_DEFAULTS = {
  inventoryTopic: "db.inventory",
  eventKinds: ["user-events", "orders"] as readonly TopicKind[],
  groupId: "floe-stream",
  topicWaitMs: 30_000,
  /** How often an idle processor checks that Redis still holds its offsets. */
  verifyEveryMs: 2_000,
} as const;

/** A `--redis-url` value, checked before anything connects. */
export function checkRedisUrl(flag: string, url: string): string {
  if (!/^rediss?:\/\/\S+$/.test(url)) {
    throw new UsageError(`${flag} must be a redis:// or rediss:// URL, got ${JSON.stringify(url)}.`, {
      hint: `e.g. ${flag} redis://127.0.0.1:6380 (or redis://:password@host:6379/0)`,
    });
  }
  return url;
}
