import { ConfigError } from "../../../core/errors.js";
import { splitArgs, stateOf } from "../render-state.js";

/** `{{var "name" "default"}}`: a project variable from `--vars`, then `floe_project.yml` `vars:`. */
export function varHelper(...args: unknown[]): unknown {
  const { params, options } = splitArgs(args);
  const [name, fallback] = params;
  if (typeof name !== "string") {
    throw new ConfigError("{{var}} takes the variable name as a string.", {
      hint: 'write {{var "name" "default"}}.',
    });
  }
  const vars = stateOf(options, "var").vars;
  if (Object.hasOwn(vars, name)) return vars[name];
  if (params.length >= 2) return fallback;
  throw new ConfigError(`variable '${name}' is not defined.`, {
    hint: `pass --vars '{${name}: ...}', add it under vars: in floe_project.yml, or give a default: {{var "${name}" "default"}}.`,
  });
}

/** `{{env "NAME" "default"}}`: an environment variable. */
export function envHelper(...args: unknown[]): string {
  const { params, options } = splitArgs(args);
  const [name, fallback] = params;
  if (typeof name !== "string") {
    throw new ConfigError("{{env}} takes the variable name as a string.", {
      hint: 'write {{env "NAME" "default"}}.',
    });
  }
  const value = stateOf(options, "env").env[name];
  if (value !== undefined) return value;
  if (params.length >= 2) return fallback === undefined || fallback === null ? "" : String(fallback);
  throw new ConfigError(`environment variable ${name} is not set.`, {
    hint: `export ${name}=... or give a default: {{env "${name}" "default"}}.`,
  });
}
