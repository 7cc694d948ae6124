import { describe, expect, it } from "vitest";
import { splitStatements } from "./split-statements.js";

describe("splitStatements", () => {
  it("splits at top-level semicolons and trims", () => {
    expect(splitStatements("create schema a;\n  insert into t values (1) ;\n")).toEqual([
      "create schema a",
      "insert into t values (1)",
    ]);
  });

  it("keeps semicolons inside strings, quoted identifiers and comments", () => {
    const sql = `select 'a;b', 'it''s; fine' as "x;y" -- no; split\nfrom t /* not; here */;select 2`;
    expect(splitStatements(sql)).toEqual([
      `select 'a;b', 'it''s; fine' as "x;y" -- no; split\nfrom t /* not; here */`,
      "select 2",
    ]);
  });

  it("drops statements that are only whitespace or comments", () => {
    expect(splitStatements(";;\n-- just a comment;\n/* and; this */;select 1;")).toEqual(["select 1"]);
    expect(splitStatements("  \n")).toEqual([]);
  });
});
