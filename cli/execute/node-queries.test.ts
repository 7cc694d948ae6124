import { describe, expect, it } from "vitest";
import type { QueryOptions, QueryResult, TrinoConnection } from "../../trino/connection.js";
import { TrinoQueryError } from "../../trino/errors.js";
import { NodeQueries, tagged } from "./node-queries.js";

/** A connection that records what it was sent and answers with the given progress ticks, or fails. */
function recordingConnection(answer: { ticks?: number[]; fail?: { line: number; column: number } } = {}) {
  const sent: { sql: string; options: QueryOptions }[] = [];
  const connection: TrinoConnection = {
    server: "http://test",
    async query<Row>(sql: string, options: QueryOptions = {}) {
      sent.push({ sql, options });
      for (const ms of answer.ticks ?? [])
        options.onProgress?.({
          queryId: "q1",
          state: "RUNNING",
          progressPercentage: ms / 1000,
          processedRows: ms,
          processedBytes: ms * 10,
          elapsedMillis: ms,
        });
      if (answer.fail) {
        const { line, column } = answer.fail;
        throw new TrinoQueryError({
          queryId: "q1",
          message: `line ${line}:${column}: Column 'x' cannot be resolved`,
          errorName: "COLUMN_NOT_FOUND",
          errorCode: 47,
          errorType: "USER_ERROR",
          sql,
          position: { line, column },
        });
      }
      return {
        queryId: "q1",
        columns: [],
        rows: [],
        updateType: undefined,
        updateCount: 3,
        elapsedMillis: 1,
        stats: undefined,
      } as QueryResult<Row>;
    },
    async cancelAll() {},
  };
  return { connection, sent };
}

describe("NodeQueries", () => {
  it("tags each query with its node: a client tag and a leading comment line", async () => {
    const { connection, sent } = recordingConnection();
    await new NodeQueries(connection, undefined, { nodeId: "model.shop.orders" }).query("select 1");
    expect(sent[0]?.sql).toBe("/* floe node_id: model.shop.orders */\nselect 1");
    expect(sent[0]?.options.clientTags).toEqual(["floe", "model.shop.orders"]);
  });

  it("sends the statement untouched without a node", async () => {
    const { connection, sent } = recordingConnection();
    await new NodeQueries(connection, undefined).query("select 1");
    expect(sent[0]?.sql).toBe("select 1");
    expect(sent[0]?.options.clientTags).toBeUndefined();
  });

  it("moves Trino's error position back above the comment line, so error mapping is unchanged", async () => {
    const { connection } = recordingConnection({ fail: { line: 3, column: 8 } });
    const q = new NodeQueries(connection, undefined, { nodeId: "model.shop.orders" });
    const error = await q.query("create view v as\nselect x\nfrom t").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrinoQueryError);
    const trino = error as TrinoQueryError;
    expect(trino.position).toEqual({ line: 2, column: 8 });
    expect(trino.message).toBe("line 2:8: Column 'x' cannot be resolved");
    expect(trino.sql).toBe("create view v as\nselect x\nfrom t");
    expect(trino.code).toBe("TRINO_COLUMN_NOT_FOUND");
  });

  it("beats once the query has run the heartbeat period, then once per period", async () => {
    const { connection } = recordingConnection({
      ticks: [500, 29_000, 30_100, 31_000, 45_000, 60_200, 61_000],
    });
    const beats: number[] = [];
    const seen: number[] = [];
    const q = new NodeQueries(connection, undefined, {
      nodeId: "model.shop.big",
      onHeartbeat: (p) => beats.push(p.elapsedMillis),
    });
    await q.query("select 1", { onProgress: (p) => seen.push(p.elapsedMillis) });
    expect(beats).toEqual([30_100, 60_200]);
    expect(seen).toHaveLength(7);
  });

  it("a comment terminator in a node id cannot end the comment early", () => {
    expect(tagged("model.x*/drop", "select 1")).toBe("/* floe node_id: model.x* /drop */\nselect 1");
  });
});
