import type { FloeCommand } from "./floe-command.js";
import { registerRunCommand } from "./run.js";

/** `floe seed`: the shared run command with the seed task. */
export function registerSeedCommand(program: FloeCommand): void {
  registerRunCommand(program, "seed");
}

/** `floe snapshot`: the shared run command with the snapshot task. */
export function registerSnapshotCommand(program: FloeCommand): void {
  registerRunCommand(program, "snapshot");
}
