import { describe, expect, it } from "vitest";
import { bodyFingerprint, shortHash, stableStringify } from "./hashing.js";

describe("bodyFingerprint", () => {
  // The allocation-free version must equal the definition, or old --state manifests would all look modified.
  const reference = (text: string) => shortHash(text.replace(/\s+/g, " ").trim());
  it.each([
    "",
    "   ",
    "select 1",
    "  select\t1\n\nfrom  x  \n",
    "\u00a0select\u2003a,\u3000b\ufeff\r\nfrom t\u2028",
    "select 'é' from \u1680 t\u205f\u202fwhere\v\fx",
    '{{config materialized="view"}}\n-- c\nselect *\nfrom {{ref "a"}}\n',
  ])("equals shortHash of the collapsed text for %j", (text) => {
    expect(bodyFingerprint(text)).toBe(reference(text));
  });
});

describe("stableStringify", () => {
  it("sorts keys, drops undefined and keeps array order", () => {
    expect(stableStringify({ b: [2, undefined, { d: 1, c: "x" }], a: null, u: undefined })).toBe(
      '{"a":null,"b":[2,null,{"c":"x","d":1}]}',
    );
  });
});
