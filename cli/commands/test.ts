import type { FloeCommand } from "./floe-command.js";
import { registerRunCommand } from "./run.js";

/** `floe test`: the shared run command with the test task. */
export function registerTestCommand(program: FloeCommand): void {
  registerRunCommand(program, "test");
}
