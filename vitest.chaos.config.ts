import { defineConfig } from "vitest/config";

// `npm run test:chaos`: the sink's chaos test (Kafka and the sink SIGKILLed, S3 cut, hostile messages),
// kept out of `npm test` until the stall it found is fixed: in 1 of the 4 runs of its last stretch the final
// sink did not go idle within 90 s (a near-max-size message on product-metadata/0 was neither dead-lettered
// nor skipped), so raw was 86 rows short of the ledger at the deadline. README, "Chaos test", has the figures.
export default defineConfig({
  test: {
    include: ["ingest/**/*.chaos.ts"],
    globalSetup: ["./testing/stack-global-setup.ts"],
    testTimeout: 900_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
