import { spawn } from "node:child_process";
import { Option } from "commander";
import { UsageError } from "../../core/errors.js";
import type { ServiceStatus, StackEvent } from "../../stack/launcher.js";
import { stackPaths } from "../../stack/paths.js";
import { SERVICES, SHOP_DB, serviceByName, shopDbUrl } from "../../stack/services.js";
import { flagParser, positiveInt } from "./flag-values.js";
import type { FloeCommand } from "./floe-command.js";
import type { CliIO } from "./io.js";

/**
 * The launcher (and through it kafkajs, for health checks) loads only when a stack command runs: every
 * `floe` invocation registers these commands, and compile/parse must not pay for their imports.
 */
const launcher = () => import("../../stack/launcher.js");
const shopDb = () => import("../../stack/shop-db.js");

const mib = (bytes = 0) => `${Math.round(bytes / 1024 / 1024)} MiB`;

export function renderStatusLine(s: ServiceStatus): string {
  const mark = s.state === "healthy" ? "✔" : s.state === "stopped" ? "·" : "✖";
  const detail = [
    s.pid ? `pid ${s.pid}` : undefined,
    s.rssBytes ? mib(s.rssBytes) : undefined,
    s.startSeconds !== undefined ? `ready in ${s.startSeconds.toFixed(1)}s` : undefined,
    s.alreadyRunning ? "already running" : undefined,
    s.external ? "external, FLOE_REDIS_URL" : undefined,
  ]
    .filter(Boolean)
    .join(", ");
  return `${mark} ${s.name.padEnd(13)} ${s.state.padEnd(9)} ${s.url.padEnd(31)}${detail ? ` (${detail})` : ""}`;
}

function renderEvent(e: StackEvent): string | undefined {
  switch (e.kind) {
    case "install":
      if (e.phase === "download") return `  fetching ${e.service} from Maven Central…`;
      if (e.phase === "unpack") return `  unpacking ${e.service} (${(e.elapsedMs / 1000).toFixed(0)}s)`;
      if (e.phase === "done") return `  installed ${e.service} (${(e.elapsedMs / 1000).toFixed(0)}s)`;
      return undefined;
    case "starting":
      return `  starting ${e.service} (pid ${e.pid})`;
    case "waiting":
      return `  waiting for ${e.pending.join(", ")} (${(e.elapsedMs / 1000).toFixed(0)}s)`;
    case "ready":
      return undefined;
  }
}

/**
 * Deleting the stack's data loses every table, topic and file in it: on a terminal, ask (y/N, default no);
 * elsewhere (CI, a pipe) there is nobody to ask, so only `--yes` deletes. False when the user declined.
 */
async function confirmDataDeletion(io: CliIO, command: string, yes: boolean): Promise<boolean> {
  if (yes) return true;
  const where = stackPaths(io.env).data;
  if (!io.ask) {
    throw new UsageError(
      `floe ${command} deletes all data of the local stack in ${where} (tables, topics, files), and there is no terminal to confirm it on.`,
      { hint: `pass --yes to delete without asking: floe ${command} --yes.` },
    );
  }
  const answer = await io.ask(
    `Delete all data of the local stack in ${where} (Iceberg tables, Kafka topics, S3 files)? [y/N] `,
  );
  if (/^\s*y(es)?\s*$/i.test(answer)) return true;
  io.stdout("Nothing deleted.\n");
  return false;
}

