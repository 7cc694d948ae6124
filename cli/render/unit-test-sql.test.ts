import { describe, expect, it } from "vitest";
import { loadFixture } from "../testing/project-fixture.js";
import { NodeRenderer } from "./render-node.js";
import {
  describeActualSql,
  diffOrder,
  fixtureSql,
  literal,
  parseCsv,
  type UnitTestInput,
  unitTestDiffSql,
} from "./unit-test-sql.js";

/** Golden SQL of unit tests: the model rendered on fixture CTEs, the fixtures, the describe and the diff. */
const project = loadFixture({
  "floe_project.yml": "name: shop\nprofile: floe\nvars: {gap: 30}\n",
  "macros/money.sql": "cast({{column}} as decimal(18, 2))",
  "models/sources.yml":
    "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: orders\n        columns:\n          - {name: id, data_type: bigint}\n          - {name: at, data_type: 'timestamp(6)'}\n",
  "models/stg.sql": `{{config materialized="incremental" unique_key="id"}}
select id, at, {{> money column="1"}} as amount, {{var "gap"}} as gap, '{{env "REGION" "eu"}}' as region
from {{source "raw" "orders"}}
{{#if (is_incremental)}}where at > (select max(at) from {{this}}){{/if}}
`,
  "models/unit.yml": `version: 2
unit_tests:
  - name: incremental
    model: stg
    overrides:
      vars: {gap: 5}
      env_vars: {REGION: us}
      macros: {is_incremental: true, money: "0"}
    given:
      - input: source('raw', 'orders')
        rows: [{id: 1, at: "2026-01-01 00:00:00"}]
      - input: this
        rows: [{id: 0}]
    expect:
      rows: [{id: 1, amount: 0}]
  - name: plain
    model: stg
    expect:
      rows: []
`,
});
const renderer = new NodeRenderer(project);
const unit = (name: string) => project.manifest.unit_tests[`unit_test.shop.stg.${name}`]!;

describe("a unit test's model SQL", () => {
  it("reads fixtures for its source and this, with vars, env vars and macros overridden", () => {
    const { sql, inputs } = renderer.renderUnitTest(unit("incremental"));
    expect(sql).toBe(`select id, at, 0 as amount, 5 as gap, 'us' as region
from "__floe_input__raw__orders"
where at > (select max(at) from "__floe_input__this")
`);
    expect([...inputs]).toEqual([
      ["source.shop.raw.orders", "__floe_input__raw__orders"],
      ["this", "__floe_input__this"],
    ]);
  });

  it("without overrides: the first-run form with the project's vars", () => {
    const { sql } = renderer.renderUnitTest(unit("plain"));
    expect(sql).toBe(`select id, at, cast(1 as decimal(18, 2)) as amount, 30 as gap, 'eu' as region
from "__floe_input__raw__orders"

`);
  });

  it("firstRun renders the non-incremental form even when is_incremental is overridden", () => {
    expect(renderer.renderUnitTest(unit("incremental"), { firstRun: true }).sql).not.toContain("where at >");
  });
});

const orders: UnitTestInput = {
  cte: "__floe_input__raw__orders",
  label: "source('raw', 'orders')",
  fixture: { format: "dict", rows: [{ id: 1, note: "it's" }, { id: 2 }] },
  columns: [
    { name: "id", type: "bigint" },
    { name: "at", type: "timestamp(6)" },
  ],
};

describe("fixtures", () => {
  it("dict rows: cast to the known types, unknown columns by their values, missing known columns NULL", () => {
    expect(fixtureSql(orders)).toBe(`select * from (values
  (cast('1' as bigint), 'it''s', cast(null as timestamp(6))),
  (cast('2' as bigint), null, cast(null as timestamp(6)))
) as t ("id", "note", "at")`);
  });

  it("not given: zero rows of the known columns", () => {
    expect(fixtureSql({ ...orders, fixture: undefined })).toBe(
      `select cast(null as bigint) as "id", cast(null as timestamp(6)) as "at" where false`,
    );
  });

  it("not given and no known columns: an error saying what to do", () => {
    expect(() => fixtureSql({ ...orders, fixture: undefined, columns: [] })).toThrow(
      /source\('raw', 'orders'\) has no rows and no known columns/,
    );
  });

  it("csv: cells are text (cast to known types), an empty cell is NULL, quotes work", () => {
    const sql = fixtureSql({
      ...orders,
      fixture: { format: "csv", rows: 'id,note\n1,"a, ""b"""\n2,\n' },
      columns: [{ name: "id", type: "bigint" }],
    });
    expect(sql).toBe(`select * from (values
  (cast('1' as bigint), 'a, "b"'),
  (cast('2' as bigint), null)
) as t ("id", "note")`);
    expect(parseCsv("a,b\r\n\r\n1,2\r\n")).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
  });

  it("sql: the query as written", () => {
    expect(fixtureSql({ ...orders, fixture: { format: "sql", rows: "select 1 as id;\n" } })).toBe(
      "select 1 as id",
    );
  });

  it("literals without a type keep their kind; with one, Trino parses the text", () => {
    expect([literal(1.5, undefined), literal(true, undefined), literal("x", undefined)]).toEqual([
      "1.5",
      "true",
      "'x'",
    ]);
    expect(literal(10.5, "decimal(10,2)")).toBe("cast('10.5' as decimal(10,2))");
    expect(() => literal({ a: 1 }, undefined)).toThrow(/not a scalar/);
  });
});

