import { resolve } from "node:path";
import { z } from "zod";
import type { IngestApiEvent } from "../../ingest/http/server.js";
import { parseFlags } from "./flag-values.js";
import type { FloeCommand } from "./floe-command.js";

/**
 * `floe ingest api` (the HTTP ingestion API) and `floe ingest api-keys create|list|revoke`. The modules are
 * imported inside the actions, as ingest.ts does, so other commands do not load kafkajs at start-up.
 */

const KINDS = ["user-events", "product-metadata", "orders"] as const;
const num = z.coerce.number();

const apiFlags = z.object({
  host: z.string().min(1).default("127.0.0.1"),
  port: num.int().min(0).max(65_535).default(8686),
  topicPrefix: z.string().default(""),
  keysFile: z.string().min(1).default(".floe/api-keys.json"),
  spoolDir: z.string().min(1).default(".floe/api-spool"),
  spoolMaxMb: num.positive().default(256),
});

const createFlags = z.object({
  name: z.string().min(1),
  topics: z.array(z.enum(KINDS)).optional(),
  rate: num.positive().optional(),
  keysFile: z.string().min(1).default(".floe/api-keys.json"),
});

function renderApiEvent(e: IngestApiEvent): string {
  switch (e.kind) {
    case "listening":
      return `ingestion API on ${e.url} (POST /v1/events; spool ${e.spoolDir}, ${e.pending} events waiting for Kafka)`;
    case "forward-failed":
      return `  Kafka send failed (breaker ${e.breaker}; events stay spooled): ${e.error}`;
    case "reconciled":
      return `  reconciled with Kafka: ${e.alreadyInKafka} spooled events were already there (not sent again)`;
    case "draining":
      return `stopping: draining ${e.pending} spooled events into Kafka`;
    case "stopped":
      return e.pending === 0
        ? "stopped: spool drained"
        : `stopped with ${e.pending} events spooled; they are sent at the next start`;
  }
}

export function registerIngestApiCommands(ingest: FloeCommand): void {
  const { io } = ingest;
  ingest
    .command("api")
    .description("serve the HTTP ingestion API: POST /v1/events → durable spool → Kafka")
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--port <port>", "port (0 = any free port)", "8686")
    .option("--topic-prefix <prefix>", "prefix of the topic names", "")
    .option("--keys-file <file>", "the API key file", ".floe/api-keys.json")
    .option("--spool-dir <dir>", "the durable spool", ".floe/api-spool")
    .option("--spool-max-mb <mb>", "spool bound: beyond it requests get 503", "256")
    .handle(async (raw: Record<string, unknown>) => {
      const flags = parseFlags(apiFlags, raw, "ingest api");
      const { startIngestApi } = await import("../../ingest/http/server.js");
      const { readKeys } = await import("../../ingest/http/api-keys.js");
      const keysFile = resolve(io.cwd, flags.keysFile);
      if (!readKeys(keysFile).some((k) => !k.revokedAt)) {
        io.stderr(
          `warning: no active API key in ${keysFile}: every request gets 401 until one is created ` +
            "(floe ingest api-keys create --name <name>; a running API picks it up within a second)\n",
        );
      }
      const api = await startIngestApi({
        host: flags.host,
        port: flags.port,
        topicPrefix: flags.topicPrefix,
        keysFile,
        spoolDir: resolve(io.cwd, flags.spoolDir),
        spoolMaxBytes: Math.floor(flags.spoolMaxMb * 1024 * 1024),
        onEvent: (e) => io.stderr(`${renderApiEvent(e)}\n`),
      });
      // Graceful stop on SIGTERM/SIGINT: refuse new requests, finish running ones, drain the spool.
      await new Promise<void>((done) => {
        const stop = () => {
          process.off("SIGTERM", stop);
          process.off("SIGINT", stop);
          void api.close().then(done, done);
        };
        process.once("SIGTERM", stop);
        process.once("SIGINT", stop);
      });
      return 0;
    });

  const keys = ingest.command("api-keys").description("create, list and revoke ingestion API keys");
  keys
    .command("create")
    .description("create a key (printed once; only its hash is stored)")
    .requiredOption("--name <name>", "who the key is for")
    .option("--topics <topics...>", "topics it may send to (default: all)")
    .option("--rate <events/s>", "rate limit in events per second (default 20000)")
    .option("--keys-file <file>", "the API key file", ".floe/api-keys.json")
    .handle(async (raw: Record<string, unknown>) => {
      const flags = parseFlags(createFlags, raw, "ingest api-keys create");
      const { createKey } = await import("../../ingest/http/api-keys.js");
      const { secret, key } = createKey(resolve(io.cwd, flags.keysFile), {
        name: flags.name,
        ...(flags.topics ? { topics: flags.topics } : {}),
        ...(flags.rate !== undefined ? { rate: flags.rate } : {}),
      });
      io.stderr(
        `created ${key.id} "${key.name}" (topics ${key.topics?.join(", ") ?? "all"}, ${key.rate} events/s); ` +
          "the key is shown once:\n",
      );
      io.stdout(`${secret}\n`);
      return 0;
    });
  keys
    .command("list")
    .description("list keys (never the secrets)")
    .option("--keys-file <file>", "the API key file", ".floe/api-keys.json")
    .handle(async (raw: Record<string, unknown>) => {
      const flags = parseFlags(z.object({ keysFile: z.string().min(1) }), raw, "ingest api-keys list");
      const { readKeys } = await import("../../ingest/http/api-keys.js");
      const all = readKeys(resolve(io.cwd, flags.keysFile));
      if (all.length === 0) io.stderr("no API keys yet: floe ingest api-keys create --name <name>\n");
      for (const k of all) {
        io.stdout(
          `${k.id}  ${k.name}  topics=${k.topics?.join(",") ?? "all"}  rate=${k.rate}/s  created=${k.createdAt}` +
            `${k.revokedAt ? `  revoked=${k.revokedAt}` : ""}\n`,
        );
      }
      return 0;
    });
  keys
    .command("revoke")
    .description("revoke a key by name or id (a running API stops accepting it within a second)")
    .argument("<name-or-id>")
    .option("--keys-file <file>", "the API key file", ".floe/api-keys.json")
    .handle(async (nameOrId: string, raw: Record<string, unknown>) => {
      const flags = parseFlags(z.object({ keysFile: z.string().min(1) }), raw, "ingest api-keys revoke");
      const { revokeKey } = await import("../../ingest/http/api-keys.js");
      const key = revokeKey(resolve(io.cwd, flags.keysFile), nameOrId);
      io.stdout(`revoked ${key.id} "${key.name}"\n`);
      return 0;
    });
}
