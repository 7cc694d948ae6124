import { describe, expect, it } from "vitest";
import { changedEmail, personOf, unitOf } from "./people.js";

describe("generated people", () => {
  it("are fixed by the seed and the user id", () => {
    expect(personOf(42, "u-7")).toEqual(personOf(42, "u-7"));
    expect(personOf(42, "u-7")).not.toEqual(personOf(43, "u-7"));
    expect(unitOf(42, "x")).toBe(unitOf(42, "x"));
  });

  it("have a plausible address on a reserved domain, some typed with capitals", () => {
    const emails = Array.from({ length: 200 }, (_, i) => personOf(1, `u-${i + 1}`).email);
    for (const email of emails) expect(email).toMatch(/^[A-Za-z]+\.[A-Za-z]+\d+@example\.(com|org|net)$/);
    expect(emails.some((e) => e !== e.toLowerCase())).toBe(true);
    expect(new Set(emails).size).toBe(emails.length);
  });

  it("change to a new lower-case address each time", () => {
    const first = personOf(5, "u-12").email;
    const second = changedEmail(5, "u-12", 1);
    const third = changedEmail(5, "u-12", 2);
    expect(new Set([first, second, third]).size).toBe(3);
    expect(second).toBe(second.toLowerCase());
    expect(second.startsWith(first.slice(0, first.indexOf("@")).toLowerCase())).toBe(true);
  });
});
