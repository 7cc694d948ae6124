import { describe, expect, it } from "vitest";
import {
  informationSchema,
  quoteIdentifier,
  quoteLiteral,
  quoteRelation,
  quoteSchema,
  quoteString,
  stringArray,
} from "./dialect.js";

describe("Trino dialect", () => {
  it("quotes identifiers, doubling embedded quotes", () => {
    expect(quoteIdentifier("orders")).toBe('"orders"');
    expect(quoteIdentifier('we"ird')).toBe('"we""ird"');
    expect(quoteIdentifier("MixedCase")).toBe('"MixedCase"');
  });
  it("quotes relations", () => {
    expect(quoteRelation({ catalog: "iceberg", schema: "marts", identifier: "fct_orders" })).toBe(
      '"iceberg"."marts"."fct_orders"',
    );
  });
  it("quotes schemas and a catalog's information_schema views", () => {
    expect(quoteSchema({ catalog: "iceberg", schema: 'we"ird' })).toBe('"iceberg"."we""ird"');
    expect(informationSchema("hive", "tables")).toBe('"hive"."information_schema"."tables"');
  });
  it("quotes literals", () => {
    expect(quoteString("it's")).toBe("'it''s'");
    expect(quoteLiteral(null)).toBe("NULL");
    expect(quoteLiteral(true)).toBe("TRUE");
    expect(quoteLiteral(12.5)).toBe("12.5");
    expect(quoteLiteral(12n)).toBe("12");
    expect(() => quoteLiteral(Number.NaN)).toThrow(/NaN/);
  });
  it("writes string arrays for table properties", () => {
    expect(stringArray(["day(ts)", "country"])).toBe("ARRAY['day(ts)', 'country']");
  });
});
