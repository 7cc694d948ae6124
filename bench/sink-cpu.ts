/**
 * `npm run bench:sink-cpu`: where the sink's CPU goes per event, without Kafka or S3 (so the figures are
 * stable on a shared machine). BENCH_EVENTS (default 200,000) generated shop messages go through the
 * sink's own hot path stage by stage: decode (JSON + contract), then per file (topic, event_date,
 * event_type) the sink's path (a JSON line per row, DuckDB encodes) and the earlier JS path (row objects,
 * hyparquet-writer encodes). Prints CPU µs per event for each stage (DuckDB's threads included).
 */
import { decodeMessage, type TopicKind } from "../ingest/contracts.js";
import { generateShop } from "../ingest/generator.js";
import { DuckParquetEncoder, rowLine } from "../ingest/parquet-duckdb.js";
import { encodeParquet } from "../ingest/parquet-file.js";
import { RAW_COLUMNS, type RawRow, toRawRow } from "../ingest/raw-schema.js";
import { RowBuffer } from "../ingest/row-buffer.js";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const messages: { kind: TopicKind; value: Buffer }[] = [];
for (const m of generateShop({ events: EVENTS, seed: 1 }).messages) {
  messages.push({ kind: m.kind, value: Buffer.from(m.value) });
}

async function cpu<T>(fn: () => T | Promise<T>): Promise<{ us: number; value: T }> {
  const c0 = process.cpuUsage();
  const value = await fn();
  const c = process.cpuUsage(c0);
  return { us: c.user + c.system, value };
}

const encoder = await DuckParquetEncoder.create(1);

const per = (us: number, n: number) => (us / n).toFixed(2).padStart(6);

for (let round = 0; round < ROUNDS; round++) {
  const decoded = await cpu(() => messages.map((m) => decodeMessage(m.kind, m.value)));
  const now = new Date();
  const lines = await cpu(() => {
    const files = new Map<string, { kind: TopicKind; type: string; rows: RowBuffer }>();
    decoded.value.forEach((result, i) => {
      if (!result.ok) return;
      const e = result.event;
      const time = String(e.fields.event_time);
      const key = `${e.kind}/${time.slice(0, 10)}/${e.eventType}`;
      let file = files.get(key);
      if (!file) {
        file = { kind: e.kind, type: e.eventType, rows: new RowBuffer() };
        files.set(key, file);
      }
      file.rows.append(BigInt(i), 0, rowLine(String(i), e, result.text, Date.parse(time), now.getTime()));
    });
    return [...files.values()];
  });
  let duckBytes = 0;
  const duck = await cpu(async () => {
    for (const f of lines.value) {
      const body = await encoder.encode({
        kind: f.kind,
        eventType: f.type,
        partition: 0,
        rows: f.rows,
        metadata: {},
      });
      duckBytes += body.length;
    }
  });
  const rows = await cpu(() => {
    const files = new Map<string, { kind: TopicKind; rows: RawRow[] }>();
    decoded.value.forEach((result, i) => {
      if (!result.ok) return;
      const e = result.event;
      const key = `${e.kind}/${String(e.fields.event_time).slice(0, 10)}/${e.eventType}`;
      let file = files.get(key);
      if (!file) {
        file = { kind: e.kind, rows: [] };
        files.set(key, file);
      }
      file.rows.push(toRawRow(e, { partition: 0, offset: BigInt(i), ingestedAt: now }));
    });
    return [...files.values()];
  });
  const valid = rows.value.reduce((n, f) => n + f.rows.length, 0);
  let bytes = 0;
  const encoded = await cpu(() => {
    for (const f of rows.value) bytes += encodeParquet({ columns: RAW_COLUMNS[f.kind], rows: f.rows }).length;
  });
  console.log(
    `round ${round + 1}: ${messages.length} messages (${valid} valid, ${rows.value.length} files) — CPU µs/event: ` +
      `decode ${per(decoded.us, messages.length)} | sink: lines ${per(lines.us, valid)} + DuckDB ${per(duck.us, valid)} ` +
      `= ${per(decoded.us + lines.us + duck.us, valid)} (${(duckBytes / 1e6).toFixed(1)} MB) | ` +
      `JS path: rows ${per(rows.us, valid)} + hyparquet ${per(encoded.us, valid)} = ${per(decoded.us + rows.us + encoded.us, valid)} ` +
      `(${(bytes / 1e6).toFixed(1)} MB); fallbacks ${encoder.fallbacks}`,
  );
}
await encoder.close();
