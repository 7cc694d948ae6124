import { closestName } from "../../core/closest-name.js";
import { ConfigError } from "../../core/errors.js";
import { quoteIdentifier, quoteRelation } from "../../trino/dialect.js";
import { BUILTIN_TESTS } from "../data-tests/generic/builtin-tests.js";
import type {
  ColumnInfo,
  ManifestNode,
  ModelNode,
  Relation,
  SeedNode,
  SnapshotNode,
  TestNode,
  UnitTestNode,
} from "../manifest/manifest.js";
import { type Batch, filteredRelation } from "../plan/microbatch.js";
import type { ParsedProject } from "../project/build-project.js";
import { parseRelationshipTarget } from "../project/relationship-target.js";
import type { Program } from "../templating/ast.js";
import { renderTemplate, type TemplateEnvironment } from "../templating/ast-render.js";
import { parseTemplate } from "../templating/parse-template.js";
import type { RenderState } from "../templating/render-state.js";
import { inputCte } from "./unit-test-sql.js";

/**
 * Renders nodes to SQL. Pure: a function of the parsed project and the options. Ephemeral models are
 * inlined as CTEs (`"__floe_cte__<name>"`) at the top of every query that refs them, nested ephemerals first.
 */
export interface RenderOptions {
  /** Render `{{#if (is_incremental)}}` branches (the runner passes true when the table exists). */
  readonly isIncremental?: boolean;
  /**
   * Microbatch: the batch being built. Refs and sources to inputs that declare an `event_time` read only the
   * batch's slice of them (dbt 1.9); inputs without one are read whole.
   */
  readonly batch?: Batch;
}

export const EPHEMERAL_PREFIX = "__floe_cte__";

export interface ReadOptions {
  /** `--empty`: every ref and source reads zero rows. */
  readonly empty?: boolean;
}

export class NodeRenderer {
  /** Rendered ephemeral bodies (without their own CTEs), shared by every node of one compile. */
  private readonly ephemeralBodies = new Map<string, { sql: string; ephemerals: readonly string[] }>();
  private readonly relations = new Map<string, string>();
  private byName: Map<string, ManifestNode> | undefined;
  private columnsByRelation: Map<string, readonly ColumnInfo[]> | undefined;

  /**
   * `deferred`: unique_id → the relation to render for `{{ref}}` instead of the node's own (`--defer`:
   * unselected, unbuilt upstream nodes read from the --state manifest's relations).
   */
  constructor(
    private readonly project: ParsedProject,
    private readonly deferred: ReadonlyMap<string, Relation> = new Map(),
    private readonly reading: ReadOptions = {},
  ) {}

  /**
   * How a ref or source reads its relation: as is, or under `--empty` as a subquery that returns no rows
   * (dbt's `(select * from x where false limit 0)`), so every model builds with its columns and no data.
   * Trino needs no alias on a derived table, so a template's own alias still follows it.
   */
  private read(relationSql: string): string {
    return this.reading.empty ? `(select * from ${relationSql} where false limit 0)` : relationSql;
  }

  render(node: ManifestNode, options: RenderOptions = {}): string {
    const { sql: body, ephemerals } = this.renderBody(node, options);
    // Lines holding only `{{config ...}}` would otherwise open the compiled SQL with blank lines.
    const sql = body.replace(/^(?:[ \t]*\r?\n)+/, "");
    return ephemerals.length === 0 ? sql : injectCtes(sql, this.cteList(ephemerals));
  }

  /**
   * Ad-hoc SQL (`floe show --inline`) rendered against the project: refs, sources, vars, macros and
   * ephemeral CTEs work as in a model; it declares no dependencies, so any ref is allowed.
   */
  renderInline(ast: Program, file: string): string {
    const ephemerals: string[] = [];
    const subject: RenderSubject = { resource_type: "inline", name: file, depends_on: { nodes: [] } };
    const state = this.state(subject, ephemerals, {});
    const sql = renderTemplate(this.project.environment, ast, file, {}, { floe: state });
    return ephemerals.length === 0 ? sql : injectCtes(sql, this.cteList(ephemerals));
  }

