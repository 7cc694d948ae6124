import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import { floe, testTrinoPort, writeRunnerProject } from "../testing/run-fixture.js";
import { dropSchema, rows } from "../testing/warehouse.js";

/**
 * `--defer --state`: a dev run of one model reads the production relation of an upstream model that is
 * not built in dev, and its own dev relation once it is.
 */
const trino = localTrino({ port: testTrinoPort() });
const prodSchema = uniqueName("floe_defer_prod");
const devSchema = uniqueName("floe_defer_dev");
const retrySchema = uniqueName("floe_defer_retry");
afterAll(async () => {
  await dropSchema(trino, prodSchema);
  await dropSchema(trino, devSchema);
  await dropSchema(trino, retrySchema);
});

const files = {
  "models/base.sql": `{{config materialized="table"}}\nselect '{{this.schema}}' as origin\n`,
  "models/child.sql": '{{config materialized="table"}}\nselect origin from {{ref "base"}}\n',
};

describe("floe run --defer --state", () => {
  it("renders refs to unselected, unbuilt models as the state manifest's relations", async () => {
    const prod = writeRunnerProject(prodSchema, files);
    expect((await floe(prod, "run")).exitCode).toBe(0);
    const state = join(prod, "target");

    const dev = writeRunnerProject(devSchema, files);
    const withoutDefer = await floe(dev, "run", "-s", "child");
    expect(withoutDefer.exitCode).toBe(1);

    const noState = await floe(dev, "run", "-s", "child", "--defer");
    expect(noState.exitCode).toBe(2);
    expect(noState.stderr).toContain("--defer needs --state");

    const deferred = await floe(dev, "run", "-s", "child", "--defer", "--state", state);
    expect(deferred.exitCode).toBe(0);
    expect(deferred.stdout).toContain(
      `Deferring base to --state: "iceberg"."${prodSchema}"."base" ("iceberg"."${devSchema}"."base" does not exist in target dev)`,
    );
    expect(await rows(trino, `SELECT origin FROM iceberg.${devSchema}.child`)).toEqual([
      { origin: prodSchema },
    ]);

    // Once base exists in dev, dev's own relation wins (dbt's default, without --favor-state).
    expect((await floe(dev, "run", "-s", "base")).exitCode).toBe(0);
    const own = await floe(dev, "run", "-s", "child", "--defer", "--state", state);
    expect(own.exitCode).toBe(0);
    expect(own.stdout).not.toContain("Deferring");
    expect(await rows(trino, `SELECT origin FROM iceberg.${devSchema}.child`)).toEqual([
      { origin: devSchema },
    ]);

    // A deferred run that fails is retried deferred, to the same state, without repeating the flags.
    const broken = writeRunnerProject(retrySchema, {
      ...files,
      "models/child.sql":
        '{{config materialized="table"}}\nselect origin, no_such_column from {{ref "base"}}\n',
    });
    const failed = await floe(broken, "run", "-s", "child", "--defer", "--state", state);
    expect(failed.exitCode).toBe(1);
    writeFileSync(join(broken, "models/child.sql"), files["models/child.sql"]);
    const retried = await floe(broken, "retry");
    expect(retried.stdout).toContain(`Deferring base to --state: "iceberg"."${prodSchema}"."base"`);
    expect(retried.exitCode).toBe(0);
    expect(await rows(trino, `SELECT origin FROM iceberg.${retrySchema}.child`)).toEqual([
      { origin: prodSchema },
    ]);
  });
});
