/**
 * `{{config materialized="table" ...}}` renders nothing: its values are read from the AST before rendering
 * (see `templating/template-config.ts`), because other models' relations depend on them.
 */
export function configHelper(): string {
  return "";
}
