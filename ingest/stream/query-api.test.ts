import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MetricsQuery } from "./metrics-query.js";
import { type MartReader, type StandaloneQueryApi, startQueryApi } from "./query-api.js";
import type { ViewReader, WindowRow } from "./view-reader.js";

const NOW = Date.parse("2026-12-06T10:05:30Z");
const asked: string[] = [];
const view: ViewReader = {
  async stock(id) {
    return id === "p-1" ? { quantity: 7, below: true } : undefined;
  },
  async windows(_query: MetricsQuery, starts: readonly number[]): Promise<WindowRow[]> {
    return starts.map((startS) => ({ startS, group: "all", count: 2, sumCents: 1999, uniqueUsers: 1 }));
  },
};
const mart: MartReader = {
  async windows(query, starts) {
    asked.push(`${query.name}:${starts.length}`);
    return starts.map((startS) => ({
      startS,
      group: "all",
      count: 5,
      sumCents: 500,
      uniqueUsers: undefined,
    }));
  },
};

let api: StandaloneQueryApi;
beforeAll(async () => {
  api = await startQueryApi({
    host: "127.0.0.1",
    port: 0,
    view,
    mart,
    authorize: (s) => s === "good",
    now: () => NOW,
  });
});
afterAll(() => api.close());

const get = async (path: string, key: string | null = "good") => {
  const res = await fetch(`${api.url}${path}`, key ? { headers: { authorization: `Bearer ${key}` } } : {});
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe("the query API's routes", () => {
  it("refuses requests without a valid key", async () => {
    expect(await get("/v1/inventory/p-1", null)).toMatchObject({
      status: 401,
      body: { error: "missing Authorization: Bearer <key>" },
    });
    expect((await get("/v1/metrics?name=events", "bad")).status).toBe(401);
  });

  it("answers the stock of a product, 404 for one it does not know", async () => {
    expect(await get("/v1/inventory/p-1")).toEqual({
      status: 200,
      body: { product_id: "p-1", quantity: 7, low_stock: true },
    });
    expect(await get("/v1/inventory/p-404")).toMatchObject({ status: 404 });
  });

  it("answers recent windows from Redis and older ones from the mart, in order", async () => {
    const { status, body } = await get(
      "/v1/metrics?name=purchase_revenue&from=2026-12-06T10:02:00Z&to=2026-12-06T10:06:00Z",
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({
      name: "purchase_revenue",
      window: "1m",
      group_by: null,
      missing_windows: 0,
    });
    expect(body.rows).toEqual([
      {
        window_start: "2026-12-06T10:02:00Z",
        group: "all",
        count: 5,
        sum: 5,
        unique_users: null,
        source: "mart",
      },
      {
        window_start: "2026-12-06T10:03:00Z",
        group: "all",
        count: 5,
        sum: 5,
        unique_users: null,
        source: "mart",
      },
      {
        window_start: "2026-12-06T10:04:00Z",
        group: "all",
        count: 2,
        sum: 19.99,
        unique_users: 1,
        source: "redis",
      },
      {
        window_start: "2026-12-06T10:05:00Z",
        group: "all",
        count: 2,
        sum: 19.99,
        unique_users: 1,
        source: "redis",
      },
    ]);
    expect(asked).toEqual(["purchase_revenue:2"]);
  });

  it("says 400 with every problem for bad parameters, 405 for other methods", async () => {
    expect(await get("/v1/metrics?name=events&window=7m")).toEqual({
      status: 400,
      body: { error: "bad query parameters", details: ["window: must be one of 1m, 5m, 1h"] },
    });
    const post = await fetch(`${api.url}/v1/metrics`, {
      method: "POST",
      headers: { authorization: "Bearer good" },
    });
    expect(post.status).toBe(405);
    expect((await get("/v1/elsewhere")).status).toBe(404);
  });
});
