import Handlebars from "handlebars";
import { ConfigError } from "../../core/errors.js";
import type { CallNode, Program } from "./ast.js";
import { type HelperFn, renderTemplate, type TemplateEnvironment } from "./ast-render.js";
import { envHelper, varHelper } from "./helpers/var.js";
import type { HelperOptions, RenderState } from "./render-state.js";

/**
 * Reads `{{config ...}}` calls before any rendering: a model's schema, alias and materialization decide
 * other models' relations, so they must be known first. Literal values are read directly; expressions such
 * as `materialized=(var "mat" "view")` are evaluated with only `var` and `env` available.
 */
export interface ConfigCall {
  readonly values: Record<string, unknown>;
  readonly line: number | undefined;
  readonly column: number | undefined;
}

const configPhaseEnvironment: TemplateEnvironment = (() => {
  const handlebars = Handlebars.create();
  const capture: HelperFn = (...args: unknown[]) => {
    const options = args.at(-1) as HelperOptions & { data: { configs: Record<string, unknown>[] } };
    options.data.configs.push(options.hash);
    return "";
  };
  const forbidden =
    (name: string): HelperFn =>
    () => {
      throw new ConfigError(`{{${name}}} cannot be used inside {{config}}.`, {
        hint: "config values must be literals or use var/env.",
      });
    };
  handlebars.registerHelper("config", capture as Handlebars.HelperDelegate);
  handlebars.registerHelper("var", varHelper as Handlebars.HelperDelegate);
  handlebars.registerHelper("env", envHelper as Handlebars.HelperDelegate);
  for (const name of ["ref", "source", "is_incremental"]) {
    handlebars.registerHelper(name, forbidden(name) as Handlebars.HelperDelegate);
  }
  return { helpers: handlebars.helpers as Record<string, HelperFn>, partials: new Map() };
})();

export function readConfigCalls(
  calls: readonly CallNode[],
  file: string,
  state: Pick<RenderState, "vars" | "env">,
): ConfigCall[] {
  return calls.map((call) => {
    const line = call.loc?.start.line;
    const column = call.loc === undefined ? undefined : call.loc.start.column + 1;
    if (call.params.length > 0) {
      throw new ConfigError("{{config}} takes key=value pairs only.", {
        location: { file, line, column },
        hint: 'write {{config materialized="table" unique_key="id"}}.',
      });
    }
    const pairs = call.hash?.pairs ?? [];
    if (pairs.every((p) => p.value.type.endsWith("Literal"))) {
      const values: Record<string, unknown> = {};
      for (const pair of pairs) values[pair.key] = "value" in pair.value ? pair.value.value : undefined;
      return { values, line, column };
    }
    const configs: Record<string, unknown>[] = [];
    const program: Program = {
      type: "Program",
      body: [
        {
          type: "MustacheStatement",
          path: call.path,
          params: [],
          ...(call.hash ? { hash: call.hash } : {}),
          ...(call.loc ? { loc: call.loc } : {}),
        },
      ],
    };
    renderTemplate(configPhaseEnvironment, program, file, {}, { configs, floe: state });
    return { values: configs[0] ?? {}, line, column };
  });
}
