import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type GenerateOptions, generateShop } from "./generator.js";

/**
 * A regression guard for the generator's determinism. The digests below were computed once by the
 * generator as it was before its split into simulation, mixer and ledger fold (commit 0594bb1, one 615-line
 * `run`), over every message of each run (topic kind, key, malformed/duplicate/late flags and the exact
 * bytes) and over the JSON of its ledger. Any change to the order of the PRNG's draws, to an event's bytes
 * or to a ledger figure changes a digest. The cases cover the demo (`floe demo`), the shop-ledger
 * integration test, the ingest tests' shop, a shop without mixing and one with heavy mixing and no 2 MB
 * message.
 */
const CASES: Record<string, { options: GenerateOptions; messages: string; ledger: string }> = {
  demo: {
    options: {
      events: 100_000,
      seed: 42,
      start: new Date("2026-01-05T00:00:00.000Z"),
      days: 3,
      duplicates: 0.02,
      late: 0.01,
      malformed: 0.001,
    },
    messages: "e13bd2fd0a5ccefe280b416194bfca0db6ae781b2ce00570efc8ce41f5131919",
    ledger: "ecac613fffa360c6162f382bd1077a3a74694c33479102fcf5ee5cb274d59dce",
  },
  shopLedgerTest: {
    options: {
      events: 20_000,
      seed: 7,
      start: new Date("2026-02-01T00:00:00Z"),
      days: 3,
      duplicates: 0.02,
      late: 0.01,
      malformed: 0.002,
    },
    messages: "3e38d0196e1e7d752a7902c7d81f8b2bd3dc29e074559cd0c4f20e847965a1f6",
    ledger: "b9dd2d22d2249b611feb029e9f8aaee1d9ebf9cba41bd04bc85f9a3c87791a2e",
  },
  testShop: {
    options: {
      events: 8_000,
      seed: 1,
      start: new Date("2026-03-01T00:00:00Z"),
      days: 3,
      duplicates: 0.01,
      malformed: 0.005,
      late: 0.02,
    },
    messages: "1c3e151636478283edd0b839d6b6dbe6f903660a1aa0dbb70cb7a7f3bb6b8b3d",
    ledger: "b6014293b1a3e43031e6e99f221b5d2352c49642846f55d4642805cc816c8411",
  },
  unmixed: {
    options: { events: 5_000, seed: 3, start: new Date("2026-01-05T00:00:00Z") },
    messages: "d243417a4ff3bccdb0e8e5926c66702802774d2b93c78b512466f031ad946120",
    ledger: "2442f4af6eafb551e1cf7647b589101a13b6c8663e79ed01e761865c42e74075",
  },
  heavyMixNoOversized: {
    options: {
      events: 3_000,
      seed: 9,
      start: new Date("2026-01-05T00:00:00Z"),
      days: 1.5,
      malformed: 0.05,
      duplicates: 0.05,
      late: 0.05,
      oversized: false,
    },
    messages: "d749858d8f5598845f31b49da153aea08e51528b26ebba0f4d743de6fc162f49",
    ledger: "15c8ca87a69c04a6896430098199880fe274e11f9ed068b13b8f6875f8ff4d57",
  },
};

function digests(options: GenerateOptions): { messages: string; ledger: string; count: number } {
  const { messages, ledger } = generateShop(options);
  const hash = createHash("sha256");
  let count = 0;
  for (const m of messages) {
    const flags = `${m.malformed ?? ""}\t${m.duplicate ? "d" : ""}\t${m.late ? "l" : ""}`;
    hash.update(`${m.kind}\t${m.key}\t${flags}\t${m.value}\n`);
    count++;
  }
  return {
    messages: hash.digest("hex"),
    ledger: createHash("sha256").update(JSON.stringify(ledger)).digest("hex"),
    count,
  };
}

describe("the generator's output for a seed (pinned before the split)", { timeout: 60_000 }, () => {
  for (const [name, pinned] of Object.entries(CASES)) {
    it(`${name}: the same messages, byte for byte, and the same ledger`, () => {
      const got = digests(pinned.options);
      expect(got.count).toBe(pinned.options.events);
      expect(got.messages).toBe(pinned.messages);
      expect(got.ledger).toBe(pinned.ledger);
    });
  }
});
