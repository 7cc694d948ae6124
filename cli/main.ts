import { Command, CommanderError } from "commander";
import { UsageError } from "../core/errors.js";
import { registerDemoCommands } from "./commands/demo.js";
import { registerDocsCommands } from "./commands/docs.js";
import { registerIngestCommands } from "./commands/ingest.js";
import { registerCompileCommands } from "./commands/project-commands.js";
import { registerRunnerCommands } from "./commands/runner-commands.js";
import { registerSourceCommands } from "./commands/source.js";
import { registerStackCommands } from "./commands/stack.js";
import { registerValidateCommand } from "./commands/validate.js";
import { renderError, renderErrorJson } from "./log/render-error.js";

/**
 * The `floe` program. Commands are thin: they parse flags, call the programmatic API and render its
 * results. Each command module registers itself here; errors are rendered once, below.
 */
export function buildProgram(options: { readonly json?: boolean } = {}): Command {
  const program = new Command("floe")
    .description("Floe — a lakehouse toolkit: Kafka → S3 → Trino → Iceberg, with dbt-style SQL models")
    .version("0.1.0")
    .showHelpAfterError(options.json ? false : "(run with --help for usage)")
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      // Commander's own usage errors (unknown option, missing argument) follow --log-format too.
      ...(options.json
        ? {
            outputError: (message: string, write: (s: string) => void) =>
              write(
                `${renderErrorJson(new UsageError(message.trim().replace(/^error: /, ""), { hint: "run with --help for usage." })).text}\n`,
              ),
          }
        : {}),
    });
  registerStackCommands(program);
  registerCompileCommands(program);
  registerDemoCommands(program);
  registerRunnerCommands(program);
  registerSourceCommands(program);
  registerDocsCommands(program);
  registerValidateCommand(program);
  registerIngestCommands(program);
  return program;
}

/** Runs the CLI and returns the exit code (0 ok, 1 a model/test/run failed, 2 usage or environment). */
export async function main(argv: readonly string[]): Promise<number> {
  ignoreClosedStdout();
  const json = logFormatOf(argv) === "json";
  const program = buildProgram({ json });
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; commander already printed its message otherwise.
      return error.exitCode === 0 ? 0 : 2;
    }
    const shown = error instanceof TypeError && isUsage(error) ? new UsageError(error.message) : error;
    const { text, exitCode } = json ? renderErrorJson(shown) : renderError(shown);
    process.stderr.write(`${text}\n`);
    return exitCode;
  }
}

/** `--log-format json` or `--log-format=json` anywhere in argv: known before commander has parsed it. */
function logFormatOf(argv: readonly string[]): string | undefined {
  let format: string | undefined;
  argv.forEach((arg, i) => {
    if (arg === "--log-format") format = argv[i + 1];
    else if (arg.startsWith("--log-format=")) format = arg.slice("--log-format=".length);
  });
  return format;
}

function isUsage(error: Error): boolean {
  return error.message.startsWith("Invalid argument");
}

/**
 * `floe compile | head -1` closes the pipe before floe is done: that is the reader's choice, not an error.
 * The command carries on (a run must not stop half-way because its log went unread), its further output is
 * dropped, and the exit code stays the command's.
 */
let stdoutGuarded = false;
function ignoreClosedStdout(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
  });
}
