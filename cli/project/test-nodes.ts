import { closestName } from "../../core/closest-name.js";
import { BUILTIN_TESTS } from "../data-tests/generic/builtin-tests.js";
import type { TestNode } from "../manifest/manifest.js";
import type { Program, SourceLocation } from "../templating/ast.js";
import { templateDependencies } from "../templating/dependencies.js";
import type { BuildContext } from "./build-context.js";
import { bodyFingerprint, sha256, shortHash, stableStringify } from "./hashing.js";
import { staticReferences } from "./model-nodes.js";
import { relativeTo, stem } from "./node-paths.js";
import type { NodeTemplate } from "./parsed-project.js";
import type { SourceText } from "./project-files.js";
import type { PropertyFiles } from "./property-files.js";
import { parseRelationshipTarget } from "./relationship-target.js";
import { duplicateTestError, type GenericTestSpec, parseTestEntry, type TestTarget } from "./test-entries.js";
import { yamlError } from "./yaml-file.js";
import type { ColumnEntry, TestEntry } from "./yml-schema.js";

/**
 * Test nodes: generic tests declared in yml (built-in or `tests/generic/<name>.sql`) and singular tests
 * (`tests/*.sql`). A large project has two or three generic tests per model, so the per-test work is kept
 * to what differs between tests; everything shared (configs, templates, custom-test macros) is computed once.
 */
interface CustomTest {
  readonly file: SourceText;
  readonly ast: Program;
  readonly template: NodeTemplate;
  readonly refs: readonly { name: string; loc?: SourceLocation }[];
  readonly macroNames: ReadonlySet<string>;
  readonly bodyPrint: string;
}

const BUILTIN_TEMPLATE: NodeTemplate = { kind: "builtin-test" };
const EMPTY_HASH = shortHash("");

export class TestBuilder {
  private readonly testNames = new Map<string, string>();
  private readonly customTests = new Map<string, { file: SourceText; ast: Program }>();
  private readonly customInfo = new Map<string, CustomTest>();

  constructor(private readonly ctx: BuildContext) {
    for (const file of ctx.files.genericTests) {
      this.customTests.set(stem(file.path), { file, ast: ctx.parse(file) });
    }
  }

  addYmlTests(propertyFiles: PropertyFiles): void {
    const ctx = this.ctx;
    const customTests = new Set(this.customTests.keys());
    for (const { file, content } of propertyFiles.files) {
      for (const kind of ["models", "seeds"] as const) {
        (content[kind] ?? []).forEach((entry, index) => {
          const id = ctx.idOf(entry.name);
          const attached = id === undefined ? undefined : ctx.nodes[id];
          if (!attached || attached.resource_type !== (kind === "models" ? "model" : "seed")) return;
          const target: TestTarget = { kind: kind === "models" ? "model" : "seed", label: entry.name };
          this.addTestsOf(entry, [kind, index], file, target, attached.unique_id, customTests);
        });
      }
      (content.sources ?? []).forEach((source, sourceIndex) => {
        source.tables.forEach((table, tableIndex) => {
          const id = `source.${ctx.packageOf(file)}.${source.name}.${table.name}`;
          const target: TestTarget = { kind: "source", label: `${source.name}_${table.name}` };
          this.addTestsOf(
            table,
            ["sources", sourceIndex, "tables", tableIndex],
            file,
            target,
            id,
            customTests,
          );
        });
      });
    }
  }

  private addTestsOf(
    entry: { tests?: TestEntry[]; data_tests?: TestEntry[]; columns?: ColumnEntry[] },
    path: readonly PropertyKey[],
    file: SourceText,
    target: TestTarget,
    attachedId: string,
    customTests: ReadonlySet<string>,
  ): void {
    const add = (
      tests: TestEntry[] | undefined,
      key: string,
      testPath: readonly PropertyKey[],
      column?: string,
    ) => {
      if (!tests) return;
      for (let i = 0; i < tests.length; i++) {
        const spec = parseTestEntry(tests[i] as TestEntry, {
          file: file.path,
          text: file.text,
          yamlPath: [...testPath, key, i],
          target,
          ...(column === undefined ? {} : { column }),
          customTests,
        });
        this.addGenericTest(spec, file, attachedId);
      }
    };
    add(entry.tests, "tests", path);
    add(entry.data_tests, "data_tests", path);
    (entry.columns ?? []).forEach((column, i) => {
      if (!column.tests && !column.data_tests) return;
      const columnPath = [...path, "columns", i];
      add(column.tests, "tests", columnPath, column.name);
      add(column.data_tests, "data_tests", columnPath, column.name);
    });
  }

  private checkTestName(name: string, file: string): void {
    const existing = this.testNames.get(name);
    if (existing !== undefined) throw duplicateTestError(name, file, existing);
    this.testNames.set(name, file);
  }

  /** A custom generic test's template, macros and refs: the same for every use of the test. */
  private custom(testName: string): CustomTest | undefined {
    const cached = this.customInfo.get(testName);
    if (cached) return cached;
    const custom = this.customTests.get(testName);
    if (!custom) return undefined;
    const deps = templateDependencies(custom.ast);
    const info: CustomTest = {
      ...custom,
      template: { kind: "custom-test", file: custom.file.path, ast: custom.ast },
      refs: deps.refs,
      macroNames: this.ctx.macros.closure(deps.partials, custom.file.path),
      bodyPrint: bodyFingerprint(custom.file.text),
    };
    this.customInfo.set(testName, info);
    return info;
  }

