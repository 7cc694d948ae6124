import { describe, expect, it } from "vitest";
import { externalEndpoints, mayLaunch, SERVICES, type ServiceName, serviceByName } from "./services.js";

describe("service order", () => {
  const connect = serviceByName("connect")!;

  it("launches Connect only once Kafka and the (provisioned) shop database are healthy", () => {
    expect(mayLaunch(connect, new Set<ServiceName>())).toBe(false);
    expect(mayLaunch(connect, new Set<ServiceName>(["kafka"]))).toBe(false);
    expect(mayLaunch(connect, new Set<ServiceName>(["kafka", "postgres"]))).toBe(true);
    expect(mayLaunch(serviceByName("postgres")!, new Set<ServiceName>())).toBe(true);
  });

  it("lists Connect last, so `down` (in reverse) stops it before PostgreSQL and the slot is released", () => {
    const names = SERVICES.map((s) => s.name);
    expect(names.at(-1)).toBe("connect");
    expect(names.indexOf("postgres")).toBeLessThan(names.indexOf("connect"));
  });
});

describe("externalEndpoints", () => {
  it("makes Redis external only when FLOE_REDIS_URL is set", () => {
    expect(externalEndpoints({})).toEqual({});
    expect(externalEndpoints({ FLOE_REDIS_URL: "redis://cache:6379" })).toEqual({
      redis: { kind: "redis", url: "redis://cache:6379" },
    });
  });
});
