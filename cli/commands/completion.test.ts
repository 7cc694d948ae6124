import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { buildProgram, main } from "../main.js";
import { recordingIO } from "../testing/recording-io.js";

/** What bash offers after typing `line` (the last word may be partial), with the script loaded. */
function complete(script: string, line: string): string[] {
  const words = line.split(" ");
  const shell = `${script}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}
_floe; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const result = spawnSync("bash", ["-c", shell], { encoding: "utf8" });
  expect(result.stderr).toBe("");
  return result.stdout.split("\n").filter((w) => w !== "");
}

describe("floe completion", () => {
  it("prints a bash script that completes commands, subcommands and flags from the commander tree", async () => {
    const io = recordingIO();
    expect(await main(["node", "floe", "completion", "bash"], io)).toBe(0);
    const script = io.stdoutText();
    expect(script).toContain("complete -o default -F _floe floe");
    const topLevel = buildProgram(recordingIO()).commands.map((c) => c.name());
    expect(complete(script, "floe ").sort()).toEqual(expect.arrayContaining(topLevel.sort()));
    expect(complete(script, "floe sta")).toEqual(["stack"]);
    expect(complete(script, "floe st").sort()).toEqual(["stack", "stream"]);
    expect(complete(script, "floe stack re")).toEqual(["reset"]);
    expect(complete(script, "floe stack reset --")).toEqual(["--yes", "--help"]);
    // A flag's value is not mistaken for a subcommand.
    expect(complete(script, "floe compile --project-dir stack --sel")).toEqual(["--select", "--selector"]);
  });

  it("zsh gets the same function through bashcompinit", async () => {
    const io = recordingIO();
    expect(await main(["node", "floe", "completion", "zsh"], io)).toBe(0);
    expect(io.stdoutText()).toMatch(
      /^autoload -U \+X compinit && compinit\nautoload -U \+X bashcompinit && bashcompinit\n/,
    );
    expect(io.stdoutText()).toContain("complete -o default -F _floe floe");
  });

  it("an unknown shell is a usage error naming the choices", async () => {
    const io = recordingIO();
    expect(await main(["node", "floe", "completion", "fish"], io)).toBe(2);
    expect(io.stderrText()).toContain("must be one of bash, zsh, got 'fish'");
  });
});

describe("floe --help", () => {
  it("lists every command", async () => {
    const io = recordingIO();
    expect(await main(["node", "floe", "--help"], io)).toBe(0);
    const help = io.stdoutText();
    const commands = buildProgram(recordingIO()).commands.map((c) => c.name());
    expect(commands).toEqual(
      expect.arrayContaining(["init", "compile", "run", "build", "stack", "completion"]),
    );
    for (const name of commands) expect(help).toMatch(new RegExp(`^  ${name}\\b`, "m"));
  });
});
