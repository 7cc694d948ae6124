import { describe, expect, it } from "vitest";
import { errorOf } from "../testing/project-fixture.js";
import { parseVars } from "./common-flags.js";

/** --vars is YAML too: the project files' limits (issue 12, defect 4) apply to it, syntax errors read as before. */
describe("--vars", () => {
  it("an alias bomb is a usage error naming the limit, at once", () => {
    let bomb = "{l0: &l0 [a, a, a, a, a, a, a, a, a]";
    for (let i = 1; i < 9; i++)
      bomb += `, l${i}: &l${i} [${Array(9)
        .fill(`*l${i - 1}`)
        .join(", ")}]`;
    bomb += "}";
    const started = performance.now();
    const error = errorOf(() => parseVars(bomb));
    expect(error.code).toBe("USAGE");
    expect(error.message).toContain("the aliases in --vars expand to more than 100,000 nodes");
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("a syntax error still names js-yaml's reason; a mapping still parses", () => {
    expect(errorOf(() => parseVars("{a: [")).message).toContain(
      "not valid YAML: unexpected end of the stream",
    );
    expect(parseVars("{start: 2024-01-01, n: 3}")).toEqual({ start: new Date("2024-01-01"), n: 3 });
  });
});
