import { describe, expect, it } from "vitest";
import { renderNodes } from "../../compile/compile.js";
import { errorOf, loadFixture } from "../../testing/project-fixture.js";

/**
 * floe_utils as a project calls it: each macro rendered inside a model (the SQL Trino gets is checked on
 * the stack by floe-utils.int.test.ts), and the argument errors a user meets.
 */
function render(model: string, files: Record<string, string> = {}): string {
  const project = loadFixture({
    "seeds/orders.csv": "order_id,status,amount\n1,paid,10\n",
    "models/model.sql": model,
    ...files,
  });
  const node = project.manifest.nodes["model.shop.model"];
  if (!node) throw new Error("no model");
  return renderNodes(project, [node.unique_id]).get(node.unique_id) ?? "";
}

describe("floe_utils macros render", () => {
  it("generate_surrogate_key: md5 over the fields joined by '-', nulls as a marker", () => {
    expect(render('select {{> floe_utils/generate_surrogate_key fields="a, b"}}')).toBe(
      "select lower(to_hex(md5(to_utf8(concat_ws('-', coalesce(cast(a as varchar), '_dbt_utils_surrogate_key_null_'), coalesce(cast(b as varchar), '_dbt_utils_surrogate_key_null_'))))))",
    );
    expect(render('select {{> floe_utils/generate_surrogate_key fields=(list "coalesce(a, b)")}}')).toBe(
      "select lower(to_hex(md5(to_utf8(coalesce(cast(coalesce(a, b) as varchar), '_dbt_utils_surrogate_key_null_')))))",
    );
  });

  it("star: the yml or seed columns of the relation, minus except, with an alias and prefix", () => {
    expect(
      render(
        'select {{> floe_utils/star from=(ref "orders") except="AMOUNT" relation_alias="o" prefix="o_"}} from x',
      ),
    ).toBe('select "o"."order_id" as "o_order_id",\n    "o"."status" as "o_status" from x');
  });

  it("union_relations: columns aligned by name, a missing one null (cast to its declared type)", () => {
    const sql = render(
      '{{> floe_utils/union_relations relations=(list (ref "orders") (ref "returns")) exclude="amount"}}',
      {
        "seeds/returns.csv": "order_id,reason\n1,x\n",
        "seeds/returns.yml":
          "version: 2\nseeds:\n  - name: returns\n    columns:\n      - name: reason\n        data_type: varchar\n",
      },
    );
    expect(sql).toBe(
      [
        'select\n    \'"iceberg"."analytics"."orders"\' as "_floe_source_relation",',
        '    "order_id",\n    "status",\n    cast(null as varchar) as "reason"',
        'from "iceberg"."analytics"."orders"',
        "union all",
        'select\n    \'"iceberg"."analytics"."returns"\' as "_floe_source_relation",',
        '    "order_id",\n    null as "status",\n    "reason"',
        'from "iceberg"."analytics"."returns"',
      ].join("\n"),
    );
  });

  it("deduplicate: the declared columns outside, the row number inside", () => {
    expect(
      render(
        '{{> floe_utils/deduplicate relation=(ref "orders") partition_by="order_id" order_by="amount desc"}}',
      ),
    ).toBe(
      [
        'select "order_id", "status", "amount"',
        "from (",
        "    select _floe_dedupe.*,",
        "        row_number() over (partition by order_id order by amount desc) as _floe_row_number",
        '    from "iceberg"."analytics"."orders" as _floe_dedupe',
        ") as _floe_deduped",
        "where _floe_row_number = 1",
      ].join("\n"),
    );
  });

  it("pivot and safe_divide", () => {
    expect(render('select {{> floe_utils/pivot column="status" values="paid, it\'s"}}')).toBe(
      "select sum(case when status = 'paid' then 1 else 0 end) as \"paid\",\n    sum(case when status = 'it''s' then 1 else 0 end) as \"it's\"",
    );
    expect(render('select {{> floe_utils/safe_divide numerator="a" denominator="b - 1"}}')).toBe(
      "select (a) / nullif((b - 1), 0)",
    );
  });

  it("date_spine counts dateparts with date_diff, over two sequences (past Trino's 10,000-entry limit)", () => {
    const sql = render(
      '{{> floe_utils/date_spine datepart="hour" start_date="timestamp \'2024-01-01\'" end_date="timestamp \'2026-01-01\'"}}',
    );
    expect(sql).toContain(
      `select cast(date_add('hour', _floe_n, timestamp '2024-01-01') as timestamp(6)) as "date_hour"`,
    );
    expect(sql).toContain(
      "cross join unnest(sequence(0, greatest(0, (date_diff('hour', timestamp '2024-01-01', timestamp '2026-01-01')) / 10000)))",
    );
    expect(sql).toContain(
      "where _floe_n < date_diff('hour', timestamp '2024-01-01', timestamp '2026-01-01')",
    );
  });
});

describe("floe_utils argument errors name the macro and the fix", () => {
  it("a misspelled argument gets the closest one", () => {
    const error = errorOf(() => render('select {{> floe_utils/star from=(ref "orders") excpet="a"}} from x'));
    expect(error.message).toContain("{{> floe_utils/star}} has no argument 'excpet'");
    expect(error.hint).toBe("did you mean except=...?");
    expect(error.location?.file).toBe("models/model.sql");
  });

  it("a missing required argument, a bad datepart, an unknown macro", () => {
    expect(errorOf(() => render('select {{> floe_utils/safe_divide numerator="a"}}')).message).toContain(
      "{{> floe_utils/safe_divide}} needs denominator=...",
    );
    expect(
      errorOf(() => render('{{> floe_utils/date_spine datepart="fortnight" start_date="a" end_date="b"}}'))
        .message,
    ).toContain(
      "datepart 'fortnight' is not one of millisecond, second, minute, hour, day, week, month, quarter, year",
    );
    const unknown = errorOf(() => render('select {{> floe_utils/surrogate_key fields="a"}}'));
    expect(unknown.message).toContain("unknown macro 'floe_utils/surrogate_key'");
    expect(unknown.hint).toBe("did you mean 'floe_utils/generate_surrogate_key'?");
  });

  it("star of a relation whose columns are not declared says where to declare them", () => {
    const error = errorOf(() =>
      render('select {{> floe_utils/star from=(ref "plain")}} from x', {
        "models/plain.sql": "select 1 as a",
      }),
    );
    expect(error.message).toContain(
      '{{> floe_utils/star}} does not know the columns of "iceberg"."analytics"."plain"',
    );
    expect(error.hint).toContain("whose columns are listed in a .yml file");
  });
});
