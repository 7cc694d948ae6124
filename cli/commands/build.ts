import type { Command } from "commander";
import { registerRunCommand } from "./run.js";

/** `floe build`: the shared run command with the build task. */
export function registerBuildCommand(program: Command): void {
  registerRunCommand(program, "build");
}
