import { describe, expect, it } from "vitest";
import { mapCompiledLine } from "./map-error-location.js";

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
