import { join, resolve } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../../core/write-file-atomic.js";
import { PORTS } from "../../stack/services.js";
import { renderDemoReport } from "../demo/render-demo-report.js";
import { textLogger } from "../log/text-logger.js";
import { parseFlags } from "./flag-values.js";
import type { FloeCommand } from "./floe-command.js";
import { renderStatusLine } from "./stack.js";

const demoFlags = z.object({
  events: z.coerce.number().int().positive().default(100_000),
  seed: z.coerce.number().int().default(42),
  reload: z.boolean().default(false),
  shopDb: z.boolean().default(true),
  threads: z.coerce.number().int().positive().optional(),
  projectDir: z.string().default("."),
});

/**
 * `floe demo` (what `npm start` runs): the main job end to end on this machine — stack up, a fixed demo
 * shop through Kafka and the sink into raw tables, `floe build`, and a short report. The logic lives in
 * `cli/demo/run-demo.ts`.
 */
export function registerDemoCommands(program: FloeCommand): void {
  const { io } = program;
  program
    .command("demo")
    .description("start the local stack and run the shop pipeline end to end (what `npm start` runs)")
    .option("--events <n>", "messages the demo shop publishes", "100000")
    .option("--seed <s>", "generator seed", "42")
    .option("--reload", "reload the events even when the same demo load is already there")
    .option(
      "--no-shop-db",
      "leave out the shop database: no PostgreSQL writes, no CDC topics, the CDC models off (var shop_db)",
    )
    .option("--threads <n>", "models/tests built at once (default: the profile's threads)")
    .option("--project-dir <dir>", "the Floe project to build", ".")
    .handle(async (raw: Record<string, unknown>) => {
      const flags = parseFlags(demoFlags, raw, "demo");
      const began = performance.now();
      io.stderr("Starting the local stack (the first run downloads ~700 MB from Maven Central)…\n");
      // Imported here so other commands do not load the launcher, kafkajs or the AWS SDK at startup.
      const { stackUp } = await import("../../stack/launcher.js");
      const { runDemo } = await import("../demo/run-demo.js");
      const statuses = await stackUp({
        onEvent: (e) => {
          if (e.kind === "install" && e.phase === "download") io.stderr(`  fetching ${e.service}…\n`);
          if (e.kind === "install" && e.phase === "done") io.stderr(`  installed ${e.service}\n`);
          if (e.kind === "waiting") io.stderr(`  waiting for ${e.pending.join(", ")}…\n`);
        },
      });
      for (const s of statuses) io.stdout(`${renderStatusLine(s)}\n`);
      const stackSeconds = (performance.now() - began) / 1000;

      const projectDir = resolve(io.cwd, flags.projectDir);
      const result = await runDemo({
        projectDir,
        settings: { events: flags.events, seed: flags.seed, shopDb: flags.shopDb },
        reload: flags.reload,
        ...(flags.threads !== undefined ? { threads: flags.threads } : {}),
        logger: textLogger(io.stdout),
        writeArtifact: (path, content) => writeFileAtomic(join(projectDir, path), content),
        onEvent: (e) => {
          if (e.kind === "phase") io.stderr(`\n== ${e.phase}\n`);
          else if (e.kind === "info") io.stderr(`  ${e.message}\n`);
          else io.stderr(`  ${e.phase} took ${e.seconds.toFixed(1)}s\n`);
        },
      });
      const total = (performance.now() - began) / 1000;
      io.stdout(renderDemoReport(result, { stackSeconds, totalSeconds: total, trinoPort: PORTS.trino }));
      return result.build.exitCode;
    });
}
