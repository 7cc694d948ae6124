import { closestName } from "../../core/closest-name.js";
import { ConfigError, type ErrorLocation, FloeError, isFloeError } from "../../core/errors.js";
import type {
  BlockStatement,
  CallNode,
  Expression,
  Hash,
  PartialBlockStatement,
  PartialStatement,
  PathExpression,
  Program,
  SourceLocation,
  Statement,
} from "./ast.js";
import { simpleName } from "./ast.js";

/**
 * A small interpreter for parsed Handlebars templates. `Handlebars.compile` generates and JIT-compiles one
 * JavaScript function per template, which costs more than the single render a compile needs; walking the
 * AST renders directly. Semantics follow Handlebars with `noEscape` (SQL is not HTML), with one deliberate
 * difference: a mustache that outputs an undefined value is an error, because a silently empty `{{x}}` in
 * SQL is a bug. Block helpers (`if`, `unless`, `each`, `with`, `lookup`, custom ones) are called through
 * the Handlebars helper protocol, so the stock helpers of `Handlebars.create()` keep their exact behaviour.
 */

export type HelperFn = (this: unknown, ...args: unknown[]) => unknown;

export interface PartialTemplate {
  readonly name: string;
  readonly file: string;
  readonly ast: Program;
  /** Errors inside it point at the call, not into it (Floe's bundled macros: their text is not the user's). */
  readonly locateAtCaller?: boolean;
}

export interface TemplateEnvironment {
  readonly helpers: Readonly<Record<string, HelperFn>>;
  readonly partials: ReadonlyMap<string, PartialTemplate>;
}

/** Handlebars' `@data` frame: `root`, `index`, `key`, ..., plus Floe's per-render state under `floe`. */
export type DataFrame = Record<string, unknown> & { _parent?: DataFrame };

interface BlockParamFrame {
  readonly names: readonly string[];
  readonly values: readonly unknown[];
}

interface Scope {
  /** depths[0] is the current context, depths[n] the context `n` levels up (`../`). */
  readonly depths: readonly unknown[];
  readonly data: DataFrame;
  readonly blockParams: readonly BlockParamFrame[];
  readonly file: string;
  readonly partialDepth: number;
}

interface InvokeOptions {
  data?: DataFrame;
  blockParams?: readonly unknown[];
}

/** Helpers that exist in every Handlebars instance for its own internal dispatch, not for templates. */
const INTERNAL_HELPERS = new Set(["helperMissing", "blockHelperMissing"]);
const MAX_PARTIAL_DEPTH = 64;

export function renderTemplate(
  env: TemplateEnvironment,
  ast: Program,
  file: string,
  context: unknown,
  data: DataFrame = {},
): string {
  // A spread followed by more keys in one literal takes V8's slow path; spread, then assign.
  const frame: DataFrame = { ...data };
  frame.root = context;
  return new Interpreter(env).program(ast, {
    depths: [context],
    data: frame,
    blockParams: [],
    file,
    partialDepth: 0,
  });
}

class Interpreter {
  constructor(private readonly env: TemplateEnvironment) {}

  program(program: Program, scope: Scope): string {
    let out = "";
    for (const statement of program.body) out += this.statement(statement, scope);
    return out;
  }

  private statement(node: Statement, scope: Scope): string {
    switch (node.type) {
      case "ContentStatement":
        return node.value;
      case "CommentStatement":
        return "";
      case "MustacheStatement":
        return stringify(this.mustache(node, scope));
      case "BlockStatement":
        return stringify(this.block(node, scope));
      case "PartialStatement":
      case "PartialBlockStatement":
        return this.partial(node, scope);
      case "Decorator":
      case "DecoratorBlock":
        throw new ConfigError("Handlebars decorators ({{* ...}}) are not supported in Floe templates.", {
          location: locationOf(scope.file, node.loc),
          hint: "use a helper or a macro partial instead.",
        });
    }
  }

