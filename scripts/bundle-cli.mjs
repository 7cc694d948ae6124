// Bundles the compiled CLI (dist/cli, from tsc) into dist/bundle so `floe` starts from a few files instead
// of some 170 modules plus zod's: about 60 ms less per command (see README, "Start-up"). The worker
// entries keep the paths the code resolves relative to its own chunk; the heavy ingest libraries stay
// external and load only inside the ingest commands, as before.
import { rmSync } from "node:fs";
import { build } from "rolldown";

const out = new URL("../dist/bundle/", import.meta.url).pathname;
rmSync(out, { recursive: true, force: true });
await build({
  input: {
    floe: "dist/cli/main.js",
    "write-worker": "dist/cli/artifacts/write-worker.js",
    "templating/parse-worker": "dist/cli/templating/parse-worker.js",
  },
  platform: "node",
  external: [/^node:/, /^@aws-sdk\//, /^@duckdb\//, /^kafkajs/, /^prom-client/, /^hyparquet/, /^yaml$/],
  logLevel: "warn",
  output: { dir: out, format: "esm", entryFileNames: "[name].js", chunkFileNames: "chunk-[hash].js" },
});
