import { registerBuildCommand } from "./build.js";
import { registerDebugCommand } from "./debug.js";
import type { FloeCommand } from "./floe-command.js";
import { registerRetryCommand } from "./retry.js";
import { registerRunCommand } from "./run.js";
import { registerSeedCommand, registerSnapshotCommand } from "./seed.js";
import { registerShowCommand } from "./show.js";
import { registerTestCommand } from "./test.js";

/** The commands that run against Trino: run, test, seed, snapshot, build, retry, show, debug. */
export function registerRunnerCommands(program: FloeCommand): void {
  registerRunCommand(program, "run");
  registerTestCommand(program);
  registerSeedCommand(program);
  registerSnapshotCommand(program);
  registerBuildCommand(program);
  registerRetryCommand(program);
  registerShowCommand(program);
  registerDebugCommand(program);
}
