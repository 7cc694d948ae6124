import { describe, expect, it } from "vitest";
import { errorOf, loadFixture } from "../testing/project-fixture.js";
import {
  ContractViolationError,
  contractDiff,
  contractOf,
  formatContractDiff,
  normalizeType,
  typeMatches,
} from "./contract.js";
import { planModel } from "./plan-model.js";
import { ABSENT } from "./relation-state.js";
import { renderPlanSql } from "./render-step.js";

/** Contracts: type matching, the diff, the contract read from yml, and the golden SQL of a contracted table. */
describe("contract types", () => {
  it("normalise Trino's spellings and aliases", () => {
    expect(normalizeType("DECIMAL(10, 2)")).toBe("decimal(10,2)");
    expect(normalizeType("numeric(10,2)")).toBe("decimal(10,2)");
    expect(normalizeType("int")).toBe("integer");
    expect(normalizeType("timestamp")).toBe("timestamp(3)");
    expect(normalizeType("Timestamp(6) With  Time Zone")).toBe("timestamp(6) with time zone");
  });

  it("an unbounded varchar accepts varchar(n); other types must be equal", () => {
    expect(typeMatches("varchar", "varchar(4)")).toBe(true);
    expect(typeMatches("string", "varchar")).toBe(true);
    expect(typeMatches("varchar(4)", "varchar")).toBe(false);
    expect(typeMatches("bigint", "integer")).toBe(false);
    expect(typeMatches("decimal(10,2)", "decimal(10, 2)")).toBe(true);
    expect(typeMatches("timestamp(6)", "timestamp(3)")).toBe(false);
  });
});

describe("contractDiff", () => {
  const contract = [
    { name: "id", type: "bigint", notNull: true },
    { name: "status", type: "varchar", notNull: false },
    { name: "amount", type: "decimal(10,2)", notNull: false },
  ];

  it("names what is missing, extra and retyped; case-insensitive names", () => {
    const diff = contractDiff(contract, [
      { name: "ID", type: "bigint" },
      { name: "state", type: "varchar(4)" },
      { name: "amount", type: "double" },
    ]);
    expect(diff).toEqual({
      missing: [contract[1]],
      extra: [{ name: "state", type: "varchar(4)" }],
      changed: [{ name: "amount", contract: "decimal(10,2)", actual: "double" }],
    });
    expect(formatContractDiff(diff)).toBe(
      [
        "| column | query type | contract type | mismatch                |",
        "| ------ | ---------- | ------------- | ----------------------- |",
        "| status |            | varchar       | missing in the query    |",
        "| state  | varchar(4) |               | missing in the contract |",
        "| amount | double     | decimal(10,2) | data type mismatch      |",
      ].join("\n"),
    );
    const error = new ContractViolationError("dim", diff, "models/schema.yml");
    expect(error).toMatchObject({ code: "CONTRACT_VIOLATION", exitCode: 1 });
    expect(error.message).toMatch(
      /^'dim' has an enforced contract .* nothing was changed in the warehouse\.\n\| column/,
    );
  });

  it("no differences: empty lists", () => {
    expect(
      contractDiff(contract, [
        { name: "id", type: "bigint" },
        { name: "status", type: "varchar" },
        { name: "amount", type: "decimal(10,2)" },
      ]),
    ).toEqual({ missing: [], extra: [], changed: [] });
  });
});

const MODEL = { "models/dim.sql": "select 1 as id, 'x' as status" };