  private mustache(node: CallNode, scope: Scope): unknown {
    const name = simpleName(node.path);
    const helper = this.helperNamed(name);
    if (helper) return this.callHelper(helper, name ?? "", node, scope);
    if (node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0 || node.type === "SubExpression") {
      throw this.unknownHelper(node.path, scope, node.loc);
    }
    const value = this.path(node.path as PathExpression, scope);
    if (value === undefined) throw this.undefinedValue(node.path as PathExpression, scope, node.loc);
    return value;
  }

  private block(node: BlockStatement, scope: Scope): unknown {
    const name = simpleName(node.path);
    const helper = this.helperNamed(name);
    if (helper) return this.callHelper(helper, name ?? "", node, scope);
    if (node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0) {
      throw this.unknownHelper(node.path, scope, node.loc);
    }
    // `{{#section}}...{{/section}}` on a context value: Handlebars' blockHelperMissing semantics.
    const value = this.path(node.path as PathExpression, scope);
    const missing = this.env.helpers.blockHelperMissing;
    if (!missing) return "";
    return this.guard(scope, node.loc, () =>
      missing.call(scope.depths[0], value, this.helperOptions(name ?? "", node, scope)),
    );
  }

  /**
   * The helper a call names. Own properties only: the helper table is a plain object, so `{{constructor}}`
   * would otherwise call Object() and `{{__proto__}}` fail with a JS TypeError.
   */
  private helperNamed(name: string | undefined): HelperFn | undefined {
    if (name === undefined || INTERNAL_HELPERS.has(name) || !Object.hasOwn(this.env.helpers, name))
      return undefined;
    return this.env.helpers[name];
  }

  private callHelper(helper: HelperFn, name: string, node: CallNode, scope: Scope): unknown {
    const params = node.params.map((p) => this.expression(p, scope));
    const options = this.helperOptions(name, node, scope);
    return this.guard(scope, node.loc, () => helper.call(scope.depths[0], ...params, options));
  }

  private helperOptions(name: string, node: CallNode, scope: Scope): Record<string, unknown> {
    const program = node.type === "BlockStatement" ? node.program : undefined;
    const inverse = node.type === "BlockStatement" ? node.inverse : undefined;
    return {
      name,
      hash: this.hash(node.hash, scope),
      data: scope.data,
      loc: node.loc,
      fn: program
        ? (context: unknown, opts?: InvokeOptions) => this.invoke(program, context, opts, scope)
        : noop,
      inverse: inverse
        ? (context: unknown, opts?: InvokeOptions) => this.invoke(inverse, context, opts, scope)
        : noop,
      lookupProperty: lookup,
    };
  }

  /** Renders a block's program with a (possibly) new context, as Handlebars' `options.fn` does. */
  private invoke(program: Program, context: unknown, opts: InvokeOptions | undefined, parent: Scope): string {
    const depths = context === parent.depths[0] ? parent.depths : [context, ...parent.depths];
    const blockParams =
      program.blockParams && opts?.blockParams
        ? [{ names: program.blockParams, values: opts.blockParams }, ...parent.blockParams]
        : parent.blockParams;
    return this.program(program, { ...parent, depths, data: opts?.data ?? parent.data, blockParams });
  }