  /**
   * A macro rendered on its own with `args` as its arguments (`floe run-operation`): refs, sources, vars
   * and other macros work as in a model; it declares no dependencies, so any ref is allowed.
   */
  renderMacro(name: string, args: Readonly<Record<string, unknown>>): string {
    const partial = this.project.environment.partials.get(name);
    if (!partial) throw new Error(`unknown macro ${name}`);
    const ephemerals: string[] = [];
    const subject: RenderSubject = { resource_type: "inline", name, depends_on: { nodes: [] } };
    const state = this.state(subject, ephemerals, {});
    // Arguments as a call's own context (as `{{> name key=value}}` makes one), so floe_utils checks them.
    const context = Object.assign(Object.create({}), args);
    const sql = renderTemplate(this.project.environment, partial.ast, partial.file, context, { floe: state });
    if (ephemerals.length > 0) {
      throw new ConfigError(
        `macro '${name}' refs an ephemeral model, which exists only inside a model's query.`,
        {
          location: { file: partial.file },
          hint: "ref a table or view model, or make the model a view.",
        },
      );
    }
    return sql;
  }

  /**
   * A hook (pre/post_hook, on-run-start/end): a SQL template rendered with `context` at its root — a
   * model's `{{this}}`, or the run's `results` — and refs, sources, vars and macros as in a model. A hook
   * declares no dependencies, so any ref is allowed.
   */
  renderHook(text: string, file: string, context: object): string {
    const ephemerals: string[] = [];
    const subject: RenderSubject = { resource_type: "inline", name: file, depends_on: { nodes: [] } };
    const state = this.state(subject, ephemerals, {});
    const sql = renderTemplate(this.project.environment, parseTemplate(text, file), file, context, {
      floe: state,
    });
    return ephemerals.length === 0 ? sql : injectCtes(sql, this.cteList(ephemerals));
  }

  /** The root context of a model's hooks: `{{this}}` and its parts, as in the model, and `{{target}}`. */
  hookContext(node: ModelNode | SnapshotNode): object {
    return Object.assign(modelContext(node, false), { target: this.targetContext() });
  }

  /** `{{target.name}}`, `{{target.catalog}}`, `{{target.schema}}` in hooks. */
  targetContext(): { name: string; catalog: string; schema: string } {
    const { name, catalog, schema } = this.project.target;
    return { name, catalog, schema };
  }

  /**
   * A unit test's model SQL: every ref and source the model reads renders as its fixture CTE
   * (`inputCte`), `{{this}}` too when the test gives `this`; vars, env vars and macros overridden; the
   * incremental branch when `is_incremental` is overridden to true. Returns the SQL and the CTE of each
   * input (the model's parents, and `this` when given) by unique_id. `firstRun` renders the
   * non-incremental form (what `this` holds, so its columns and types).
   */
  renderUnitTest(
    test: UnitTestNode,
    options: { readonly firstRun?: boolean } = {},
  ): { sql: string; inputs: ReadonlyMap<string, string> } {
    const manifest = this.project.manifest;
    const model = manifest.nodes[test.attached_node];
    if (model?.resource_type !== "model") throw new Error(`unknown model ${test.attached_node}`);
    const template = this.project.templates.get(model.unique_id);
    if (template?.kind !== "template") throw new Error(`no template for ${model.unique_id}`);
    const inputs = new Map<string, string>();
    for (const parent of model.depends_on.nodes) {
      const source = manifest.sources[parent];
      const node = manifest.nodes[parent];
      // Two versions of one model read side by side get a CTE each.
      const version =
        node?.resource_type === "model" && node.version !== undefined ? `_v${node.version}` : "";
      const name = source
        ? `${source.source_name}__${source.table_name}`
        : `${node?.name ?? parent}${version}`;
      inputs.set(parent, inputCte(name));
    }
    const givesThis = test.given.some((g) => g.node === "this");
    if (givesThis) inputs.set("this", inputCte("this"));
    const { is_incremental: incremental, ...macros } = test.overrides.macros;
    const isIncremental =
      incremental === true && options.firstRun !== true && model.config.materialized === "incremental";
    const ephemerals: string[] = [];
    const state: RenderState = {
      ...this.state(model, ephemerals, { isIncremental }, (id) => quoteIdentifier(inputs.get(id) ?? id)),
      vars: { ...this.project.vars, ...test.overrides.vars },
      env: { ...this.project.env, ...test.overrides.env_vars },
    };
    const context = modelContext(model, isIncremental);
    const thisContext = givesThis
      ? { ...context, toString: () => quoteIdentifier(inputCte("this")) }
      : context;
    const sql = renderTemplate(
      overridePartials(this.project.environment, macros),
      template.ast,
      template.file,
      thisContext,
      {
        floe: state,
      },
    );
    return { sql: sql.replace(/^(?:[ \t]*\r?\n)+/, ""), inputs };
  }