describe("a contract in yml", () => {
  it("is the columns with their types; not_null from the column or the model-level constraint", () => {
    const project = loadFixture({
      ...MODEL,
      "models/schema.yml": `version: 2
models:
  - name: dim
    config: {contract: {enforced: true}}
    constraints: [{type: not_null, columns: [status]}, {type: primary_key, columns: [id]}]
    columns:
      - {name: id, data_type: bigint, constraints: [{type: not_null}, {type: unique}]}
      - {name: status, data_type: varchar}
`,
    });
    const node = project.manifest.nodes["model.shop.dim"];
    if (node?.resource_type !== "model") throw new Error("no model");
    expect(node.constraints).toEqual([
      { type: "not_null", columns: ["status"] },
      { type: "primary_key", columns: ["id"] },
    ]);
    expect(node.columns.id?.constraints).toEqual([{ type: "not_null" }, { type: "unique" }]);
    expect(contractOf(node)).toEqual([
      { name: "id", type: "bigint", notNull: true },
      { name: "status", type: "varchar", notNull: true },
    ]);
  });

  it("not enforced: no contract", () => {
    const project = loadFixture({
      ...MODEL,
      "models/schema.yml":
        "version: 2\nmodels:\n  - name: dim\n    config: {contract: {enforced: false}}\n    columns: [{name: id}]\n",
    });
    const node = project.manifest.nodes["model.shop.dim"];
    if (node?.resource_type !== "model") throw new Error("no model");
    expect(contractOf(node)).toBeUndefined();
  });

  it.each([
    [
      "a column without data_type",
      "version: 2\nmodels:\n  - name: dim\n    config: {contract: {enforced: true}}\n    columns:\n      - {name: id, data_type: bigint}\n      - {name: status}\n",
      "column 'status' of 'dim' has no data_type, and the model's contract is enforced.",
      "models[0].columns[1].name",
      "give every column of a contracted model a data_type",
    ],
    [
      "no columns",
      "version: 2\nmodels:\n  - name: dim\n    config: {contract: {enforced: true}}\n",
      "'dim' has an enforced contract but no columns in its yml.",
      undefined,
      "list the model's columns with their data_type",
    ],
    [
      "a misspelled contract key",
      "version: 2\nmodels:\n  - name: dim\n    config: {contract: {enforce: true}}\n",
      "contract must be a mapping like {enforced: true}.",
      "models[0].config.contract",
      "fix the value of 'contract'.",
    ],
    [
      "an unknown constraint type",
      "version: 2\nmodels:\n  - name: dim\n    columns:\n      - {name: id, constraints: [{type: not_nul}]}\n",
      "a constraint's type is one of not_null, unique, primary_key, foreign_key, check, custom.",
      "models[0].columns[0].constraints[0].type",
      "",
    ],
  ])("error: %s", (_case, yml, message, path, hint) => {
    const error = errorOf(() => loadFixture({ ...MODEL, "models/schema.yml": yml }));
    expect(error.code).toBe("CONFIG");
    expect(error.message).toBe(message);
    expect(error.location?.file).toBe("models/schema.yml");
    if (path !== undefined) expect(error.location?.path).toBe(path);
    expect(error.hint ?? "").toContain(hint);
  });
});

describe("a contracted table's plan", () => {
  const relation = { catalog: "iceberg", schema: "marts", identifier: "dim" };
  const sqlFor = (notNull: boolean) =>
    renderPlanSql(
      planModel({
        relation,
        config: { materialized: "table", partitioned_by: [], sorted_by: [], properties: {} },
        sql: "select id, status from src;\n",
        state: ABSENT,
        fullRefresh: false,
        locationRoot: "s3://warehouse",
        contract: [
          { name: "id", type: "bigint", notNull },
          { name: "status", type: "varchar", notNull: false },
        ],
      }),
    );

  it("without NOT NULL: one CREATE OR REPLACE ... AS, cast to the contract's columns in its order", () => {
    expect(sqlFor(false)).toMatchInlineSnapshot(`
      "CREATE OR REPLACE TABLE "iceberg"."marts"."dim" AS
      SELECT CAST("id" AS bigint) AS "id", CAST("status" AS varchar) AS "status"
      FROM (
      select id, status from src
      ) AS DBT_INTERNAL_SOURCE;
      "
    `);
  });

  it("with NOT NULL: staged in a declared table (Iceberg rejects NULLs there), then the table replaced", () => {
    expect(sqlFor(true)).toMatchInlineSnapshot(`
      "CREATE OR REPLACE TABLE "iceberg"."marts"."dim__floe_tmp" (
        "id" bigint NOT NULL,
        "status" varchar
      );

      INSERT INTO "iceberg"."marts"."dim__floe_tmp" ("id", "status")
      SELECT "id", "status"
      FROM (
      SELECT CAST("id" AS bigint) AS "id", CAST("status" AS varchar) AS "status"
      FROM (
      select id, status from src
      ) AS floe_contract
      ) AS DBT_INTERNAL_SOURCE;

      CREATE OR REPLACE TABLE "iceberg"."marts"."dim" (
        "id" bigint NOT NULL,
        "status" varchar
      );

      INSERT INTO "iceberg"."marts"."dim" ("id", "status")
      SELECT "id", "status"
      FROM "iceberg"."marts"."dim__floe_tmp" AS DBT_INTERNAL_SOURCE;

      -- cleanup (always runs)

      DROP TABLE IF EXISTS "iceberg"."marts"."dim__floe_tmp";
      "
    `);
  });
});