  private partial(node: PartialStatement | PartialBlockStatement, scope: Scope): string {
    const name = this.partialName(node, scope);
    const partial = this.env.partials.get(name);
    const location = locationOf(scope.file, node.loc);
    let data = scope.data;
    let ast: Program | undefined = partial?.ast;
    let file = partial?.file ?? scope.file;
    if (name === "@partial-block") {
      const block = scope.data["partial-block"] as
        | { ast: Program; file: string; parent?: DataFrame }
        | undefined;
      if (!block) {
        throw new ConfigError("{{> @partial-block}} used outside a partial block.", {
          location,
          hint: "call this macro as {{#> name}}...{{/name}}.",
        });
      }
      ast = block.ast;
      file = block.file;
      data = block.parent ?? data;
    } else if (node.type === "PartialBlockStatement") {
      data = {
        ...scope.data,
        _parent: scope.data,
        "partial-block": { ast: node.program, file: scope.file, parent: scope.data },
      };
      if (!ast) {
        ast = node.program;
        file = scope.file;
      }
    }
    if (!ast) {
      const known = [...this.env.partials.keys()];
      const suggestion = closestName(name, known);
      throw new ConfigError(`unknown macro '${name}' in {{> ${name}}}.`, {
        location,
        hint: suggestion
          ? `did you mean '${suggestion}'? Macros are the files macros/**/<name>.sql.`
          : `create macros/${name}.sql (each file under macros/ is a partial named by its file stem).`,
      });
    }
    if (scope.partialDepth >= MAX_PARTIAL_DEPTH) {
      throw new ConfigError(`macro '${name}' calls itself more than ${MAX_PARTIAL_DEPTH} levels deep.`, {
        location,
        hint: "break the recursion: a macro must not include itself without an end condition.",
      });
    }
    let context = node.params[0] ? this.expression(node.params[0], scope) : scope.depths[0];
    if (node.hash && node.hash.pairs.length > 0) {
      // Keep the caller's context (and its toString, e.g. `{{this}}` = the model's relation) visible
      // behind the macro's arguments.
      const derived = typeof context === "object" && context !== null ? Object.create(context) : {};
      Object.assign(derived, this.hash(node.hash, scope));
      context = derived;
    }
    const depths = context === scope.depths[0] ? scope.depths : [context, ...scope.depths];
    const partialScope: Scope = { depths, data, blockParams: [], file, partialDepth: scope.partialDepth + 1 };
    let out: string;
    try {
      out = this.program(ast, partialScope);
    } catch (error) {
      if (isFloeError(error) && partial?.locateAtCaller) throw relocate(error, location);
      if (
        isFloeError(error) &&
        error.location &&
        error.location.file !== scope.file &&
        location.line !== undefined
      ) {
        throw relocate(
          error,
          error.location,
          ` (in macro '${name}' called from ${scope.file}:${location.line})`,
        );
      }
      throw error;
    }
    if (node.type !== "PartialStatement") return out;
    if (!node.standalone && name !== "@partial-block") out = out.replace(/\r?\n$/, "");
    return node.indent ? indentLines(out, node.indent) : out;
  }

  private partialName(node: PartialStatement | PartialBlockStatement, scope: Scope): string {
    const expr = node.name;
    if (expr.type === "PathExpression")
      return expr.data ? `@${expr.original.replace(/^@/, "")}` : expr.original;
    if (expr.type === "StringLiteral") return expr.value;
    if (expr.type === "NumberLiteral") return String(expr.value);
    return String(this.expression(expr, scope));
  }

  private expression(node: Expression, scope: Scope): unknown {
    switch (node.type) {
      case "StringLiteral":
      case "NumberLiteral":
      case "BooleanLiteral":
        return node.value;
      case "UndefinedLiteral":
        return undefined;
      case "NullLiteral":
        return null;
      case "SubExpression":
        return this.mustache(node, scope);
      case "PathExpression": {
        // A bare helper name as a parameter is a value lookup in Handlebars, except that `(name)` is needed
        // to call it. Keep that: params never call helpers implicitly.
        return this.path(node, scope);
      }
    }
  }