  private cteList(direct: readonly string[]): string[] {
    // Depth-first so an ephemeral's own ephemerals come before it; each CTE once.
    const ordered: string[] = [];
    const seen = new Set<string>();
    const visit = (id: string) => {
      if (seen.has(id)) return;
      seen.add(id);
      const body = this.ephemeralBody(id);
      for (const inner of body.ephemerals) visit(inner);
      ordered.push(
        `${quoteIdentifier(EPHEMERAL_PREFIX + (this.project.manifest.nodes[id]?.name ?? id))} as (\n${body.sql.trim()}\n)`,
      );
    };
    for (const id of direct) visit(id);
    return ordered;
  }

  private ephemeralBody(id: string): { sql: string; ephemerals: readonly string[] } {
    let body = this.ephemeralBodies.get(id);
    if (!body) {
      const node = this.project.manifest.nodes[id];
      if (!node) throw new Error(`unknown node ${id}`);
      body = this.renderBody(node, {});
      this.ephemeralBodies.set(id, body);
    }
    return body;
  }

  private renderBody(
    node: ManifestNode,
    options: RenderOptions,
  ): { sql: string; ephemerals: readonly string[] } {
    const template = this.project.templates.get(node.unique_id);
    const ephemerals: string[] = [];
    if (node.resource_type === "seed") return { sql: "", ephemerals };
    const state = this.state(node, ephemerals, options);
    if (!template) throw new Error(`no template for ${node.unique_id}`);
    switch (template.kind) {
      case "template": {
        const context =
          node.resource_type === "model" || node.resource_type === "snapshot"
            ? modelContext(node, options.isIncremental === true)
            : {};
        const sql = renderTemplate(this.project.environment, template.ast, template.file, context, {
          floe: state,
        });
        return { sql: applyTestWrapping(node, sql), ephemerals };
      }
      case "builtin-test": {
        const test = node as TestNode;
        const builtin = BUILTIN_TESTS[test.test_metadata?.name ?? ""];
        if (!builtin || !test.test_metadata) throw new Error(`unknown builtin test for ${node.unique_id}`);
        const sql = builtin.sql({
          model: this.testModel(test, state),
          ...(test.column_name === undefined ? {} : { column: test.column_name }),
          kwargs: test.test_metadata.kwargs,
          resolve: (to) => {
            const target = parseRelationshipTarget(to);
            return target.kind === "source"
              ? state.source(target.source, target.table)
              : state.ref(target.name, undefined);
          },
        });
        return { sql: applyTestWrapping(node, sql), ephemerals };
      }
      case "custom-test": {
        const test = node as TestNode;
        const context = {
          ...(test.test_metadata?.kwargs ?? {}),
          model: this.testModel(test, state),
          column_name: test.column_name,
        };
        const sql = renderTemplate(this.project.environment, template.ast, template.file, context, {
          floe: state,
        });
        return { sql: applyTestWrapping(node, sql), ephemerals };
      }
    }
  }

  private latestVersions: Map<string, ManifestNode> | undefined;

  /**
   * A versioned model's latest version, which `{{ref "name"}}` reads (as dbt does); with `packageName`, only
   * that package's.
   */
  private latestVersion(name: string, packageName?: string): ManifestNode | undefined {
    if (!this.latestVersions) {
      this.latestVersions = new Map();
      for (const node of Object.values(this.project.manifest.nodes)) {
        if (
          node.resource_type === "model" &&
          node.version !== undefined &&
          node.version === node.latest_version
        ) {
          this.latestVersions.set(node.name, node);
          this.latestVersions.set(`${node.package_name}.${node.name}`, node);
        }
      }
    }
    return this.latestVersions.get(packageName === undefined ? name : `${packageName}.${name}`);
  }

  /** `"catalog"."schema"."identifier"` of a model or seed, quoted once per compile (tens of thousands of refs). */
  private relationSql(node: ModelNode | SeedNode | SnapshotNode): string {
    let sql = this.relations.get(node.unique_id);
    if (sql === undefined) {
      sql = quoteRelation(this.deferred.get(node.unique_id) ?? node.relation);
      this.relations.set(node.unique_id, sql);
    }
    return sql;
  }

  /** A model or seed by name alone, in any package (names are unique across the root project and packages). */
  private nodeNamed(name: string): ManifestNode | undefined {
    if (!this.byName) {
      this.byName = new Map();
      for (const node of Object.values(this.project.manifest.nodes)) {
        if (node.resource_type === "model" || node.resource_type === "seed") this.byName.set(node.name, node);
      }
    }
    return this.byName.get(name);
  }

