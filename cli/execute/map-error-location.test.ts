import { describe, expect, it } from "vitest";
import { TrinoQueryError } from "../../trino/errors.js";
import { bodyLineAt, describeNodeLocation, mapCompiledLine, trinoErrorText } from "./map-error-location.js";

describe("mapCompiledLine", () => {
  const template =
    '{{config materialized="table"\n  partitioned_by="day(ts)"}}\nselect id,\n  bogus_column\nfrom {{ref "orders"}}\n';
  const compiled = 'select id,\n  bogus_column\nfrom "iceberg"."s"."orders"\n';

  it("finds a compiled line whose text is unique in the template", () => {
    expect(mapCompiledLine(template, compiled, 2)).toBe(4);
  });
  it("shifts by the config lines that rendered to nothing when the text differs", () => {
    expect(mapCompiledLine(template, compiled, 3)).toBe(5);
  });
  it("gives up when ephemeral CTEs were prepended and the text is not unique", () => {
    expect(
      mapCompiledLine("select 1\nselect 1\n", 'with "__floe_cte__x" as (\nselect 1\n)\nselect 1\n', 2),
    ).toBeUndefined();
  });
  it("matches a line whose {{…}} expanded, when the block lines around it vanished", () => {
    const incremental =
      '{{config materialized="incremental"}}\nselect id from {{ref "a"}}\n{{#if (is_incremental)}}\nwhere id > (select max(id) from {{this}})\n{{/if}}\n';
    const rendered = 'select id from "c"."s"."a"\nwhere id > (select max(id) from "c"."s"."t")\n';
    expect(mapCompiledLine(incremental, rendered, 2)).toBe(4);
    expect(mapCompiledLine(incremental, rendered, 1)).toBe(2);
  });
});

describe("bodyLineAt", () => {
  const body = "select id,\n  bogus\nfrom t";
  it("counts lines from where the node's SQL starts in the statement", () => {
    expect(bodyLineAt({ line: 4, column: 3 }, 3, body)).toBe(2);
    expect(bodyLineAt({ line: 3, column: 1 }, 3, body)).toBe(1);
  });
  it("gives nothing for a position in the DDL before or after the body", () => {
    expect(bodyLineAt({ line: 2, column: 1 }, 3, body)).toBeUndefined();
    expect(bodyLineAt({ line: 6, column: 1 }, 3, body)).toBeUndefined();
  });
});

describe("describeNodeLocation", () => {
  const template = '{{config materialized="table"}}\nselect id,\n  bogus\nfrom {{ref "a"}}\n';
  const at = {
    file: "models/m.sql",
    compiledSql: 'select id,\n  bogus\nfrom "c"."s"."a"\n',
    compiledLine: 2,
    column: 3,
    readProjectFile: () => template,
  };
  it("names the template line and, when asked, the compiled file's line and column", () => {
    expect(describeNodeLocation(at)).toBe("models/m.sql:3:3");
    expect(describeNodeLocation({ ...at, compiledFile: { path: "target/m.sql", column: true } })).toBe(
      "models/m.sql:3:3; compiled SQL target/m.sql:2:3",
    );
    expect(describeNodeLocation({ ...at, compiledFile: { path: "target/m.sql", column: false } })).toBe(
      "models/m.sql:3:3; compiled SQL target/m.sql:2",
    );
  });
  it("leaves the template line out when the file cannot be read or is not a .sql template", () => {
    const unreadable = () => {
      throw new Error("ENOENT");
    };
    expect(describeNodeLocation({ ...at, readProjectFile: unreadable })).toBe("models/m.sql");
    expect(describeNodeLocation({ ...at, file: "models/schema.yml" })).toBe("models/schema.yml");
  });
});

describe("trinoErrorText", () => {
  it("drops Trino's position prefix and adds the query id", () => {
    const error = new TrinoQueryError({
      queryId: "20260101_x",
      message: "line 3:7: Column 'bogus' cannot be resolved",
      errorName: "COLUMN_NOT_FOUND",
      errorCode: 47,
      errorType: "USER_ERROR",
      sql: "select bogus",
    });
    expect(trinoErrorText(error)).toBe("Column 'bogus' cannot be resolved (Trino query 20260101_x)");
  });
});
