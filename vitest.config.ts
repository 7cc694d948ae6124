import { defineConfig } from "vitest/config";

// Two projects: fast unit tests that sit beside the code, and integration tests (`*.int.test.ts`) that run
// against the real local stack. The integration project's global setup brings the stack up (idempotent)
// and fails — never skips — when it cannot.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["{core,cli,ingest,trino,catalog,stack,bench}/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "**/node_modules/**", "dist/**"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["{core,cli,ingest,trino,catalog,stack}/**/*.int.test.ts"],
          exclude: ["**/node_modules/**", "dist/**"],
          globalSetup: ["./testing/stack-global-setup.ts"],
          testTimeout: 180_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