  /** The declared columns behind a rendered relation (see RenderState.columnsOf), mapped once per compile. */
  private columnsOf(relation: string): readonly ColumnInfo[] | undefined {
    if (!this.columnsByRelation) {
      const map = new Map<string, readonly ColumnInfo[]>();
      const { nodes, sources } = this.project.manifest;
      for (const node of Object.values(nodes)) {
        if (node.resource_type !== "model" && node.resource_type !== "seed") continue;
        const columns = Object.values(node.columns);
        map.set(this.relationSql(node), columns);
        if (node.resource_type === "model" && node.config.materialized === "ephemeral") {
          map.set(quoteIdentifier(EPHEMERAL_PREFIX + node.name), columns);
        }
      }
      for (const source of Object.values(sources))
        map.set(quoteRelation(source.relation), Object.values(source.columns));
      this.columnsByRelation = map;
    }
    const columns = this.columnsByRelation.get(relation.trim());
    return columns && columns.length > 0 ? columns : undefined;
  }

  /**
   * The relation a generic test reads, as its own query reads it (data-tests/combine counts several tests
   * over it at once); undefined when it would need an ephemeral model's CTE.
   */
  testRelation(test: TestNode): string | undefined {
    const ephemerals: string[] = [];
    const relation = this.testModel(test, this.state(test, ephemerals, {}));
    return ephemerals.length === 0 ? relation : undefined;
  }

  /** The relation a generic test reads: its attached node, filtered by `where` as dbt does. */
  private testModel(test: TestNode, state: RenderState): string {
    const attached = test.attached_node ?? "";
    const source = this.project.manifest.sources[attached];
    const relation = source
      ? this.read(quoteRelation(source.relation))
      : state.ref(this.project.manifest.nodes[attached]?.name ?? attached, undefined);
    return test.config.where
      ? `(select * from ${relation} where ${test.config.where}) floe_subquery`
      : relation;
  }

  /** `substitute`: what a ref or source renders as instead of its relation (a unit test's fixtures). */
  private state(
    node: RenderSubject,
    ephemerals: string[],
    options: RenderOptions,
    substitute?: (uniqueId: string) => string,
  ): RenderState {
    const manifest = this.project.manifest;
    const projectName = manifest.metadata.project_name;
    // depends_on.nodes is short and sorted: `includes` beats building a Set per rendered node.
    const declared = node.depends_on.nodes;
    return {
      vars: this.project.vars,
      env: this.project.env,
      isIncremental:
        options.isIncremental === true &&
        node.resource_type === "model" &&
        node.config?.materialized === "incremental",
      columnsOf: (relation) => this.columnsOf(relation),
      ref: (name, packageName, version) => {
        const pkg = packageName ?? projectName;
        const target =
          version !== undefined
            ? manifest.nodes[`model.${pkg}.${name}.v${version}`]
            : packageName === undefined
              ? (manifest.nodes[`model.${projectName}.${name}`] ??
                manifest.nodes[`seed.${projectName}.${name}`] ??
                manifest.nodes[`snapshot.${projectName}.${name}`] ??
                this.latestVersion(name) ??
                this.nodeNamed(name))
              : (manifest.nodes[`model.${packageName}.${name}`] ??
                manifest.nodes[`seed.${packageName}.${name}`] ??
                manifest.nodes[`snapshot.${packageName}.${name}`] ??
                this.latestVersion(name, packageName));
        if (version !== undefined && !target) {
          throw new ConfigError(`{{ref "${name}" v=${version}}}: '${name}' declares no version ${version}.`, {
            hint: `declare - v: ${version} under versions: in '${name}''s yml, or ref a declared version.`,
          });
        }
        if (!target || target.resource_type === "test") {
          const names = Object.values(manifest.nodes)
            .filter((n) => n.resource_type !== "test")
            .filter((n) => packageName === undefined || n.package_name === packageName)
            .map((n) => n.name);
          const suggestion = closestName(name, names);
          const call = packageName === undefined ? `{{ref "${name}"}}` : `{{ref "${packageName}" "${name}"}}`;
          throw new ConfigError(
            `${call}: no model or seed is named '${name}'${packageName === undefined ? "" : ` in package '${packageName}'`}.`,
            {
              hint: suggestion
                ? `did you mean {{ref ${packageName === undefined ? "" : `"${packageName}" `}"${suggestion}"}}?`
                : `create models/${name}.sql or fix the name.`,
            },
          );
        }
        if (
          node.resource_type !== "test" &&
          node.resource_type !== "inline" &&
          !declared.includes(target.unique_id)
        ) {
          throw new ConfigError(
            `{{ref "${name}"}} is computed at render time, so '${node.name}' does not declare it as a dependency.`,
            {
              hint: `add a line \`-- depends_on: {{ref "${name}"}}\` to ${node.original_file_path}.`,
            },
          );
        }
        if (substitute) return substitute(target.unique_id);
        if (target.resource_type === "model" && target.config.materialized === "ephemeral") {
          if (!ephemerals.includes(target.unique_id)) ephemerals.push(target.unique_id);
          return quoteIdentifier(EPHEMERAL_PREFIX + target.name);
        }
        const eventTime = (target.config as { event_time?: string }).event_time;
        const relation = this.read(this.relationSql(target));
        return options.batch && eventTime ? filteredRelation(relation, eventTime, options.batch) : relation;
      },
      source: (sourceName, tableName) => {
        const source =
          manifest.sources[`source.${node.package_name ?? projectName}.${sourceName}.${tableName}`] ??
          manifest.sources[`source.${projectName}.${sourceName}.${tableName}`] ??
          Object.values(manifest.sources).find(
            (s) => s.source_name === sourceName && s.table_name === tableName,
          );
        if (!source) {
          const suggestion = closestName(
            `${sourceName}.${tableName}`,
            Object.values(manifest.sources).map((s) => s.name),
          );
          throw new ConfigError(
            `{{source "${sourceName}" "${tableName}"}}: no such source table is declared.`,
            {
              hint: suggestion
                ? `did you mean '${suggestion}'?`
                : "declare it under sources: in a .yml file.",
            },
          );
        }
        if (substitute) return substitute(source.unique_id);
        const relation = this.read(quoteRelation(source.relation));
        const eventTime = source.config.event_time;
        return options.batch && eventTime ? filteredRelation(relation, eventTime, options.batch) : relation;
      },
    };
  }
}