describe("the comparison", () => {
  const inputs = [{ ...orders, fixture: { format: "dict" as const, rows: [{ id: 1 }] } }];
  const model = 'select id, 1.0 as amount from "__floe_input__raw__orders";\n';

  it("describe: the model on its fixtures, planned with LIMIT 0", () => {
    expect(describeActualSql(inputs, model)).toBe(`with
"__floe_input__raw__orders" as (
select * from (values
  (cast('1' as bigint), cast(null as timestamp(6)))
) as t ("id", "at")
),
"__floe_actual" as (
select id, 1.0 as amount from "__floe_input__raw__orders"
)
select * from "__floe_actual" limit 0`);
  });

  it("diff: expected cast to actual's types, only the expected columns compared, EXCEPT ALL both ways", () => {
    const sql = unitTestDiffSql(
      inputs,
      model,
      { format: "dict", rows: [{ id: 1 }, { id: 1 }] },
      new Map([
        ["id", "bigint"],
        ["amount", "decimal(2,1)"],
      ]),
    );
    expect(sql).toBe(`with
"__floe_input__raw__orders" as (
select * from (values
  (cast('1' as bigint), cast(null as timestamp(6)))
) as t ("id", "at")
),
"__floe_actual" as (
select id, 1.0 as amount from "__floe_input__raw__orders"
),
"__floe_expected" as (
select * from (values
  (cast('1' as bigint)),
  (cast('1' as bigint))
) as t ("id")
),
"__floe_compared" as (select "id" from "__floe_actual"),
"__floe_expected_compared" as (select "id" from "__floe_expected")
select '+' as diff, * from (select * from "__floe_compared" except all select * from "__floe_expected_compared")
union all
select '-' as diff, * from (select * from "__floe_expected_compared" except all select * from "__floe_compared")`);
  });

  it("a bounded varchar of the model is compared as varchar (a longer expected text is not cut)", () => {
    const sql = unitTestDiffSql(
      inputs,
      model,
      { format: "dict", rows: [{ s: "shipped" }] },
      new Map([["s", "varchar(4)"]]),
    );
    expect(sql).toContain("(cast('shipped' as varchar))");
  });

  it("expected sql compares every column the model returns", () => {
    const sql = unitTestDiffSql(
      inputs,
      model,
      { format: "sql", rows: "select 1 as id, 1.0 as amount" },
      new Map([
        ["id", "bigint"],
        ["amount", "decimal(2,1)"],
      ]),
    );
    expect(sql).toContain('"__floe_expected" as (\nselect 1 as id, 1.0 as amount\n)');
    expect(sql).toContain('"__floe_compared" as (select "id", "amount" from "__floe_actual")');
  });

  it("the diff lists by the first compared column when it sorts, then '-' before '+'", () => {
    const types = new Map([
      ["id", "bigint"],
      ["tags", "map(varchar, varchar)"],
    ]);
    expect(diffOrder({ format: "dict", rows: [{ id: 1 }] }, types)).toBe("2, 1 desc");
    expect(diffOrder({ format: "csv", rows: "tags,id\n" }, types)).toBe("1 desc");
    expect(diffOrder({ format: "sql", rows: "select 1 as id" }, types)).toBe("2, 1 desc");
  });

  it("an expected column the model does not return is an error naming the model's columns", () => {
    expect(() =>
      unitTestDiffSql(inputs, model, { format: "dict", rows: [{ total: 1 }] }, new Map([["id", "bigint"]])),
    ).toThrow(/expect names column 'total', which the model does not return/);
  });
});