export function registerStackCommands(program: FloeCommand): void {
  const { io } = program;
  const stack = program
    .command("stack")
    .description(
      "the local lakehouse stack: S3, Iceberg REST, Kafka, Trino, the shop's PostgreSQL, Redis, Kafka Connect + Debezium",
    );

  stack
    .command("up")
    .description("download (once), start and health-check every service; idempotent")
    .handle(async () => {
      const timeout = Number(io.env.FLOE_STACK_TIMEOUT ?? 240);
      const statuses = await (await launcher()).stackUp({
        timeoutMs: timeout * 1000,
        onEvent: (e) => {
          const line = renderEvent(e);
          if (line) io.stderr(`${line}\n`);
        },
      });
      for (const s of statuses) io.stdout(`${renderStatusLine(s)}\n`);
      return 0;
    });

  stack
    .command("down")
    .description("stop the services started by `stack up` (data is kept)")
    .option("--purge", "also delete all stack data (tables, topics, files)")
    .option("-y, --yes", "with --purge: delete without asking")
    .handle(async (opts: { purge?: boolean; yes?: boolean }) => {
      if (opts.purge && !(await confirmDataDeletion(io, "stack down --purge", opts.yes === true))) return 1;
      // The stack of io.env's FLOE_STACK_DIR, the one the question named (not whatever process.env says).
      const results = await (await launcher()).stackDown({
        purge: opts.purge === true,
        paths: stackPaths(io.env),
      });
      for (const r of results) io.stdout(`${r.name.padEnd(13)} ${r.result}\n`);
      if (opts.purge) io.stdout("stack data deleted\n");
      return 0;
    });

  stack
    .command("reset")
    .description("stop the stack and delete its data (downloads are kept); asks first unless --yes")
    .option("-y, --yes", "delete without asking")
    .handle(async (opts: { yes?: boolean }) => {
      if (!(await confirmDataDeletion(io, "stack reset", opts.yes === true))) return 1;
      await (await launcher()).stackDown({ purge: true, paths: stackPaths(io.env) });
      io.stdout("stack stopped and data deleted\n");
      return 0;
    });

  stack
    .command("status")
    .description("one line per service; exits 1 unless all are healthy")
    .option("--json", "print JSON")
    .handle(async (opts: { json?: boolean }) => {
      const statuses = await (await launcher()).stackStatus();
      if (opts.json) io.stdout(`${JSON.stringify(statuses, null, 2)}\n`);
      else for (const s of statuses) io.stdout(`${renderStatusLine(s)}\n`);
      return statuses.some((s) => s.state !== "healthy") ? 1 : 0;
    });

  stack
    .command("logs")
    .description("print (or follow) a service's log")
    .argument("[service]", `one of ${SERVICES.map((s) => s.name).join(", ")}`, "trino")
    .addOption(
      new Option("-n, --lines <n>", "lines to print")
        .default("50")
        .argParser(flagParser("--lines", positiveInt("200"))),
    )
    .option("-f, --follow", "keep printing new lines")
    .handle(async (service: string, opts: { lines: number | string; follow?: boolean }) => {
      const spec = serviceByName(service);
      if (!spec) {
        throw new UsageError(`Unknown service "${service}".`, {
          hint: `use one of ${SERVICES.map((s) => s.name).join(", ")}`,
        });
      }
      const file = (await launcher()).logFile(stackPaths(io.env), spec.name);
      const args = ["-n", String(opts.lines), ...(opts.follow ? ["-F"] : []), file];
      await new Promise<void>((resolve) => {
        const tail = spawn("tail", args, { stdio: ["ignore", "pipe", "pipe"] });
        tail.stdout.setEncoding("utf8").on("data", io.stdout);
        tail.stderr.setEncoding("utf8").on("data", io.stderr);
        tail.on("close", () => resolve());
      });
      return 0;
    });

  stack
    .command("cdc-teardown")
    .description(
      `drop Debezium's replication slot ${SHOP_DB.slot} and the publication ${SHOP_DB.publication} so no slot pins WAL`,
    )
    .option(
      "--db-url <url>",
      "the shop database to clean (default: FLOE_SHOP_DB_URL, else the local stack's); stop its connector first",
    )
    .handle(async (opts: { dbUrl?: string }) => {
      const url = opts.dbUrl ?? shopDbUrl(io.env);
      // The local stack's own connector holds the slot: stop it (and forget its offsets) first.
      if (opts.dbUrl === undefined && io.env.FLOE_SHOP_DB_URL === undefined) {
        const stopped = await (await launcher()).stopLocalCdc({ paths: stackPaths(io.env) });
        io.stdout(`connect       ${stopped}\n`);
      }
      const result = await (await shopDb()).teardownCdc(url);
      io.stdout(
        `slot ${SHOP_DB.slot}: ${result.slot}\npublication ${SHOP_DB.publication}: ${result.publication}\n`,
      );
      return 0;
    });
}
