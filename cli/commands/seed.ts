import type { Command } from "commander";
import { registerRunCommand } from "./run.js";

/** `floe seed`: the shared run command with the seed task. */
export function registerSeedCommand(program: Command): void {
  registerRunCommand(program, "seed");
}
