import { CommanderError } from "commander";
import { CancelledError, UsageError } from "../core/errors.js";
import { registerCompletionCommand } from "./commands/completion.js";
import { registerDemoCommands } from "./commands/demo.js";
import { registerDepsCommand } from "./commands/deps.js";
import { registerDocsCommands } from "./commands/docs.js";
import { FloeCommand } from "./commands/floe-command.js";
import { registerIngestCommands } from "./commands/ingest.js";
import type { CliIO } from "./commands/io.js";
import { registerMaintainCommand } from "./commands/maintain.js";
import { registerCompileCommands } from "./commands/project-commands.js";
import { registerRunOperationCommand } from "./commands/run-operation.js";
import { registerRunnerCommands } from "./commands/runner-commands.js";
import { registerServeCommand } from "./commands/serve.js";
import { registerSourceCommands } from "./commands/source.js";
import { registerStackCommands } from "./commands/stack.js";
import { registerStreamCommand } from "./commands/stream.js";
import { registerValidateCommand } from "./commands/validate.js";
import { renderError, renderErrorJson } from "./log/render-error.js";

/**
 * The `floe` program. Commands are thin: they parse flags, call the programmatic API, write through
 * `program.io` and return an exit code. Each command module registers itself here; errors are rendered once,
 * below.
 */
export function buildProgram(io: CliIO, options: { readonly json?: boolean } = {}): FloeCommand {
  const program = new FloeCommand(io, "floe")
    .description("Floe — a lakehouse toolkit: Kafka → S3 → Trino → Iceberg, with dbt-style SQL models")
    .version("0.1.0")
    .showHelpAfterError(options.json ? false : "(run with --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
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
  registerDepsCommand(program);
  registerRunOperationCommand(program);
  registerIngestCommands(program);
  registerMaintainCommand(program);
  registerServeCommand(program);
  registerStreamCommand(program);
  registerCompletionCommand(program);
  return program;
}

/**
 * Runs the CLI and returns the exit code (0 ok, 1 a model/test/run failed, 2 usage, config or environment,
 * 3 an internal error, 130 Ctrl-C).
 * `io` defaults to this process's streams, environment and directory.
 */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const json = logFormatOf(argv) === "json";
  const program = buildProgram(io, { json });
  try {
    await program.parseAsync([...argv]);
    return program.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; commander already printed its message otherwise.
      return error.exitCode === 0 ? 0 : 2;
    }
    const shown = error instanceof TypeError && isUsage(error) ? new UsageError(error.message) : error;
    const { text, exitCode } = json ? renderErrorJson(shown) : renderError(shown);
    io.stderr(`${text}\n`);
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

/** The real process's IO: the only place the CLI writes to process.stdout and process.stderr. */
export function processIO(): CliIO {
  ignoreClosedStdout();
  return {
    stdout: (text) => {
      process.stdout.write(text);
    },
    stderr: (text) => {
      process.stderr.write(text);
    },
    env: process.env,
    cwd: process.cwd(),
    stdoutIsTTY: process.stdout.isTTY === true,
    ...(process.stdin.isTTY ? { ask: askOnTerminal } : {}),
  };
}

/**
 * One line from the terminal; the question goes to stderr so piped stdout stays the command's output.
 * Ctrl-D (end of input) answers nothing, i.e. the default; Ctrl-C cancels the command (exit 130).
 */
async function askOnTerminal(question: string): Promise<string> {
  const { createInterface } = await import("node:readline/promises");
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  const answer = terminal.question(question);
  // Closing the terminal below rejects a pending question: settled here, so never unhandled.
  answer.catch(() => undefined);
  const interrupted = new Promise<never>((_, reject) =>
    terminal.once("SIGINT", () =>
      reject(new CancelledError("Cancelled by the user (Ctrl-C); nothing was done.")),
    ),
  );
  try {
    return await Promise.race([answer, interrupted]);
  } catch (error) {
    if (error instanceof Error && error.name === "AbortError") return "";
    throw error;
  } finally {
    terminal.close();
  }
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