  private addGenericTest(spec: GenericTestSpec, file: SourceText, attachedId: string): void {
    const ctx = this.ctx;
    const configs = ctx.configs;
    const { config, hash: configHash } = configs.test([
      ...configs.treeLayers("test", file.package, [spec.name]),
      configs.internTestLayer(spec.config),
    ]);
    if (!config.enabled) return;
    this.checkTestName(spec.name, file.path);
    const projectName = ctx.packageOf(file);
    const id = `test.${projectName}.${spec.name}`;
    const parents = new Set<string>([attachedId]);
    if (spec.testName === "relationships") {
      parents.add(this.relationshipTarget(String(spec.kwargs.to), spec, file));
    }
    const custom = this.custom(spec.testName);
    if (custom) {
      for (const r of custom.refs)
        parents.add(
          ctx.resolveRef(
            { name: r.name, file: custom.file.path, ...(r.loc ? { loc: r.loc } : {}) },
            spec.name,
          ),
        );
    }
    const macroNames = custom ? [...custom.macroNames] : [];
    // Keys in sorted order, so stableStringify takes its native fast path.
    const definition = stableStringify({ column: spec.column, kwargs: spec.kwargs, test: spec.testName });
    const definitionHash = shortHash(definition);
    const node: TestNode = {
      unique_id: id,
      resource_type: "test",
      name: spec.name,
      package_name: projectName,
      original_file_path: file.path,
      path: `${spec.name}.sql`,
      fqn: [projectName, ...ctx.foldersOf(file), spec.name],
      checksum: { name: "sha256", checksum: sha256(definition) },
      fingerprint: {
        body: custom ? shortHash(definition + custom.bodyPrint) : definitionHash,
        config: configHash,
        macros: macroNames.length === 0 ? EMPTY_HASH : shortHash([...macroNames].sort().join(",")),
        yml: definitionHash,
      },
      description: "",
      tags: config.tags,
      depends_on: {
        nodes: parents.size === 1 ? [attachedId] : [...parents].sort(),
        macros: ctx.macros.use(new Set(macroNames)).ids,
      },
      config,
      test_metadata: { name: spec.testName, kwargs: spec.kwargs },
      attached_node: attachedId,
      // Always present (undefined when none; JSON drops it): a spread here sends all 20,000 test nodes
      // through V8's slow generic object construction.
      column_name: spec.column,
      store_failures_relation: ctx.storeFailuresRelation(spec.name, config.schema),
      compiled_path: `${ctx.compiledPath(file)}/${spec.name}.sql`,
    };
    ctx.nodes[id] = node;
    ctx.templates.set(id, custom ? custom.template : BUILTIN_TEMPLATE);
    if (!BUILTIN_TESTS[spec.testName] && !custom) throw new Error(`unreachable: test ${spec.testName}`);
  }

  /** `to: stg_customers`, `to: ref('stg_customers')` or `to: source('shop', 'customers')`. */
  private relationshipTarget(to: string, spec: GenericTestSpec, file: SourceText): string {
    const ctx = this.ctx;
    const parsed = parseRelationshipTarget(to);
    if (parsed.kind === "source") {
      const id = `source.${ctx.packageOf(file)}.${parsed.source}.${parsed.table}`;
      if (ctx.sources[id]) return id;
    } else {
      const found = ctx.idOf(parsed.name);
      if (found) return found;
    }
    const wanted = parsed.kind === "source" ? `${parsed.source}.${parsed.table}` : parsed.name;
    const candidates =
      parsed.kind === "source" ? Object.values(ctx.sources).map((s) => s.name) : [...ctx.names()];
    const suggestion = closestName(wanted, candidates);
    throw yamlError(
      file.path,
      file.text,
      [...spec.yamlPath, "to"],
      `relationships test: '${wanted}' is not a ${parsed.kind === "source" ? "declared source" : "model or seed"}`,
      suggestion
        ? `did you mean '${suggestion}'?`
        : "point to: at an existing model, e.g. to: ref('stg_customers').",
    );
  }

  addSingularTest(file: SourceText): void {
    const ctx = this.ctx;
    const name = stem(file.path);
    const ast = ctx.parse(file);
    const deps = templateDependencies(ast);
    const configs = ctx.configs;
    const { config, hash: configHash } = configs.test([
      ...configs.treeLayers("test", file.package, [...ctx.foldersOf(file), name]),
      ...configs.templateLayers(deps.configs, file.path, "test"),
    ]);
    if (!config.enabled) return;
    this.checkTestName(name, file.path);
    const pkg = ctx.packageOf(file);
    const id = `test.${pkg}.${name}`;
    const macroNames = ctx.macros.closure(deps.partials, file.path);
    const parents = new Set<string>();
    const { refs, sources } = staticReferences(ctx, deps, file.path, macroNames);
    for (const s of sources) parents.add(ctx.resolveSource(s, name, pkg));
    for (const r of refs) parents.add(ctx.resolveRef(r, name));
    const relative = relativeTo(file);
    const macros = ctx.macros.use(macroNames);
    const node: TestNode = {
      unique_id: id,
      resource_type: "test",
      name,
      package_name: pkg,
      original_file_path: file.path,
      path: relative,
      fqn: [pkg, ...ctx.foldersOf(file), name],
      checksum: { name: "sha256", checksum: file.hash },
      fingerprint: {
        body: bodyFingerprint(file.text),
        config: configHash,
        macros: shortHash(macros.prints),
        yml: EMPTY_HASH,
      },
      description: "",
      tags: config.tags,
      depends_on: { nodes: [...parents].sort(), macros: macros.ids },
      config,
      store_failures_relation: ctx.storeFailuresRelation(name, config.schema),
      compiled_path: ctx.compiledPath(file),
    };
    ctx.nodes[id] = node;
    ctx.templates.set(id, ctx.template(file, ast));
  }
}
