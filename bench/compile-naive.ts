/**
 * The naive baseline `bench:compile` compares Floe's compile with: one `Handlebars.compile` and render per
 * model file of a Floe project, the macros registered as partials, `ref`/`config`/`var` as trivial
 * helpers — no yml, no tests, no manifest, nothing written. What reading and rendering the templates costs
 * with nothing else done. Run as its own process: `node dist/bench/compile-naive.js <project dir>`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import Handlebars from "handlebars";

function sqlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".sql"))
    .map((e) => join(e.parentPath, e.name));
}

const dir = process.argv[2];
if (!dir) throw new Error("usage: compile-naive.js <floe project dir>");
const vars: Record<string, unknown> = { start_date: "2024-01-01" };
const handlebars = Handlebars.create();
handlebars.registerHelper("ref", (name: string) => `"iceberg"."bench"."${name}"`);
handlebars.registerHelper("config", () => "");
handlebars.registerHelper("var", (name: string) => vars[name]);
for (const path of sqlFiles(join(dir, "macros"))) {
  handlebars.registerPartial(basename(path, ".sql"), readFileSync(path, "utf8"));
}
let models = 0;
let chars = 0;
for (const path of sqlFiles(join(dir, "models"))) {
  const sql = handlebars.compile(readFileSync(path, "utf8"), { noEscape: true })({});
  models++;
  chars += sql.length;
}
process.stdout.write(`naive: rendered ${models} models (${chars} characters of SQL)\n`);
