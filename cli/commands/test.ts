import type { Command } from "commander";
import { registerRunCommand } from "./run.js";

/** `floe test`: the shared run command with the test task. */
export function registerTestCommand(program: Command): void {
  registerRunCommand(program, "test");
}
