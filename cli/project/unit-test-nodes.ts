import { closestName } from "../../core/closest-name.js";
import type { UnitTestGiven, UnitTestNode, UnitTestRows } from "../manifest/manifest.js";
import type { BuildContext } from "./build-context.js";
import { shortHash, stableStringify } from "./hashing.js";
import type { PropertyFiles } from "./property-files.js";
import { yamlError } from "./yaml-file.js";

/**
 * Unit tests (dbt 1.8's `unit_tests:` in property files) → `unit_test` nodes in `manifest.unit_tests`.
 * Each `given` input is resolved here to the node it stands for, and must be one the model reads (dbt's
 * rule too: a fixture for something the model never reads is a mistake, not a no-op).
 */
export function addUnitTests(ctx: BuildContext, propertyFiles: PropertyFiles): Record<string, UnitTestNode> {
  const out: Record<string, UnitTestNode> = {};
  const project = ctx.projectName;
  for (const { file, content } of propertyFiles.files) {
    (content.unit_tests ?? []).forEach((entry, index) => {
      const at = (...rest: PropertyKey[]) => ["unit_tests", index, ...rest];
      const fail = (path: readonly PropertyKey[], message: string, hint: string) =>
        yamlError(file.path, file.text, path, message, hint);
      if (entry.config?.enabled === false) return;
      // A disabled model's unit tests are off with it (as in dbt).
      if (ctx.disabled.has(entry.model)) return;
      const modelId = ctx.idOf(entry.model);
      const model = modelId === undefined ? undefined : ctx.nodes[modelId];
      if (model?.resource_type !== "model") {
        const models = Object.values(ctx.nodes)
          .filter((n) => n.resource_type === "model")
          .map((n) => n.name);
        const suggestion = closestName(entry.model, models);
        throw fail(
          at("model"),
          `unit test '${entry.name}' tests '${entry.model}', which is not a model`,
          suggestion ? `did you mean model: ${suggestion}?` : "name a model of this project under model:.",
        );
      }
      const id = `unit_test.${project}.${model.name}.${entry.name}`;
      if (out[id]) {
        throw fail(
          at("name"),
          `model '${model.name}' has two unit tests named '${entry.name}'`,
          "give each unit test of a model its own name.",
        );
      }
      const given = entry.given.map((g, i): UnitTestGiven => {
        const node = resolveInput(ctx, g.input, model.unique_id, model.depends_on.nodes, (m, h) =>
          fail(at("given", i, "input"), m, h),
        );
        return { input: g.input, node, fixture: fixtureOf(g, (m, h) => fail(at("given", i), m, h)) };
      });
      const seen = new Set<string>();
      given.forEach((g, i) => {
        if (seen.has(g.node)) {
          throw fail(
            at("given", i, "input"),
            `${g.input} is given twice in unit test '${entry.name}'`,
            "give each input once.",
          );
        }
        seen.add(g.node);
      });
      const expect = fixtureOf(entry.expect, (m, h) => fail(at("expect"), m, h));
      const overrides = {
        vars: entry.overrides?.vars ?? {},
        macros: entry.overrides?.macros ?? {},
        env_vars: Object.fromEntries(
          Object.entries(entry.overrides?.env_vars ?? {}).map(([k, v]) => [k, String(v)]),
        ),
      };
      const isIncremental = overrides.macros.is_incremental;
      if (isIncremental !== undefined && typeof isIncremental !== "boolean") {
        throw fail(
          at("overrides", "macros", "is_incremental"),
          "overrides.macros.is_incremental must be true or false",
          "write is_incremental: true to test the incremental branch.",
        );
      }
      const tags = listOf(entry.config?.tags);
      const yml = shortHash(stableStringify(entry));
      out[id] = {
        unique_id: id,
        resource_type: "unit_test",
        name: entry.name,
        package_name: project,
        original_file_path: file.path,
        path: file.path,
        fqn: [project, ...ctx.foldersOf(file), model.name, entry.name],
        checksum: { name: "sha256", checksum: yml },
        fingerprint: { body: yml, config: shortHash(stableStringify(entry.config ?? {})), macros: "", yml },
        description: entry.description ?? "",
        tags,
        depends_on: { nodes: [model.unique_id], macros: [] },
        patch_path: file.path,
        config: { enabled: true, tags, meta: entry.config?.meta ?? {} },
        model: model.name,
        attached_node: model.unique_id,
        given,
        expect,
        overrides,
        compiled_path: `${ctx.targetPath}/compiled/${project}/${file.path.replace(/\.ya?ml$/, "")}/${model.name}/${entry.name}.sql`,
      };
    });
  }
  return out;
}

