import { createHash } from "node:crypto";
import type { z } from "zod";
import { closestName } from "../../core/closest-name.js";
import { ConfigError } from "../../core/errors.js";
import { BUILTIN_TESTS, type BuiltinTest } from "../data-tests/generic/builtin-tests.js";
import { CONFIG_KEYS, type ConfigLayer, configHint, configSchemaFor } from "../manifest/config.js";
import { issueHint } from "../manifest/strict-keys.js";
import { yamlKeyError } from "./strict-yaml.js";
import { yamlError } from "./yaml-file.js";
import type { TestEntry } from "./yml-schema.js";

/**
 * Turns one yml test entry (`- not_null`, `- accepted_values: {values: [...], config: {severity: warn}}`)
 * into a test spec: its name, arguments and config. Config keys are accepted under `config:` or at the top
 * level (dbt allows both); arguments under `arguments:` or at the top level.
 */
export interface GenericTestSpec {
  readonly testName: string;
  readonly name: string;
  readonly kwargs: Readonly<Record<string, unknown>>;
  readonly config: ConfigLayer;
  readonly column?: string;
  readonly file: string;
  readonly yamlPath: readonly PropertyKey[];
}

export interface TestTarget {
  /** `model`, `seed` or `source`. */
  readonly kind: "model" | "seed" | "source";
  /** Model/seed name, or `source_table` for sources (used in the generated test name). */
  readonly label: string;
}

/** Keys of a test entry that are config rather than arguments (dbt accepts them beside the arguments). */
const TEST_CONFIG_KEYS: ReadonlySet<string> = new Set(CONFIG_KEYS.test);

export function parseTestEntry(
  entry: TestEntry,
  context: {
    readonly file: string;
    readonly text: string;
    readonly yamlPath: readonly PropertyKey[];
    readonly target: TestTarget;
    readonly column?: string;
    readonly customTests: ReadonlySet<string>;
  },
): GenericTestSpec {
  const { file, text, yamlPath } = context;
  let testName: string;
  let body: Record<string, unknown> = {};
  if (typeof entry === "string") {
    testName = entry;
  } else {
    const keys = Object.keys(entry);
    if (keys.length !== 1) {
      throw yamlError(
        file,
        text,
        yamlPath,
        `a test entry must have exactly one key (the test name), found ${keys.length ? keys.join(", ") : "none"}`,
        "write `- unique` or `- accepted_values: {values: [a, b]}`.",
      );
    }
    testName = keys[0] as string;
    const value = entry[testName];
    if (value !== null && value !== undefined) {
      if (typeof value !== "object" || Array.isArray(value)) {
        throw yamlError(
          file,
          text,
          [...yamlPath, testName],
          `the arguments of ${testName} must be a mapping`,
          `write ${testName}: {argument: value}.`,
        );
      }
      body = { ...(value as Record<string, unknown>) };
    }
  }
  // dbt's namespaced names (`dbt_utils.unique_combination_of_columns`) map to ours where they match.
  testName = testName.replace(/^(dbt|floe)\./, "");
  const builtin = BUILTIN_TESTS[testName];
  if (!builtin && !context.customTests.has(testName)) {
    const known = [...Object.keys(BUILTIN_TESTS), ...context.customTests];
    const suggestion = closestName(testName, known);
    throw yamlError(
      file,
      text,
      yamlPath,
      `unknown test '${testName}'`,
      suggestion
        ? `did you mean '${suggestion}'? Custom generic tests live in tests/generic/<name>.sql.`
        : `use one of ${known.join(", ")}, or add tests/generic/${testName}.sql.`,
    );
  }
  const customName = typeof body.name === "string" ? body.name : undefined;
  delete body.name;
  let column = context.column;
  if (typeof body.column_name === "string") {
    column = body.column_name;
    delete body.column_name;
  }
  const rawConfig: Record<string, unknown> = {};
  if (body.config !== undefined) {
    if (typeof body.config !== "object" || body.config === null) {
      throw yamlError(
        file,
        text,
        [...yamlPath, testName, "config"],
        "config must be a mapping",
        "write config: {severity: warn}.",
      );
    }
    Object.assign(rawConfig, body.config);
    delete body.config;
  }
  for (const key of Object.keys(body)) {
    if (TEST_CONFIG_KEYS.has(key)) {
      rawConfig[key] = body[key];
      delete body[key];
    }
  }
  let kwargs: Record<string, unknown> = body;
  const argsPath = typeof entry === "string" ? yamlPath : [...yamlPath, testName];
  let kwargsPath = argsPath;
  if (body.arguments !== undefined) {
    if (typeof body.arguments !== "object" || body.arguments === null || Array.isArray(body.arguments)) {
      throw yamlError(
        file,
        text,
        [...argsPath, "arguments"],
        "arguments must be a mapping",
        `write arguments: {name: value}.`,
      );
    }
    kwargs = { ...(body.arguments as Record<string, unknown>) };
    delete body.arguments;
    kwargsPath = [...argsPath, "arguments"];
  }
  if (builtin) {
    if (builtin.needsColumn && column === undefined) {
      throw yamlError(
        file,
        text,
        argsPath,
        `${testName} must be declared on a column`,
        `move it under columns: [{name: ..., tests: [${testName}]}] or give column_name:.`,
      );
    }
    // Unknown arguments first: a misspelled `valuse:` is the problem, not the `values:` it leaves missing.
    const shape = builtin.args.shape;
    const unknownKey = Object.keys(kwargs).find((key) => !Object.hasOwn(shape, key));
    if (unknownKey !== undefined) {
      throw yamlKeyError(
        file,
        text,
        [...kwargsPath, unknownKey],
        `${testName} does not take the argument '${unknownKey}'`,
        unknownArgumentHint(unknownKey, builtin),
      );
    }
    const parsed = isEmpty(kwargs) ? emptyArgs(builtin) : builtin.args.safeParse(kwargs);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw yamlError(
        file,
        text,
        [...kwargsPath, ...(issue?.path ?? [])],
        `${testName}: ${issue?.message ?? "invalid arguments"}`,
        `fix the arguments of ${testName}.`,
      );
    }
    kwargs = parsed.data as Record<string, unknown>;
    if (testName === "recency" && kwargs.field === undefined && column === undefined) {
      throw yamlError(
        file,
        text,
        argsPath,
        "recency needs field: (the timestamp column)",
        "add field: loaded_at (or declare the test on that column).",
      );
    }
  }
  // Most tests have no config of their own; an empty layer validates to an empty layer.
  const config = isEmpty(rawConfig)
    ? { success: true as const, data: {} }
    : configSchemaFor("test").safeParse(rawConfig);
  if (!config.success) {
    const issue = config.error.issues[0];
    const key = issue?.path[0];
    const path = [...argsPath, "config", ...(issue?.path ?? [])];
    const message = issue?.message ?? "invalid config";
    const keyHint = issueHint(issue);
    if (keyHint) throw yamlKeyError(file, text, path, message, keyHint);
    throw yamlError(file, text, path, message, configHint(typeof key === "string" ? key : undefined));
  }
  const name =
    customName ??
    generatedTestName(
      testName,
      context.target,
      column,
      builtin?.nameSuffix(kwargs) ?? Object.values(kwargs).map((v) => JSON.stringify(v)),
    );
  return {
    testName,
    name,
    kwargs,
    config: config.data,
    ...(column === undefined ? {} : { column }),
    file,
    yamlPath: argsPath,
  };
}

