// Bundles the compiled CLI (dist/cli, from tsc) into dist/bundle so `floe` starts from a few files instead
// of some 170 modules plus zod's: about 60 ms less per command (see README, "Start-up"). The worker
// entries keep the paths the code resolves relative to its own chunk; the heavy ingest libraries stay
// external and load only inside the ingest commands, as before.
import { existsSync, renameSync, rmSync } from "node:fs";
import { build } from "rolldown";

const dist = new URL("../dist/", import.meta.url).pathname;
const out = `${dist}bundle`;
// Built aside and swapped in, so a `floe` started meanwhile (tests run the CLI in parallel, and one of
// them rebuilds) never finds the folder half-written.
const next = `${out}.next-${process.pid}`;
const old = `${out}.old-${process.pid}`;
await build({
  input: {
    floe: "dist/cli/main.js",
    "write-worker": "dist/cli/artifacts/write-worker.js",
    "parse-worker": "dist/cli/templating/parse-worker.js",
    // The ingestion API's Kafka link thread (ingest/http/worker-link.ts finds it next to its chunk).
    "kafka-link-worker": "dist/ingest/http/kafka-link-worker.js",
    // Run as its own process beside each stack service (stack/process.ts finds it next to its chunk).
    "log-writer": "dist/stack/log-writer.js",
  },
  platform: "node",
  external: [/^node:/, /^@aws-sdk\//, /^@duckdb\//, /^kafkajs/, /^prom-client/, /^hyparquet/, /^yaml$/],
  logLevel: "warn",
  output: { dir: next, format: "esm", entryFileNames: "[name].js", chunkFileNames: "chunk-[hash].js" },
});
if (existsSync(out)) renameSync(out, old);
renameSync(next, out);
rmSync(old, { recursive: true, force: true });
