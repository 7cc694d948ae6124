import { describe, expect, it } from "vitest";
import { connectorRunning } from "./health.js";

describe("connectorRunning", () => {
  const running = { state: "RUNNING" };
  it("needs the connector and every task RUNNING, and at least one task", () => {
    expect(connectorRunning({ connector: running, tasks: [{ id: 0, ...running }] })).toBe(true);
    expect(connectorRunning({ connector: running, tasks: [] })).toBe(false);
    expect(connectorRunning({ connector: { state: "UNASSIGNED" }, tasks: [{ id: 0, ...running }] })).toBe(
      false,
    );
    expect(
      connectorRunning({ connector: running, tasks: [{ id: 0, state: "FAILED", trace: "PSQLException" }] }),
    ).toBe(false);
  });
});