/** A misspelled argument or config key (`valuse`, `severty`) gets the closest of either. */
function unknownArgumentHint(key: string, builtin: BuiltinTest): string {
  const args = Object.keys(builtin.args.shape);
  const suggestion = closestName(key, [...args, ...TEST_CONFIG_KEYS]);
  if (suggestion) return `did you mean '${suggestion}'?`;
  const takes = args.length > 0 ? `it takes ${args.join(", ")}; ` : "";
  return `remove '${key}' (${takes}config goes under config:).`;
}

function isEmpty(record: Record<string, unknown>): boolean {
  for (const _ in record) return false;
  return true;
}

/**
 * Validating `{}` against a built-in test's arguments gives the same answer every time; with 20,000
 * argument-less tests (`- not_null`) in a large project, ask zod once per test type. Each caller gets its
 * own copy of the arguments.
 */
const emptyArgsResults = new Map<BuiltinTest, ReturnType<z.ZodType["safeParse"]>>();

function emptyArgs(builtin: BuiltinTest): ReturnType<z.ZodType["safeParse"]> {
  let result = emptyArgsResults.get(builtin);
  if (!result) {
    result = builtin.args.safeParse({});
    emptyArgsResults.set(builtin, result);
  }
  return result.success ? { success: true, data: { ...(result.data as object) } } : result;
}

/** dbt-style test names: `not_null_orders_order_id`, `accepted_values_orders_status__a__b`, hashed when long. */
export function generatedTestName(
  testName: string,
  target: TestTarget,
  column: string | undefined,
  suffix: readonly string[],
): string {
  const prefix = target.kind === "source" ? `source_${testName}` : testName;
  const parts = [prefix, target.label, ...(column === undefined ? [] : [column])].join("_");
  const full = suffix.length > 0 ? `${parts}__${suffix.join("__")}` : parts;
  const clean = full.replace(/[^A-Za-z0-9_]+/g, "_").replace(/_+$/, "");
  if (clean.length <= 80) return clean;
  const hash = createHash("md5").update(full).digest("hex").slice(0, 10);
  return `${clean.slice(0, 69)}_${hash}`;
}

export function duplicateTestError(name: string, file: string, otherFile: string): ConfigError {
  return new ConfigError(`two tests are both named '${name}' (${otherFile} and ${file}).`, {
    location: { file },
    hint: "give one of them its own name: (e.g. `- unique: {name: my_unique_test}`).",
  });
}
