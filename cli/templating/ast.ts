/**
 * The subset of the Handlebars AST (as produced by `Handlebars.parse`, whitespace control already applied)
 * that Floe templates use. Typed here rather than through `hbs.AST` because cached ASTs are plain JSON with
 * the same shape, minus fields the interpreter never reads (end positions, strip flags, originals).
 */

export interface Position {
  readonly line: number;
  /** 0-based, as Handlebars reports it. */
  readonly column: number;
}

export interface SourceLocation {
  readonly start: Position;
}

export interface Program {
  readonly type: "Program";
  readonly body: readonly Statement[];
  readonly blockParams?: readonly string[];
}

export type Statement =
  | ContentStatement
  | MustacheStatement
  | BlockStatement
  | PartialStatement
  | PartialBlockStatement
  | CommentStatement
  | DecoratorStatement;

export interface ContentStatement {
  readonly type: "ContentStatement";
  readonly value: string;
  readonly loc?: SourceLocation;
}

export interface CommentStatement {
  readonly type: "CommentStatement";
  readonly loc?: SourceLocation;
}

export interface DecoratorStatement {
  readonly type: "Decorator" | "DecoratorBlock";
  readonly loc?: SourceLocation;
}

export interface MustacheStatement {
  readonly type: "MustacheStatement";
  readonly path: Expression;
  readonly params: readonly Expression[];
  readonly hash?: Hash;
  readonly loc?: SourceLocation;
}

export interface BlockStatement {
  readonly type: "BlockStatement";
  readonly path: Expression;
  readonly params: readonly Expression[];
  readonly hash?: Hash;
  readonly program?: Program;
  readonly inverse?: Program;
  readonly loc?: SourceLocation;
}

export interface PartialStatement {
  readonly type: "PartialStatement";
  readonly name: Expression;
  readonly params: readonly Expression[];
  readonly hash?: Hash;
  readonly indent?: string;
  /** Alone on its line (set by `parseTemplate`). */
  readonly standalone?: boolean;
  readonly loc?: SourceLocation;
}

export interface PartialBlockStatement {
  readonly type: "PartialBlockStatement";
  readonly name: Expression;
  readonly params: readonly Expression[];
  readonly hash?: Hash;
  readonly program: Program;
  readonly loc?: SourceLocation;
}

export interface Hash {
  readonly type: "Hash";
  readonly pairs: readonly HashPair[];
}

export interface HashPair {
  readonly type: "HashPair";
  readonly key: string;
  readonly value: Expression;
}

export type Expression =
  | PathExpression
  | SubExpression
  | StringLiteral
  | NumberLiteral
  | BooleanLiteral
  | UndefinedLiteral
  | NullLiteral;

export interface PathExpression {
  readonly type: "PathExpression";
  readonly data: boolean;
  readonly depth: number;
  readonly parts: readonly string[];
  readonly original: string;
  readonly loc?: SourceLocation;
}

export interface SubExpression {
  readonly type: "SubExpression";
  readonly path: Expression;
  readonly params: readonly Expression[];
  readonly hash?: Hash;
  readonly loc?: SourceLocation;
}

export interface StringLiteral {
  readonly type: "StringLiteral";
  readonly value: string;
  readonly loc?: SourceLocation;
}
export interface NumberLiteral {
  readonly type: "NumberLiteral";
  readonly value: number;
  readonly loc?: SourceLocation;
}
export interface BooleanLiteral {
  readonly type: "BooleanLiteral";
  readonly value: boolean;
  readonly loc?: SourceLocation;
}
export interface UndefinedLiteral {
  readonly type: "UndefinedLiteral";
  readonly loc?: SourceLocation;
}
export interface NullLiteral {
  readonly type: "NullLiteral";
  readonly loc?: SourceLocation;
}

/** A call site: `{{name ...}}`, `{{#name ...}}` or `(name ...)`. */
export type CallNode = MustacheStatement | BlockStatement | SubExpression;

/** The helper name a call node invokes, when its path is a plain identifier (`ref`, not `this.ref`). */
export function simpleName(path: Expression): string | undefined {
  if (path.type !== "PathExpression" || path.data || path.depth > 0 || path.parts.length !== 1)
    return undefined;
  if (path.original.startsWith("this") || path.original.startsWith("./")) return undefined;
  return path.parts[0];
}
