import { resolve } from "node:path";
import type { FloeCommand } from "./floe-command.js";

/** `floe deps`: install packages.yml's packages into the packages install path and write package-lock.yml. */
export function registerDepsCommand(program: FloeCommand): void {
  const { io } = program;
  program
    .command("deps")
    .description("install the packages in packages.yml (into floe_packages/) and write package-lock.yml")
    .option("--project-dir <dir>", "the Floe project directory (holds floe_project.yml)")
    .handle(async (flags: { projectDir?: string }) => {
      const { installPackages } = await import("../packages/install-packages.js");
      const result = await installPackages(resolve(io.cwd, flags.projectDir ?? "."));
      if (result.noPackages && result.packages.length === 0 && result.removed.length === 0) {
        io.stdout("No packages in packages.yml: nothing to install.\n");
        return 0;
      }
      for (const p of result.packages) {
        const what = p.action === "installed" ? "Installed" : "Up to date:";
        io.stdout(`${what} ${p.name} from ${p.source} (sha256 ${p.sha256.slice(0, 12)})\n`);
      }
      for (const name of result.removed) io.stdout(`Removed ${name} (no longer in packages.yml)\n`);
      io.stdout(
        result.upToDate
          ? "package-lock.yml is up to date; nothing changed.\n"
          : `Wrote package-lock.yml (${result.packages.length} package${result.packages.length === 1 ? "" : "s"} in ${result.installPath}/).\n`,
      );
      return 0;
    });
}
