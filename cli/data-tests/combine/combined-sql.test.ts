import { describe, expect, it } from "vitest";
import { combinedTestSql, countColumn } from "./combined-sql.js";

const ORDERS = '"iceberg"."analytics"."orders"';

describe("combinedTestSql (golden)", () => {
  it("row tests only: one conditional count each over the relation", () => {
    expect(
      combinedTestSql(ORDERS, [
        { name: "not_null", column: "order_id", kwargs: {} },
        { name: "expression_is_true", kwargs: { expression: "order_id > 0" } },
        { name: "expression_is_true", column: "amount", kwargs: { expression: ">= 0" } },
      ]),
    ).toBe(`select
    count_if(order_id is null) as floe_test_0,
    count_if(not (order_id > 0)) as floe_test_1,
    count_if(not (amount >= 0)) as floe_test_2
from "iceberg"."analytics"."orders"`);
  });

  it("grouped tests: one grouping set per distinct column, told apart by grouping(); row tests summed over the first set's groups", () => {
    expect(
      combinedTestSql(`(select * from ${ORDERS} where status = 'paid') floe_subquery`, [
        { name: "not_null", column: "order_id", kwargs: {} },
        { name: "unique", column: "order_id", kwargs: {} },
        { name: "accepted_values", column: "status", kwargs: { values: ["paid", "it's"] } },
        { name: "accepted_values", column: "order_id", kwargs: { values: [1, 2], quote: false } },
      ]),
    ).toBe(`with floe_rows as (
    select *, order_id as floe_key_0, status as floe_key_1
    from (select * from "iceberg"."analytics"."orders" where status = 'paid') floe_subquery
),
floe_groups as (
    select
        grouping(floe_key_0, floe_key_1) as floe_set,
        floe_key_0, floe_key_1,
        count(*) as floe_n
        , count_if(order_id is null) as floe_rows_0
    from floe_rows
    group by grouping sets ((floe_key_0), (floe_key_1))
)
select
    coalesce(sum(floe_rows_0) filter (where floe_set = 1), 0) as floe_test_0,
    count_if(floe_set = 1 and floe_key_0 is not null and floe_n > 1) as floe_test_1,
    count_if(floe_set = 2 and floe_key_1 not in ('paid', 'it''s')) as floe_test_2,
    count_if(floe_set = 1 and floe_key_0 not in (1, 2)) as floe_test_3
from floe_groups`);
  });

  it("three keys: one bit per key in grouping()", () => {
    const sql = combinedTestSql(ORDERS, [
      { name: "unique", column: "a", kwargs: {} },
      { name: "unique", column: "b", kwargs: {} },
      { name: "unique", column: "c", kwargs: {} },
    ]);
    expect(sql).toContain("group by grouping sets ((floe_key_0), (floe_key_1), (floe_key_2))");
    // Three keys: the set grouping only the first leaves the other two bits set (0b011).
    expect(sql).toContain("count_if(floe_set = 3 and floe_key_0 is not null and floe_n > 1) as floe_test_0");
    expect(sql).toContain("count_if(floe_set = 6 and floe_key_2 is not null and floe_n > 1) as floe_test_2");
  });

  it("unique_combination groups by its column list (NULLs included), sharing keys with other tests", () => {
    expect(
      combinedTestSql(ORDERS, [
        { name: "unique", column: "order_id", kwargs: {} },
        { name: "unique_combination", kwargs: { columns: ["customer_id", "order_id"] } },
      ]),
    ).toBe(`with floe_rows as (
    select *, order_id as floe_key_0, customer_id as floe_key_1
    from "iceberg"."analytics"."orders"
),
floe_groups as (
    select
        grouping(floe_key_0, floe_key_1) as floe_set,
        floe_key_0, floe_key_1,
        count(*) as floe_n
    from floe_rows
    group by grouping sets ((floe_key_0), (floe_key_0, floe_key_1))
)
select
    count_if(floe_set = 1 and floe_key_0 is not null and floe_n > 1) as floe_test_0,
    count_if(floe_set = 0 and floe_n > 1) as floe_test_1
from floe_groups`);
  });

  it("names each test's count column by its position", () => {
    expect(countColumn(4)).toBe("floe_test_4");
  });

  it("refuses a test it cannot count", () => {
    expect(() =>
      combinedTestSql(ORDERS, [{ name: "relationships", column: "a", kwargs: { to: "x", field: "y" } }]),
    ).toThrow(/not a combinable test/);
  });
});
