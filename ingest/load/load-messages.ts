import { MAX_EVENT_BYTES, type TopicKind } from "../contracts.js";
import { TRUNCATED_VALUE_BYTES } from "../sink/dead-letters.js";
import type { SourceRow } from "./readers.js";
import { type RoutedRow, routeLine, routeRecord } from "./row-event.js";

/**
 * A file's row as the Kafka message it becomes. Pure. Every message carries the file's SHA-256 and the
 * row's ordinal in its `load_row` header: together they name the row in Kafka, which is how a resumed load
 * finds the rows of an unacknowledged batch that landed (`load-loop.ts`). A row that breaks its contract, or is no
 * row at all (bad JSON, a bad CSV row), becomes a dead letter in the sink's format (`error` header, the
 * original bytes) with the file coordinates instead of the Kafka ones.
 */

export interface LoadMessage {
  readonly topic: string;
  readonly key: string | null;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface LoadEntry {
  readonly row: number;
  readonly message: LoadMessage;
  /** The topic kind of an accepted event; undefined for a dead letter. */
  readonly kind: TopicKind | undefined;
}

export interface LoadTarget {
  readonly topicOf: (kind: TopicKind) => string;
  readonly dlq: string;
}

export interface FileIdentity {
  /** How the user named it (a path or a URL). */
  readonly name: string;
  readonly sha256: string;
}

export function routeSourceRow(row: SourceRow): RoutedRow {
  switch (row.item.kind) {
    case "line":
      return routeLine(row.item.text);
    case "record":
      return routeRecord(row.item.record);
    case "malformed":
      return { ok: false, reason: row.item.reason, value: row.item.text };
  }
}

/** The one header every loaded message carries: `<sha256>:<row>`, what a resumed load looks for. */
export const LOAD_ROW_HEADER = "load_row";

export const loadRowId = (sha256: string, row: number) => `${sha256}:${row}`;

export function loadEntry(file: FileIdentity, row: SourceRow, target: LoadTarget): LoadEntry {
  const routed = routeSourceRow(row);
  const id = loadRowId(file.sha256, row.row);
  if (routed.ok) {
    // One header only: kafkajs encodes headers per message, and four of them halved the publish rate
    // (bench/load.ts). The file's name stays in its record; letters carry the readable coordinates.
    return {
      row: row.row,
      kind: routed.kind,
      message: {
        topic: target.topicOf(routed.kind),
        key: routed.key,
        value: routed.value,
        headers: { [LOAD_ROW_HEADER]: id },
      },
    };
  }
  const headers: Record<string, string> = {
    [LOAD_ROW_HEADER]: id,
    source_file: file.name,
    source_sha256: file.sha256,
    source_row: String(row.row),
  };
  if (row.line !== undefined) headers.source_line = String(row.line);
  const bytes = Buffer.byteLength(routed.value);
  // An oversized row's letter keeps its first bytes, as the sink's truncated letters do.
  const value =
    bytes > MAX_EVENT_BYTES
      ? Buffer.from(routed.value).subarray(0, TRUNCATED_VALUE_BYTES).toString()
      : routed.value;
  const extra: Record<string, string> =
    bytes > MAX_EVENT_BYTES ? { truncated: "true", original_value_bytes: String(bytes) } : {};
  return {
    row: row.row,
    kind: undefined,
    message: { topic: target.dlq, key: null, value, headers: { error: routed.reason, ...headers, ...extra } },
  };
}
