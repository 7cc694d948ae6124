import { describe, expect, it } from "vitest";
import { EnvironmentError, UsageError } from "../../core/errors.js";
import { isRetriable } from "../../core/retry.js";
import { checkShopDbUrl, DEFAULT_SHOP_DB_URL, redactUrl, shopDbError, shopDbUrl } from "./pg-writer.js";

describe("the shop database's URL and errors", () => {
  it("takes the flag's URL, else FLOE_SHOP_DB_URL, else the stack's", () => {
    expect(shopDbUrl("postgres://a@h/db", {})).toBe("postgres://a@h/db");
    expect(shopDbUrl(true, { FLOE_SHOP_DB_URL: "postgres://b@h/db" })).toBe("postgres://b@h/db");
    expect(shopDbUrl(true, {})).toBe(DEFAULT_SHOP_DB_URL);
  });

  it("refuses what is not a PostgreSQL URL, without printing the password", () => {
    expect(() => checkShopDbUrl("localhost:5433")).toThrow(UsageError);
    expect(() => checkShopDbUrl("mysql://u:secret@h/db")).toThrow(/not a PostgreSQL URL/);
    expect(() => checkShopDbUrl("mysql://u:secret@h/db")).not.toThrow(/secret/);
    expect(redactUrl(DEFAULT_SHOP_DB_URL)).toBe("postgres://floe:***@127.0.0.1:5433/shop");
  });

  it("makes a database that is down a retriable environment error naming the URL and the fix", () => {
    const down = shopDbError(
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5433"), { code: "ECONNREFUSED" }),
      DEFAULT_SHOP_DB_URL,
    );
    expect(down).toBeInstanceOf(EnvironmentError);
    expect(down).toMatchObject({ code: "SHOP_DB_UNREACHABLE", retriable: true });
    expect(down.message).toContain("127.0.0.1:5433");
    expect(down.message).not.toContain("floe-local-secret");
    expect(down.hint).toMatch(/floe stack up/);
    expect(isRetriable(down)).toBe(true);
  });

  it("does not retry a refused login, a missing database or a rejected change", () => {
    const url = DEFAULT_SHOP_DB_URL;
    expect(shopDbError(Object.assign(new Error("auth"), { code: "28P01" }), url)).toMatchObject({
      code: "SHOP_DB_AUTH",
      retriable: false,
    });
    expect(shopDbError(Object.assign(new Error("no db"), { code: "3D000" }), url)).toMatchObject({
      code: "SHOP_DB_MISSING",
      retriable: false,
    });
    expect(shopDbError(Object.assign(new Error("bad"), { code: "42703" }), url)).toMatchObject({
      code: "SHOP_DB_WRITE",
      retriable: false,
    });
    expect(shopDbError(Object.assign(new Error("deadlock"), { code: "40P01" }), url).retriable).toBe(true);
  });
});
