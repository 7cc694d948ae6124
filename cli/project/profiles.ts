import { z } from "zod";
import { closestName } from "../../core/closest-name.js";
import { ConfigError } from "../../core/errors.js";
import { type HelperFn, renderTemplate } from "../templating/ast-render.js";
import { envHelper } from "../templating/helpers/var.js";
import { parseTemplate } from "../templating/parse-template.js";
import { parseYaml, validateYaml, yamlError } from "./yaml-file.js";

/**
 * `profiles.yml`: `<profile>: {target, outputs: {<name>: {type: trino, ...}}}`. String values may use
 * `{{env "NAME" "default"}}`; they are rendered after YAML parsing, so an env value can never break the
 * YAML structure.
 */
const port = z.coerce.number({ error: "port must be a number" }).int().min(1).max(65535);

function endpoint(error: string) {
  return z.union([z.literal(""), z.url({ protocol: /^https?$/, error })], { error }).optional();
}

export const trinoOutputSchema = z.looseObject({
  type: z.literal("trino", { error: "type must be trino (the only adapter Floe ships)" }),
  host: z.string().min(1),
  port: port.default(8080),
  user: z.string().min(1),
  password: z.string().optional(),
  catalog: z.string().min(1),
  schema: z.string().min(1),
  threads: z.coerce.number({ error: "threads must be a number" }).int().min(1).default(4),
  http_scheme: z.enum(["http", "https"], { error: "http_scheme must be http or https" }).default("http"),
  auth: z
    .discriminatedUnion("method", [
      z.object({ method: z.literal("none") }),
      z.object({ method: z.literal("basic"), user: z.string().optional(), password: z.string() }),
      z.object({
        method: z.literal("jwt"),
        // An unset {{env}} renders "", which Trino would only reject at the first query.
        token: z.string().min(1, "the jwt token is empty (a JWT for Trino's JWT authenticator)"),
      }),
    ])
    .optional(),
  session_properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  // Where Trino's catalogs keep data and metadata, probed before a run (cli/runner/preflight.ts); "" = none.
  storage_endpoint: endpoint("storage_endpoint must be the S3 endpoint URL, e.g. http://127.0.0.1:9000"),
  catalog_uri: endpoint("catalog_uri must be the Iceberg REST catalog URL, e.g. http://127.0.0.1:8181"),
});

export type TargetConfig = z.output<typeof trinoOutputSchema> & {
  readonly name: string;
  readonly profile: string;
};

const profileSchema = z.looseObject({
  target: z.string({ error: "target is required (the output to use by default)" }).min(1),
  outputs: z.record(z.string(), z.unknown(), { error: "outputs must map target names to connections" }),
});

export const PROFILES_FILE = "profiles.yml";

export interface ResolveTargetOptions {
  readonly profileName: string;
  readonly targetName?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function resolveTarget(text: string, file: string, options: ResolveTargetOptions): TargetConfig {
  const raw = parseYaml(text, file);
  if (typeof raw !== "object" || raw === null) {
    throw new ConfigError("profiles.yml is empty or not a mapping.", {
      location: { file },
      hint: `add a profile: ${options.profileName}: {target: dev, outputs: {dev: {type: trino, ...}}}.`,
    });
  }
  const profiles = raw as Record<string, unknown>;
  const profileRaw = profiles[options.profileName];
  if (profileRaw === undefined) {
    const suggestion = closestName(options.profileName, Object.keys(profiles));
    throw new ConfigError(`profile '${options.profileName}' (named in floe_project.yml) is not in ${file}.`, {
      location: { file },
      hint: suggestion
        ? `did you mean '${suggestion}'? Rename it or change profile: in floe_project.yml.`
        : `add a top-level '${options.profileName}:' entry with target and outputs.`,
    });
  }
  const rendered = renderEnv(profileRaw, file, options.env);
  const profile = validateYaml(
    profileSchema,
    rendered,
    file,
    text,
    () => "see the profiles.yml format in the docs.",
  );
  const targetName = options.targetName ?? profile.target;
  const output = profile.outputs[targetName];
  if (output === undefined) {
    const suggestion = closestName(targetName, Object.keys(profile.outputs));
    throw yamlError(
      file,
      text,
      [options.profileName, "outputs"],
      `target '${targetName}' is not defined in profile '${options.profileName}'`,
      suggestion
        ? `did you mean --target ${suggestion}?`
        : `use one of: ${Object.keys(profile.outputs).join(", ")}, or add outputs.${targetName}.`,
    );
  }
  const result = trinoOutputSchema.safeParse(output);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = [options.profileName, "outputs", targetName, ...(issue?.path ?? [])];
    throw yamlError(
      file,
      text,
      path,
      issue?.message ?? "invalid output",
      `fix ${path.at(-1)?.toString()} in ${file}.`,
    );
  }
  return { ...result.data, name: targetName, profile: options.profileName };
}

const envOnly: Record<string, HelperFn> = { env: envHelper };

/** Renders `{{env ...}}` in every string of a parsed YAML value. */
export function renderEnv(
  value: unknown,
  file: string,
  env: Readonly<Record<string, string | undefined>>,
): unknown {
  if (typeof value === "string") {
    if (!value.includes("{{")) return value;
    const ast = parseTemplate(value, file);
    return renderTemplate(
      { helpers: envOnly, partials: new Map() },
      ast,
      file,
      {},
      { floe: { env, vars: {} } },
    );
  }
  if (Array.isArray(value)) return value.map((v) => renderEnv(v, file, env));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderEnv(v, file, env)]));
  }
  return value;
}
