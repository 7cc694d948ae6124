/**
 * The synthetic projects `bench:compile` measures, one list of models written in two formats: Floe's
 * (Handlebars SQL + yml with two column tests each) and Dataform 2.x's (SQLX with a config block,
 * `${ref()}`, an include for the macro, `assertions: {nonNull, uniqueKey}` for the same two tests), so both
 * compilers read the same graph.
 *
 * Two shapes: `bench` (100 models per folder, one one-parameter macro) and `wide` (1,000 models per folder,
 * a `{{var}}` in every model and a macro with three parameters), the shape where a naive render costs most.
 */
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export type Shape = "bench" | "wide";

interface SyntheticModel {
  index: number;
  folder: string;
  name: string;
  refs: string[];
  materialized: "table" | "view";
}

export function modelPath(shape: Shape, index: number): { folder: string; name: string } {
  const perFolder = shape === "wide" ? 1000 : 100;
  return {
    folder: `group_${String(Math.floor(index / perFolder)).padStart(3, "0")}`,
    name: `model_${String(index).padStart(5, "0")}`,
  };
}

/** Deterministic (seeded) so every run, and both formats, see the same graph: 1–3 refs to earlier models. */
function syntheticModels(shape: Shape, count: number): SyntheticModel[] {
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const models: SyntheticModel[] = [];
  for (let i = 0; i < count; i++) {
    const refs = new Set<number>();
    const wanted = i === 0 ? 0 : 1 + Math.floor(random() * 3);
    while (refs.size < Math.min(wanted, i)) refs.add(Math.floor(random() * i));
    models.push({
      index: i,
      ...modelPath(shape, i),
      refs: [...refs].map((r) => modelPath(shape, r).name),
      materialized: i % 10 === 0 ? "table" : "view",
    });
  }
  return models;
}

/** The model's query, whichever format wrote its refs (`from`) and its macro call (`amount`). */
function selectBody(from: readonly string[], amount: string): string {
  if (from.length === 0) return "select 1 as id, 100 as amount";
  const joins = from.slice(1).map((f, k) => `join ${f} as t${k + 1} on t${k + 1}.id = t0.id`);
  return `select t0.id, ${amount} as amount\nfrom ${from[0]} as t0\n${joins.join("\n")}`;
}

function writer(dir: string): (path: string, content: string) => void {
  return (path, content) => {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  };
}

/** Floe's project: what `floe parse/compile` and the naive Handlebars baseline read. */
export function writeFloeProject(dir: string, shape: Shape, count: number): void {
  const write = writer(dir);
  const vars = shape === "wide" ? "vars:\n  start_date: '2024-01-01'\n" : "";
  write(
    "floe_project.yml",
    `name: bench\nprofile: bench\n${vars}models:\n  bench:\n    +materialized: view\n`,
  );
  write(
    "profiles.yml",
    "bench:\n  target: dev\n  outputs:\n    dev: {type: trino, host: localhost, port: 8080, user: bench, catalog: iceberg, schema: bench}\n",
  );
  write("macros/cents_to_dollars.sql", "cast({{column}} as decimal(18, 2)) / 100\n");
  if (shape === "wide") {
    write(
      "macros/safe_ratio.sql",
      "round(cast({{numerator}} as double) / nullif(cast({{denominator}} as double), 0), {{precision}})\n",
    );
  }
  let yml = "";
  const models = syntheticModels(shape, count);
  for (const m of models) {
    const from = m.refs.map((r) => `{{ref "${r}"}}`);
    const amount =
      shape === "wide"
        ? `{{> safe_ratio numerator="t0.amount" denominator="t0.id" precision=2}}`
        : `{{> cents_to_dollars column="t0.amount"}}`;
    const body = selectBody(from, amount);
    const where = shape === "wide" ? `where date '{{var "start_date"}}' <= current_date` : "where 1 = 1";
    write(
      `models/${m.folder}/${m.name}.sql`,
      `{{config materialized="${m.materialized}" tags="bench,t${m.index % 10}"}}\n-- synthetic model ${m.index}\n${body}\n${where}\n`,
    );
    yml += `  - name: ${m.name}\n    description: Synthetic model ${m.index}.\n    columns:\n      - name: id\n        tests: [not_null, unique]\n`;
    const next = models[m.index + 1];
    if (!next || next.folder !== m.folder) {
      write(`models/${m.folder}/schema.yml`, `version: 2\nmodels:\n${yml}`);
      yml = "";
    }
  }
}

/**
 * The same project in Dataform 2.x's format ("warehouse": "presto"). `@dataform/core` is resolved from the
 * project's node_modules, so `coreModules` (the bench's install) is linked there.
 */
export function writeDataformProject(dir: string, shape: Shape, count: number, coreModules: string): void {
  const write = writer(dir);
  const vars = shape === "wide" ? { vars: { start_date: "2024-01-01" } } : {};
  write(
    "dataform.json",
    `${JSON.stringify({ warehouse: "presto", defaultDatabase: "iceberg", defaultSchema: "bench", assertionSchema: "bench_assertions", ...vars }, null, 2)}\n`,
  );
  write("package.json", `${JSON.stringify({ dependencies: { "@dataform/core": "2.6.7" } })}\n`);
  symlinkSync(coreModules, join(dir, "node_modules"));
  write(
    "includes/macros.js",
    [
      "function cents_to_dollars(column) { return `cast(${column} as decimal(18, 2)) / 100`; }",
      "function safe_ratio(numerator, denominator, precision) {",
      "  return `round(cast(${numerator} as double) / nullif(cast(${denominator} as double), 0), ${precision})`;",
      "}",
      "module.exports = { cents_to_dollars, safe_ratio };",
      "",
    ].join("\n"),
  );
  for (const m of syntheticModels(shape, count)) {
    const from = m.refs.map((r) => `\${ref("${r}")}`);
    const amount =
      shape === "wide"
        ? `\${macros.safe_ratio("t0.amount", "t0.id", 2)}`
        : `\${macros.cents_to_dollars("t0.amount")}`;
    const body = selectBody(from, amount);
    const where =
      shape === "wide"
        ? "where date '${dataform.projectConfig.vars.start_date}' <= current_date"
        : "where 1 = 1";
    write(
      `definitions/${m.folder}/${m.name}.sqlx`,
      `config { type: "${m.materialized}", tags: ["bench", "t${m.index % 10}"], description: "Synthetic model ${m.index}.", assertions: { nonNull: ["id"], uniqueKey: ["id"] } }\n-- synthetic model ${m.index}\n${body}\n${where}\n`,
    );
  }
}
