import type { CallNode, Expression, Program, SourceLocation, Statement } from "./ast.js";
import { simpleName } from "./ast.js";

/**
 * What a template depends on, read from its AST without rendering: a `ref` inside an `{{#if}}` or an
 * `{{else}}` branch still counts, as in dbt. Only literal arguments are static; a `{{ref name}}` with a
 * variable argument (typical in a macro) is resolved at render time and must be a declared dependency.
 */
export interface TemplateDependencies {
  /** `version`: `{{ref "m" v=2}}`, a model version. */
  readonly refs: readonly { name: string; packageName?: string; version?: number; loc?: SourceLocation }[];
  readonly sources: readonly { source: string; table: string; loc?: SourceLocation }[];
  readonly configs: readonly CallNode[];
  readonly partials: readonly { name: string; loc?: SourceLocation }[];
}

export function templateDependencies(ast: Program): TemplateDependencies {
  const deps = { refs: [], sources: [], configs: [], partials: [] } as {
    refs: { name: string; packageName?: string; version?: number; loc?: SourceLocation }[];
    sources: { source: string; table: string; loc?: SourceLocation }[];
    configs: CallNode[];
    partials: { name: string; loc?: SourceLocation }[];
  };
  const visitCall = (node: CallNode) => {
    const name = simpleName(node.path);
    const literals = node.params.map((p) => (p.type === "StringLiteral" ? p.value : undefined));
    const allLiteral = literals.every((v) => v !== undefined) && literals.length > 0;
    if (name === "ref" && allLiteral) {
      const [a, b] = literals as string[];
      const version = refVersion(node);
      const v = version === undefined ? {} : { version };
      if (literals.length === 1 && a !== undefined) deps.refs.push({ name: a, ...v, ...loc(node.loc) });
      else if (literals.length === 2 && a !== undefined && b !== undefined) {
        deps.refs.push({ name: b, packageName: a, ...v, ...loc(node.loc) });
      }
    } else if (name === "source" && allLiteral && literals.length === 2) {
      deps.sources.push({ source: literals[0] as string, table: literals[1] as string, ...loc(node.loc) });
    } else if (name === "config") {
      deps.configs.push(node);
    }
    for (const p of node.params) visitExpression(p);
    for (const pair of node.hash?.pairs ?? []) visitExpression(pair.value);
  };
  const visitExpression = (node: Expression) => {
    if (node.type === "SubExpression") visitCall(node);
  };
  const visitProgram = (program: Program | undefined) => {
    if (!program) return;
    for (const statement of program.body) visitStatement(statement);
  };
  const visitStatement = (node: Statement) => {
    switch (node.type) {
      case "MustacheStatement":
        visitCall(node);
        return;
      case "BlockStatement":
        visitCall(node);
        visitProgram(node.program);
        visitProgram(node.inverse);
        return;
      case "PartialStatement":
      case "PartialBlockStatement":
        if (node.name.type === "PathExpression" && !node.name.data) {
          deps.partials.push({ name: node.name.original, ...loc(node.loc) });
        } else if (node.name.type === "StringLiteral") {
          deps.partials.push({ name: node.name.value, ...loc(node.loc) });
        }
        for (const p of node.params) visitExpression(p);
        for (const pair of node.hash?.pairs ?? []) visitExpression(pair.value);
        if (node.type === "PartialBlockStatement") visitProgram(node.program);
        return;
      default:
        return;
    }
  };
  visitProgram(ast);
  return deps;
}

function loc(value: SourceLocation | undefined): { loc?: SourceLocation } {
  return value ? { loc: value } : {};
}

/** `v=2` (or `version=2`, `v="2"`) on a ref: the model version it names; undefined for the latest. */
export function refVersion(node: CallNode): number | undefined {
  const pair = node.hash?.pairs.find((p) => p.key === "v" || p.key === "version");
  if (!pair) return undefined;
  const value = pair.value;
  if (value.type === "NumberLiteral") return value.value;
  if (value.type === "StringLiteral" && /^\d+$/.test(value.value)) return Number(value.value);
  return undefined;
}
