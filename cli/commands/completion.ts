import type { Command } from "commander";
import { flagParser, oneOf } from "./flag-values.js";
import type { FloeCommand } from "./floe-command.js";

/**
 * `floe completion bash|zsh`: a shell completion script generated from the commander tree when it runs,
 * so every command and flag registered in `cli/main.ts` completes, and nothing is listed by hand to drift.
 * zsh gets the same function through zsh's bash-completion emulation (`bashcompinit`).
 */
export function registerCompletionCommand(program: FloeCommand): void {
  program
    .command("completion")
    .description('print a shell completion script: eval "$(floe completion bash)" (or zsh)')
    .argument("<shell>", "bash or zsh", flagParser("<shell>", oneOf(["bash", "zsh"], "bash")))
    .handle((shell: "bash" | "zsh") => {
      program.io.stdout(completionScript(program, shell));
      return 0;
    });
}

interface CompletionEntry {
  /** The subcommand words after `floe` ("" for floe itself, "stack up"). */
  readonly path: string;
  /** What may follow: subcommand names, then flags. */
  readonly words: readonly string[];
}

/** Every command path of the tree with the subcommands and flags it accepts. */
export function completionEntries(program: Command): CompletionEntry[] {
  const entries: CompletionEntry[] = [];
  const visit = (command: Command, path: string) => {
    const subcommands = command.commands.map((c) => c.name());
    const flags = command.options.flatMap((o) => [o.long, o.short]).filter((f): f is string => !!f);
    entries.push({ path, words: [...subcommands, ...flags, "--help"] });
    for (const sub of command.commands) visit(sub, path === "" ? sub.name() : `${path} ${sub.name()}`);
  };
  visit(program, "");
  return entries;
}

export function completionScript(program: Command, shell: "bash" | "zsh"): string {
  const entries = completionEntries(program);
  const known = entries.map((e) => e.path).join("|");
  const cases = entries
    .map((e) => `    "${e.path}") words="${[...new Set(e.words)].join(" ")}" ;;`)
    .join("\n");
  const bash = `# floe completion (${shell}), generated from floe's commands and flags.
# Load it now with: eval "$(floe completion ${shell})"; or add that line to ~/.${shell}rc.
_floe() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" candidate words i
  # The command path: the words so far that name a subcommand (flag values are skipped).
  for ((i = 1; i < COMP_CWORD; i++)); do
    candidate="\${path:+$path }\${COMP_WORDS[i]}"
    case "|${known}|" in *"|$candidate|"*) path="$candidate" ;; esac
  done
  case "$path" in
${cases}
    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _floe floe
`;
  return shell === "zsh"
    ? `autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n${bash}`
    : bash;
}
