import type { FloeCommand } from "./floe-command.js";
import { registerRunCommand } from "./run.js";

/** `floe seed`: the shared run command with the seed task. */
export function registerSeedCommand(program: FloeCommand): void {
  registerRunCommand(program, "seed");
}