/** What rendering needs of the node being rendered: a manifest node, or `floe show --inline`'s query. */
type RenderSubject =
  | ManifestNode
  | {
      readonly resource_type: "inline";
      readonly name: string;
      readonly depends_on: { readonly nodes: readonly string[] };
      readonly config?: undefined;
      readonly original_file_path?: undefined;
      readonly package_name?: undefined;
    };

/** The root context of a model template: `{{this}}` renders its relation; `{{this.schema}}` etc. work too. */
function modelContext(node: ModelNode | SnapshotNode, isIncremental: boolean): object {
  const relation = quoteRelation(node.relation);
  return {
    catalog: node.relation.catalog,
    database: node.relation.catalog,
    schema: node.relation.schema,
    identifier: node.relation.identifier,
    name: node.name,
    is_incremental:
      isIncremental && node.resource_type === "model" && node.config.materialized === "incremental",
    toString: () => relation,
  };
}

/** The environment with macro partials replaced by fixed text (a unit test's `overrides.macros`). */
function overridePartials(
  environment: TemplateEnvironment,
  macros: Readonly<Record<string, unknown>>,
): TemplateEnvironment {
  const names = Object.keys(macros);
  if (names.length === 0) return environment;
  const partials = new Map(environment.partials);
  for (const name of names) {
    const value = macros[name];
    partials.set(name, {
      name,
      file: `overrides.macros.${name}`,
      ast: { type: "Program", body: [{ type: "ContentStatement", value: String(value) }] },
    });
  }
  return { ...environment, partials };
}

/** `limit` caps the failing rows a test returns (dbt appends it the same way). */
function applyTestWrapping(node: ManifestNode, sql: string): string {
  if (node.resource_type !== "test" || node.config.limit === undefined) return sql;
  return `${sql.trimEnd()}\nlimit ${node.config.limit}`;
}

/**
 * Puts CTEs in front of a query: merged into its own leading `with` (after any leading comments), or as a
 * new `with` clause.
 */
export function injectCtes(sql: string, ctes: readonly string[]): string {
  const leading = /^(\s*(?:--[^\n]*\n|\/\*[\s\S]*?\*\/)?)*\s*/.exec(sql)?.[0] ?? "";
  const rest = sql.slice(leading.length);
  const withMatch = /^with(\s+recursive)?\s+/i.exec(rest);
  if (withMatch) {
    return `${leading}${withMatch[0]}${ctes.join(",\n")},\n${rest.slice(withMatch[0].length)}`;
  }
  return `${leading}with ${ctes.join(",\n")}\n${rest}`;
}