type Fail = (message: string, hint: string) => Error;

const REF = /^ref\(\s*(['"])([^'"]+)\1\s*(?:,\s*(?:v|version)\s*=\s*['"]?(\d+)['"]?\s*)?\)$/;
const SOURCE = /^source\(\s*(['"])([^'"]+)\1\s*,\s*(['"])([^'"]+)\3\s*\)$/;

/** `ref('x')`, `source('s', 't')` or `this` → the unique_id it stands for (`this` for the model itself). */
function resolveInput(
  ctx: BuildContext,
  input: string,
  modelId: string,
  parents: readonly string[],
  fail: Fail,
): string {
  const text = input.trim();
  if (text === "this") return "this";
  let id: string | undefined;
  const ref = REF.exec(text);
  const source = SOURCE.exec(text);
  if (ref) {
    id = ref[3] === undefined ? ctx.idOf(ref[2] ?? "") : ctx.idOfVersion(ref[2] ?? "", Number(ref[3]));
    if (id === undefined)
      throw fail(`${input}: no model or seed is named '${ref[2]}'`, fixInput(ctx, parents));
  } else if (source) {
    id = `source.${ctx.projectName}.${source[2]}.${source[4]}`;
    if (!ctx.sources[id]) throw fail(`${input}: no such source table is declared`, fixInput(ctx, parents));
  } else {
    throw fail(
      `input '${input}' is not ref('name'), source('source', 'table') or this`,
      "write input: ref('stg_orders'), ref('dim', v=1) or source('raw', 'orders').",
    );
  }
  if (!parents.includes(id)) {
    throw fail(`${input} is not read by '${modelId.split(".").pop()}'`, fixInput(ctx, parents));
  }
  return id;
}

function fixInput(ctx: BuildContext, parents: readonly string[]): string {
  const names = parents.map((p) => {
    const source = ctx.sources[p];
    return source
      ? `source('${source.source_name}', '${source.table_name}')`
      : `ref('${p.split(".").pop()}')`;
  });
  return names.length === 0 ? "the model reads no ref or source." : `the model reads ${names.join(", ")}.`;
}

function fixtureOf(
  entry: { format?: "dict" | "csv" | "sql" | undefined; rows?: unknown },
  fail: Fail,
): UnitTestRows {
  const format = entry.format ?? "dict";
  if (format === "dict") {
    if (entry.rows === undefined) return { format, rows: [] };
    if (!Array.isArray(entry.rows)) {
      throw fail(
        "rows must be a list of mappings",
        "write rows: [{id: 1, status: paid}], or set format: csv.",
      );
    }
    return { format, rows: entry.rows as Record<string, unknown>[] };
  }
  if (typeof entry.rows !== "string") {
    throw fail(
      `format: ${format} takes its rows as text`,
      format === "csv"
        ? "write rows: | followed by a header line and one line per row."
        : "write rows: | followed by a select statement.",
    );
  }
  return { format, rows: entry.rows };
}

function listOf(value: string | readonly string[] | undefined): string[] {
  return value === undefined ? [] : typeof value === "string" ? [value] : [...value];
}
