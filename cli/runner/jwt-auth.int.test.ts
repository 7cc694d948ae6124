import { afterAll, describe, expect, it } from "vitest";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import { floe, testTrinoPort, writeRunnerProject } from "../testing/run-fixture.js";
import { dropSchema, rows } from "../testing/warehouse.js";

/**
 * Issue 12, defect 9: `auth: {method: jwt}` validated and then failed at run time ("not supported by the
 * Trino adapter yet"). The local Trino has no authenticator, so it accepts the Bearer credential and
 * ignores it: this shows a jwt profile runs end to end; `connect.test.ts` shows what goes on the wire.
 */
const trino = localTrino({ port: testTrinoPort() });
const schema = uniqueName("floe_jwt");
afterAll(() => dropSchema(trino, schema));

describe("a profile with auth: jwt", () => {
  it("runs a model", async () => {
    const dir = writeRunnerProject(
      schema,
      { "models/a.sql": "select 1 as id\n" },
      { output: { auth: `{method: jwt, token: '{{env "FLOE_TEST_JWT" "header.payload.signature"}}'}` } },
    );
    const result = await floe(dir, "run");
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(await rows(trino, `select id from iceberg.${schema}.a`)).toEqual([{ id: 1 }]);
  });
});
