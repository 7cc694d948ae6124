import type { SourceLocation } from "../templating/ast.js";

/** Path helpers for node names, fqns and error locations (paths are project-relative, forward slashes). */

/** The file name without folder and extension: a node's name. */
export function stem(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(0, dot) : base;
}

/** The path relative to the resource folder the file was found under (`models/a/b.sql` → `a/b.sql`). */
export function relativeTo(file: { path: string; base: string }): string {
  return file.base === "" || file.base === "." ? file.path : file.path.slice(file.base.length + 1);
}

/** The folders of a relative path (`a/b/c.sql` → `[a, b]`). */
export function folders(relative: string): string[] {
  const parts = relative.split("/");
  parts.pop();
  return parts;
}

export function location(file: string, loc: SourceLocation | undefined) {
  return loc ? { file, line: loc.start.line, column: loc.start.column + 1 } : { file };
}
