import { describe, expect, it } from "vitest";
import { CancelledError } from "../core/errors.js";
import { localTrino } from "../testing/local-stack.js";
import { createTrinoConnection } from "./connection.js";
import { TrinoConnectionError, TrinoQueryError } from "./errors.js";

describe("Trino adapter against the local Trino", () => {
  const trino = localTrino();

  it("returns typed rows with column names and a query id", async () => {
    const result = await trino.query<{ n: number; s: string }>(
      "SELECT 1 AS n, 'x' AS s UNION ALL SELECT 2, 'y'",
    );
    expect(result.queryId).toMatch(/^\d{8}_\d{6}_\d{5}_\w+$/);
    expect(result.columns.map((c) => c.name)).toEqual(["n", "s"]);
    expect(result.rows.sort((a, b) => a.n - b.n)).toEqual([
      { n: 1, s: "x" },
      { n: 2, s: "y" },
    ]);
  });

  it("turns Trino's in-band error into one TrinoQueryError with position", async () => {
    const error = await trino
      .query("SELECT\n  no_such_column\nFROM (VALUES 1) t(x)")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrinoQueryError);
    const e = error as TrinoQueryError;
    expect(e.errorName).toBe("COLUMN_NOT_FOUND");
    expect(e.isUserError).toBe(true);
    expect(e.position).toEqual({ line: 2, column: 3 });
    expect(e.queryId).not.toBe("");
    expect(e.exitCode).toBe(1);
  });

  it("reports progress and the rows written by DML", async () => {
    const seen: string[] = [];
    const result = await trino.query("SELECT count(*) AS c FROM tpch.tiny.lineitem", {
      onProgress: (p) => seen.push(p.state),
    });
    expect(result.rows[0]?.c).toBe(60175);
    expect(seen.at(-1)).toBe("FINISHED");
  });

  it("cancels a running query on abort and Trino records it as cancelled", async () => {
    const controller = new AbortController();
    let queryId = "";
    const running = trino.query("SELECT count(*) FROM tpch.sf1000.lineitem CROSS JOIN tpch.sf1.nation", {
      signal: controller.signal,
      onProgress: (p) => {
        queryId = p.queryId;
        if (p.state === "RUNNING") controller.abort();
      },
    });
    await expect(running).rejects.toBeInstanceOf(CancelledError);
    const info = await trino.query<{ state: string; error_code: string | null }>(
      `SELECT state, error_code FROM system.runtime.queries WHERE query_id = '${queryId}'`,
    );
    expect(info.rows[0]?.state).toBe("FAILED");
    expect(info.rows[0]?.error_code).toBe("USER_CANCELED");
  });

  it("names host:port and the fix when Trino is unreachable", async () => {
    const nowhere = createTrinoConnection({ host: "127.0.0.1", port: 1, user: "x" });
    const error = await nowhere.query("SELECT 1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrinoConnectionError);
    expect((error as Error).message).toContain("http://127.0.0.1:1");
    expect((error as TrinoConnectionError).hint).toContain("floe stack up");
  });
});
