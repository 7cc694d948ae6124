import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import { floe, testTrinoPort, write, writeRunnerProject } from "../testing/run-fixture.js";
import { dropSchema, rows } from "../testing/warehouse.js";

/** An installed package built with the root project on the local stack: its seed, model and test run too. */
const trino = localTrino({ port: testTrinoPort() });
const schema = uniqueName("floe_pkg_it");
afterAll(async () => {
  await dropSchema(trino, schema);
});

describe("a local package on Trino", () => {
  it("floe deps, then floe build runs the package's seed, model and test before the root model that refs them", async () => {
    const pkg = mkdtempSync(join(tmpdir(), "floe-pkg-"));
    const files: Record<string, string> = {
      "floe_project.yml": "name: currency\nprofile: floe\nmodels:\n  currency:\n    +materialized: table\n",
      "seeds/rates.csv": "currency,rate\nEUR,1.10\nGBP,1.25\n",
      "macros/to_usd.sql": '({{amount}} * {{ref "rates"}}.rate)\n',
      "models/usd_rates.sql": 'select currency, rate from {{ref "rates"}}\n',
      "models/schema.yml":
        "version: 2\nmodels:\n  - name: usd_rates\n    columns:\n      - name: currency\n        tests: [unique, not_null]\n",
    };
    for (const [path, text] of Object.entries(files)) write(pkg, path, text);
    const dir = writeRunnerProject(schema, {
      "packages.yml": `packages:\n  - local: ${pkg}\n`,
      "seeds/sales.csv": "id,currency,amount\n1,EUR,100\n2,GBP,10\n",
      "models/sales_usd.sql":
        'select s.id, cast({{> currency/to_usd amount="s.amount"}} as decimal(10, 2)) as usd\n' +
        'from {{ref "sales"}} s join {{ref "currency" "usd_rates"}} r on r.currency = s.currency\n' +
        'join {{ref "rates"}} on {{ref "rates"}}.currency = s.currency\n',
    });
    expect((await floe(dir, "deps")).exitCode).toBe(0);
    const build = await floe(dir, "build");
    expect(build.stderr).toBe("");
    expect(build.exitCode).toBe(0);
    expect(build.stdout).toMatch(/OK created table model .*\.usd_rates /);
    expect(build.stdout).toMatch(/PASS unique_usd_rates_currency /);
    expect(build.stdout.indexOf("PASS unique_usd_rates_currency")).toBeLessThan(
      build.stdout.indexOf("START view model"),
    );
    expect(
      await rows(
        trino,
        `SELECT id, CAST(usd AS varchar) AS usd FROM iceberg.${schema}.sales_usd ORDER BY id`,
      ),
    ).toEqual([
      { id: 1, usd: "110.00" },
      { id: 2, usd: "12.50" },
    ]);
  }, 240_000);
});
