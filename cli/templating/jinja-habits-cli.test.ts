import { describe, expect, it } from "vitest";
import { main } from "../main.js";
import { writeProject } from "../testing/project-fixture.js";
import { recordingIO } from "../testing/recording-io.js";

/** `floe compile` on a model written from dbt habit: exit 2, the file:line and the Handlebars fix. */
async function compile(model: string): Promise<{ code: number; stderr: string; stdout: string }> {
  const dir = writeProject({ "models/orders.sql": "select 1 as id\n", "models/m.sql": model });
  const io = recordingIO({ env: {}, cwd: dir });
  const code = await main(["node", "floe", "compile", "--project-dir", dir], io);
  return { code, stderr: io.stderrText(), stdout: io.stdoutText() };
}

describe("floe compile explains Jinja habits", () => {
  it("a Jinja ref names the Handlebars call", async () => {
    const result = await compile("select *\nfrom {{ ref('orders') }}\n");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("models/m.sql:2:6: Jinja call {{ ref('orders') }}.");
    expect(result.stderr).toContain('Fix: write {{ref "orders"}}');
  });

  it("a Jinja if block is caught at compile, not in Trino", async () => {
    const result = await compile(
      'select * from {{ref "orders"}}\n{% if is_incremental() %}where id > 1{% endif %}\n',
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("models/m.sql:2:1: Jinja statement {% if is_incremental() %}.");
    expect(result.stderr).toContain("Fix: write {{#if (is_incremental)}} ... {{/if}}");
  });

  it("a Jinja comment is caught with its Handlebars form", async () => {
    const result = await compile("{# owner: data team #}\nselect 1 as id\n");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "Fix: write a Handlebars comment, which renders nothing: {{!-- owner: data team --}}",
    );
  });

  it("{% inside a SQL string literal or comment compiles", async () => {
    const result = await compile("-- {% if %} in a comment is fine\nselect '{% literal %}' as s\n");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });
});
