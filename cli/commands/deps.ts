import { resolve } from "node:path";
import { Option } from "commander";
import { flagParser, oneOf } from "./flag-values.js";
import type { FloeCommand } from "./floe-command.js";

/** `floe deps`: install packages.yml's packages into the packages install path and write package-lock.yml. */
export function registerDepsCommand(program: FloeCommand): void {
  const { io } = program;
  program
    .command("deps")
    .description("install the packages in packages.yml (into floe_packages/) and write package-lock.yml")
    .option("--project-dir <dir>", "the Floe project directory (holds floe_project.yml)")
    .addOption(
      new Option("--log-format <format>", "text, or json (one event per line)")
        .choices(["text", "json"])
        .default("text")
        .argParser(flagParser("--log-format", oneOf(["text", "json"], "json"))),
    )
    .handle(async (flags: { projectDir?: string; logFormat: "text" | "json" }) => {
      const { installPackages } = await import("../packages/install-packages.js");
      const result = await installPackages(resolve(io.cwd, flags.projectDir ?? "."));
      const json = flags.logFormat === "json";
      const emit = (event: string, text: string, data: Record<string, unknown>) =>
        io.stdout(
          json ? `${JSON.stringify({ event, level: "info", message: text, ...data })}\n` : `${text}\n`,
        );
      if (result.noPackages && result.packages.length === 0 && result.removed.length === 0) {
        emit("deps.done", "No packages in packages.yml: nothing to install.", {
          packages: 0,
          up_to_date: true,
        });
        return 0;
      }
      for (const p of result.packages) {
        const what = p.action === "installed" ? "Installed" : "Up to date:";
        emit("deps.package", `${what} ${p.name} from ${p.source} (sha256 ${p.sha256.slice(0, 12)})`, {
          name: p.name,
          source: p.source,
          action: p.action,
          sha256: p.sha256,
        });
      }
      for (const name of result.removed) {
        emit("deps.removed", `Removed ${name} (no longer in packages.yml)`, { name });
      }
      const count = result.packages.length;
      emit(
        "deps.done",
        result.upToDate
          ? "package-lock.yml is up to date; nothing changed."
          : `Wrote package-lock.yml (${count} package${count === 1 ? "" : "s"} in ${result.installPath}/).`,
        { packages: count, up_to_date: result.upToDate },
      );
      return 0;
    });
}
