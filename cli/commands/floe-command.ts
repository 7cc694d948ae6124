import { Command } from "commander";
import type { CliIO, ExitCode } from "./io.js";

/**
 * A commander Command that carries the CLI's IO to every subcommand and hands the exit code
 * its handler returns back to `main` (commander awaits an action but drops its result). `command(...)` on
 * it makes another FloeCommand, so a command module writes `.handle(async (flags) => { …; return code; })`
 * and prints through `program.io`.
 */
export class FloeCommand extends Command {
  readonly io: CliIO;
  readonly #outcome: { exitCode: ExitCode };

  constructor(io: CliIO, name?: string, outcome: { exitCode: ExitCode } = { exitCode: 0 }) {
    super(name);
    this.io = io;
    this.#outcome = outcome;
  }

  override createCommand(name?: string): FloeCommand {
    return new FloeCommand(this.io, name, this.#outcome);
  }

  /**
   * Commander's `action` for a handler that returns the command's exit code (commander's own `action`
   * would drop it): the one way Floe's commands register what they do.
   */
  handle<A extends unknown[]>(run: (...args: A) => ExitCode | Promise<ExitCode>): this {
    return this.action(async (...args: unknown[]) => {
      this.#outcome.exitCode = await run(...(args as A));
    });
  }

  /** What the handler that ran returned (0 when none ran, e.g. `floe --help`). */
  get exitCode(): ExitCode {
    return this.#outcome.exitCode;
  }
}
