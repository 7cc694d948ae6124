import { describe, expect, it } from "vitest";
import { MAX_EVENT_BYTES } from "../contracts.js";
import { TRUNCATED_VALUE_BYTES } from "../sink/dead-letters.js";
import { loadEntry } from "./load-messages.js";
import { SAMPLE_VIEW } from "./test-files.js";

const SHA = "b".repeat(64);
const file = { name: "in/day.ndjson", sha256: SHA };
const target = { topicOf: (k: string) => `t1-${k}`, dlq: "t1-dlq" };
const view = { ...SAMPLE_VIEW, event_type: "purchase" };

describe("loadEntry", () => {
  it("sends an accepted row to its topic, keyed by its entity, named by one load_row header", () => {
    const text = JSON.stringify(view);
    expect(loadEntry(file, { row: 7, line: 9, item: { kind: "line", text } }, target)).toEqual({
      row: 7,
      kind: "user-events",
      message: { topic: "t1-user-events", key: "u-1", value: text, headers: { load_row: `${SHA}:7` } },
    });
  });

  it("makes a bad row a dead letter with the reason and the file coordinates", () => {
    const entry = loadEntry(file, { row: 3, line: 4, item: { kind: "line", text: "{oops" } }, target);
    expect(entry.kind).toBeUndefined();
    expect(entry.message).toMatchObject({
      topic: "t1-dlq",
      key: null,
      value: "{oops",
      headers: {
        error: expect.stringMatching(/^invalid JSON/),
        source_file: "in/day.ndjson",
        source_sha256: SHA,
        source_row: "3",
        source_line: "4",
        load_row: `${SHA}:3`,
      },
    });
  });

  it("keeps the first bytes of an oversized row's letter and says how big it was", () => {
    const text = JSON.stringify({ ...view, blob: "x".repeat(MAX_EVENT_BYTES) });
    const entry = loadEntry(file, { row: 0, line: 1, item: { kind: "line", text } }, target);
    expect(entry.message.value).toHaveLength(TRUNCATED_VALUE_BYTES);
    expect(entry.message.headers).toMatchObject({
      truncated: "true",
      original_value_bytes: String(Buffer.byteLength(text)),
      error: expect.stringMatching(/events are limited/),
    });
  });
});