  private hash(hash: Hash | undefined, scope: Scope): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (!hash) return out;
    for (const pair of hash.pairs) out[pair.key] = this.expression(pair.value, scope);
    return out;
  }

  private path(node: PathExpression, scope: Scope): unknown {
    const parts = node.parts;
    if (node.data) {
      let frame: DataFrame | undefined = scope.data;
      for (let i = 0; i < node.depth && frame; i++) frame = frame._parent;
      let value: unknown = frame?.[parts[0] ?? ""];
      for (let i = 1; i < parts.length; i++) value = lookup(value, parts[i] ?? "");
      return value;
    }
    let value: unknown;
    let start = 0;
    const scoped =
      node.original === "this" || node.original.startsWith("this.") || node.original.startsWith("./");
    const param = node.depth === 0 && !scoped ? findBlockParam(scope.blockParams, parts[0]) : undefined;
    if (param) {
      value = param.value;
      start = 1;
    } else {
      value = scope.depths[node.depth];
    }
    for (let i = start; i < parts.length; i++) value = lookup(value, parts[i] ?? "");
    return value;
  }

  private guard<T>(scope: Scope, loc: SourceLocation | undefined, run: () => T): T {
    try {
      return run();
    } catch (error) {
      if (isFloeError(error)) {
        return error.location ? rethrow(error) : rethrow(relocate(error, locationOf(scope.file, loc)));
      }
      const message = error instanceof Error ? error.message : String(error);
      throw new ConfigError(`template error: ${message.replace(/ - \d+:\d+$/, "")}.`, {
        location: locationOf(scope.file, loc),
        hint: "fix the helper call at this position.",
        cause: error,
      });
    }
  }

  private unknownHelper(path: Expression, scope: Scope, loc: SourceLocation | undefined): ConfigError {
    const name = path.type === "PathExpression" ? path.original : path.type;
    const helpers = Object.keys(this.env.helpers).filter((h) => !INTERNAL_HELPERS.has(h));
    const suggestion = closestName(name, helpers);
    return new ConfigError(`unknown helper '${name}'.`, {
      location: locationOf(scope.file, loc),
      hint: suggestion
        ? `did you mean '${suggestion}'? Available helpers: ${helpers.sort().join(", ")}.`
        : `use one of the helpers ${helpers.sort().join(", ")}, or a macro partial {{> name}}.`,
    });
  }

  private undefinedValue(path: PathExpression, scope: Scope, loc: SourceLocation | undefined): ConfigError {
    const context = scope.depths[0];
    const keys = typeof context === "object" && context !== null ? Object.keys(context) : [];
    const helpers = Object.keys(this.env.helpers).filter((h) => !INTERNAL_HELPERS.has(h));
    const suggestion = closestName(path.original, [...keys, ...helpers]);
    return new ConfigError(`'{{${path.original}}}' is not defined here.`, {
      location: locationOf(scope.file, loc),
      hint: suggestion
        ? `did you mean '${suggestion}'?`
        : `pass it to the macro ({{> macro ${path.original}="..."}}) or use {{var "${path.original}" "default"}} for a project variable.`,
    });
  }
}

function noop(): string {
  return "";
}

function rethrow(error: unknown): never {
  throw error;
}

function findBlockParam(
  frames: readonly BlockParamFrame[],
  name: string | undefined,
): { value: unknown } | undefined {
  if (name === undefined) return undefined;
  for (const frame of frames) {
    const index = frame.names.indexOf(name);
    if (index >= 0) return { value: frame.values[index] };
  }
  return undefined;
}

/** Property lookup that never reaches Object.prototype internals (`constructor`, `__proto__`). */
export function lookup(value: unknown, name: string): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== "object" && typeof value !== "function") {
    return name === "length" && typeof value === "string" ? value.length : undefined;
  }
  if (name === "__proto__" || name === "constructor" || name === "prototype") return undefined;
  const record = value as Record<string, unknown>;
  if (Object.hasOwn(record, name)) return record[name];
  if (name in Object.prototype) return undefined;
  return record[name];
}

function stringify(value: unknown): string {
  return value === null || value === undefined ? "" : String(value);
}

function indentLines(text: string, indent: string): string {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (i === lines.length - 1 && lines[i] === "") break;
    lines[i] = indent + lines[i];
  }
  return lines.join("\n");
}

export function locationOf(file: string, loc: SourceLocation | undefined): ErrorLocation {
  return loc ? { file, line: loc.start.line, column: loc.start.column + 1 } : { file };
}

function relocate(error: FloeError, location: ErrorLocation, suffix = ""): FloeError {
  return new FloeError(error.code, `${error.message}${suffix}`, {
    location,
    exitCode: error.exitCode,
    cause: error.cause,
    ...(error.hint === undefined ? {} : { hint: error.hint }),
  });
}
