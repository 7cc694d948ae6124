import type { FloeCommand } from "./floe-command.js";
import { registerRunCommand } from "./run.js";

/** `floe build`: the shared run command with the build task. */
export function registerBuildCommand(program: FloeCommand): void {
  registerRunCommand(program, "build");
}
