import { UsageError } from "../../core/errors.js";
import { type TopicKind, topicKindOf } from "../contracts.js";
import { topicName } from "../producer.js";
import { STREAM_DEFAULTS } from "./run-stream.js";

/**
 * The event topics `floe stream` reads, each with its contract (chosen by the name's suffix, as the sink
 * does): the given names, or the shop's user-events and orders under a prefix.
 */
export function eventTopicMap(topics: readonly string[] | undefined, prefix = ""): Map<string, TopicKind> {
  const names = topics ?? STREAM_DEFAULTS.eventKinds.map((kind) => topicName({ prefix }, kind));
  return new Map(
    names.map((name) => {
      const kind = topicKindOf(name);
      if (!kind) {
        throw new UsageError(`--topics: "${name}" names no event contract.`, {
          hint: "event topics end in user-events, product-metadata or orders (e.g. it42-user-events)",
        });
      }
      return [name, kind];
    }),
  );
}
