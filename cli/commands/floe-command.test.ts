import { describe, expect, it } from "vitest";
import { recordingIO } from "../testing/recording-io.js";
import { FloeCommand } from "./floe-command.js";

describe("FloeCommand", () => {
  it("gives every subcommand the IO and returns a nested handler's exit code at the root", async () => {
    const io = recordingIO();
    const program = new FloeCommand(io, "floe").exitOverride();
    const group = program.command("source");
    group
      .command("freshness")
      .option("--stale")
      .handle(async (flags: { stale?: boolean }) => {
        group.io.stdout("checked\n");
        return flags.stale ? 1 : 0;
      });
    expect(group.io).toBe(io);
    await program.parseAsync(["node", "floe", "source", "freshness", "--stale"]);
    expect(program.exitCode).toBe(1);
    expect(io.stdoutText()).toBe("checked\n");
  });
});
