import Handlebars from "handlebars";
import type { HelperFn, PartialTemplate, TemplateEnvironment } from "./ast-render.js";
import { configHelper } from "./helpers/config.js";
import { floeUtilsHelper, listHelper } from "./helpers/floe-utils.js";
import { isIncrementalHelper, rawHelper } from "./helpers/is-incremental.js";
import { refHelper, sourceHelper } from "./helpers/ref.js";
import { envHelper, varHelper } from "./helpers/var.js";

/** The helpers Floe adds to Handlebars' built-ins (`if`, `unless`, `each`, `with`, `lookup`). */
export const FLOE_HELPERS: Readonly<Record<string, HelperFn>> = {
  ref: refHelper,
  source: sourceHelper,
  config: configHelper,
  var: varHelper,
  env: envHelper,
  is_incremental: isIncrementalHelper,
  raw: rawHelper,
  floe_utils: floeUtilsHelper,
  list: listHelper,
};

export interface MacroSource extends PartialTemplate {
  readonly source: string;
}

/**
 * One isolated Handlebars environment per compile: `Handlebars.create()`, never the global instance, so
 * helpers and partials of one project cannot leak into another (tests, the bench, a language server).
 * The instance holds the helpers and the macro sources, so `handlebars.compile(..., {noEscape: true})`
 * on it renders the same text as Floe's AST interpreter.
 */
export function createTemplateEnvironment(
  macros: readonly MacroSource[],
  helpers: Readonly<Record<string, HelperFn>> = FLOE_HELPERS,
): TemplateEnvironment & { readonly handlebars: typeof Handlebars } {
  const handlebars = Handlebars.create();
  for (const [name, fn] of Object.entries(helpers))
    handlebars.registerHelper(name, fn as Handlebars.HelperDelegate);
  const partials = new Map<string, PartialTemplate>();
  for (const macro of macros) {
    partials.set(macro.name, macro);
    handlebars.registerPartial(macro.name, macro.source);
  }
  return { handlebars, helpers: handlebars.helpers as Record<string, HelperFn>, partials };
}
