import { describe, expect, it } from "vitest";
import { loadFixture } from "../testing/project-fixture.js";
import { selectNodes } from "./apply-selector.js";
import { breakingContractChanges, refuseBreakingChanges } from "./contract-changes.js";
import { parseSelector } from "./parse-selector.js";

/** Breaking changes to enforced contracts against a previous manifest, and state:modified.contract. */
const SQL = { "models/dim.sql": "select 1 as id, 'x' as status", "models/other.sql": "select 1 as x" };
const yml = (columns: string, extra = "") => ({
  ...SQL,
  "models/schema.yml": `version: 2\nmodels:\n  - name: dim\n    config: {contract: {enforced: true}}\n${extra}    columns:\n${columns}`,
});
const BASE =
  "      - {name: id, data_type: bigint, constraints: [{type: not_null}]}\n      - {name: status, data_type: varchar}\n";
const previous = loadFixture(yml(BASE)).manifest;
const changesFor = (files: Record<string, string>) =>
  breakingContractChanges(loadFixture(files).manifest, previous).map((c) => c.reasons);

describe("breakingContractChanges", () => {
  it("a removed, retyped or no-longer-not-null column is breaking; an added column is not", () => {
    expect(changesFor(yml(BASE))).toEqual([]);
    expect(changesFor(yml(`${BASE}      - {name: extra, data_type: bigint}\n`))).toEqual([]);
    expect(
      changesFor(yml("      - {name: id, data_type: bigint, constraints: [{type: not_null}]}\n")),
    ).toEqual([["column 'status' removed"]]);
    expect(
      changesFor(yml("      - {name: id, data_type: integer}\n      - {name: status, data_type: VARCHAR}\n")),
    ).toEqual([["column 'id' retyped from bigint to integer"]]);
    expect(
      changesFor(yml("      - {name: id, data_type: bigint}\n      - {name: status, data_type: varchar}\n")),
    ).toEqual([["not_null dropped from 'id'"]]);
  });

  it("dropping enforcement or the model is breaking; versioning it is not", () => {
    expect(changesFor({ ...SQL, "models/schema.yml": "version: 2\nmodels:\n  - name: dim\n" })).toEqual([
      ["the contract is no longer enforced"],
    ]);
    expect(changesFor({ "models/other.sql": "select 1 as x" })).toEqual([
      ["the contracted model was removed or disabled"],
    ]);
    expect(
      changesFor({
        "models/dim_v1.sql": "select 1 as id",
        "models/dim_v2.sql": "select 1 as id",
        "models/schema.yml":
          "version: 2\nmodels:\n  - name: dim\n    config: {contract: {enforced: true}}\n    columns: [{name: id, data_type: bigint}]\n    versions: [{v: 1}, {v: 2}]\n",
      }),
    ).toEqual([]);
  });

  it("refuseBreakingChanges: exit 2, every change listed, the fix is a new version", () => {
    const current = loadFixture(yml("      - {name: id, data_type: bigint}\n")).manifest;
    const changes = breakingContractChanges(current, previous);
    let thrown: unknown;
    try {
      refuseBreakingChanges(changes, new Set(["model.shop.dim"]));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({
      code: "CONTRACT_BREAKING_CHANGE",
      exitCode: 2,
      location: { file: "models/schema.yml" },
    });
    expect((thrown as Error).message).toBe(
      "breaking change to an enforced contract, compared with --state:\n  dim: not_null dropped from 'id'; column 'status' removed",
    );
    expect((thrown as { hint: string }).hint).toMatch(
      /^declare a new version for the change \(versions: \[\{v: 1\}, \{v: 2\}\]/,
    );
    // Not selected: not this command's business.
    expect(() => refuseBreakingChanges(changes, new Set(["model.shop.other"]))).not.toThrow();
  });

  it("state:modified.contract selects models whose contract changed, breaking or not", () => {
    const current = loadFixture(yml(`${BASE}      - {name: extra, data_type: bigint}\n`)).manifest;
    const selected = selectNodes(
      { manifest: current, previous },
      parseSelector(["state:modified.contract"]),
      undefined,
    );
    expect([...selected]).toEqual(["model.shop.dim"]);
    const same = selectNodes(
      { manifest: loadFixture(yml(BASE)).manifest, previous },
      parseSelector(["state:modified.contract"]),
      undefined,
    );
    expect([...same]).toEqual([]);
  });
});
