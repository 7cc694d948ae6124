import { ConfigError } from "../../core/errors.js";
import {
  type ConfigKind,
  type ConfigLayer,
  configHint,
  configSchemaFor,
  type ModelConfig,
  mergeLayers,
  type SeedConfig,
  type SnapshotConfig,
  type TestConfig,
  toModelConfig,
  toSeedConfig,
  toSnapshotConfig,
  toTestConfig,
} from "../manifest/config.js";
import { issueHint } from "../manifest/strict-keys.js";
import type { CallNode } from "../templating/ast.js";
import { readConfigCalls } from "../templating/template-config.js";
import { ConfigTree } from "./config-tree.js";
import { shortHash, stableStringify } from "./hashing.js";
import type { ProjectFiles, SourceText } from "./project-files.js";
import { yamlKeyError } from "./strict-yaml.js";
import { yamlError } from "./yaml-file.js";
import type { NodeEntry } from "./yml-schema.js";

/**
 * Resolves a node's config from its layers: the project tree, its yml `config:`, its `{{config}}` calls.
 * Thousands of nodes share a handful of distinct layer combinations, so each distinct combination is
 * validated, merged and hashed once, and nodes with equal configs share one (read-only) config object.
 * Layers are identified by object identity: tree and template layers are cached per distinct value, so
 * equal layers are the same object.
 */
export interface Resolved<C> {
  readonly config: C;
  /** `fingerprint.config`: a hash of the config with sorted keys. */
  readonly hash: string;
}

function treesOf(config: ProjectFiles["config"], project: SourceText): Record<Kind, ConfigTree> {
  const { name } = config;
  const testTreeKey = Object.keys(config.data_tests).length > 0 ? "data_tests" : "tests";
  return {
    model: new ConfigTree(config.models, "models", "model", name, project.path, project.text),
    seed: new ConfigTree(config.seeds, "seeds", "seed", name, project.path, project.text),
    snapshot: new ConfigTree(config.snapshots, "snapshots", "snapshot", name, project.path, project.text),
    test: new ConfigTree(
      testTreeKey === "data_tests" ? config.data_tests : config.tests,
      testTreeKey,
      "test",
      name,
      project.path,
      project.text,
    ),
  };
}

/** A yml entry that describes a model, seed or snapshot (`models: [{name: x, config: {...}}]`). */
export interface Patch {
  readonly entry: NodeEntry & { readonly relation?: string | undefined };
  readonly file: SourceText;
  readonly path: readonly PropertyKey[];
}

/** The kinds with a tree in floe_project.yml (a unit test's config is its yml entry's only). */
type Kind = Exclude<ConfigKind, "unit_test">;
type AnyConfig = ModelConfig | SeedConfig | SnapshotConfig | TestConfig;

export class ConfigResolver {
  readonly modelTree: ConfigTree;
  readonly seedTree: ConfigTree;
  readonly snapshotTree: ConfigTree;
  readonly testTree: ConfigTree;
  /** Each installed package's own trees (its floe_project.yml), by package name. */
  private readonly packageTrees = new Map<string, Record<Kind, ConfigTree>>();
  private readonly templateLayerCache = new Map<string, ConfigLayer>();
  private readonly testLayerCache = new Map<string, ConfigLayer>();
  private readonly layerIds = new WeakMap<ConfigLayer, number>();
  private nextLayerId = 0;
  private readonly resolved = new Map<string, Resolved<AnyConfig>>();

  constructor(
    files: ProjectFiles,
    private readonly state: Parameters<typeof readConfigCalls>[2],
  ) {
    const root = treesOf(files.config, files.project);
    this.modelTree = root.model;
    this.seedTree = root.seed;
    this.snapshotTree = root.snapshot;
    this.testTree = root.test;
    for (const pkg of files.packages ?? []) this.packageTrees.set(pkg.name, treesOf(pkg.config, pkg.project));
  }

  /**
   * The project-tree layers of a node: the root project's tree, or for a package's node its own project's
   * tree and then the root's (where `models: <package>: ...` reaches into it), so the root project has the
   * last word, as in dbt.
   */
  treeLayers(kind: Kind, pkg: string | undefined, parts: readonly string[]): ConfigLayer[] {
    const root = {
      model: this.modelTree,
      seed: this.seedTree,
      snapshot: this.snapshotTree,
      test: this.testTree,
    }[kind];
    const own = pkg === undefined ? undefined : this.packageTrees.get(pkg);
    if (pkg === undefined || !own) return root.layers(parts);
    return [...own[kind].layers(parts), ...root.layers([pkg, ...parts], false)];
  }

  model(layers: readonly ConfigLayer[]): Resolved<ModelConfig> {
    return this.resolve("model", layers, toModelConfig) as Resolved<ModelConfig>;
  }

  seed(layers: readonly ConfigLayer[]): Resolved<SeedConfig> {
    return this.resolve("seed", layers, toSeedConfig) as Resolved<SeedConfig>;
  }

  snapshot(layers: readonly ConfigLayer[]): Resolved<SnapshotConfig> {
    return this.resolve("snapshot", layers, toSnapshotConfig) as Resolved<SnapshotConfig>;
  }

  test(layers: readonly ConfigLayer[]): Resolved<TestConfig> {
    return this.resolve("test", layers, toTestConfig) as Resolved<TestConfig>;
  }

  /** A generic test's own config layer, interned by value (each yml entry parses to a fresh object). */
  internTestLayer(layer: ConfigLayer): ConfigLayer {
    const key = stableStringify(layer);
    const cached = this.testLayerCache.get(key);
    if (cached) return cached;
    this.testLayerCache.set(key, layer);
    return layer;
  }

  /**
   * The yml `config:` of a model or seed entry, validated, with the entry's own `tags:` and `meta:` (dbt
   * reads them beside `config:` too; `config:` wins for a meta key, tags accumulate).
   */
  ymlLayer(patch: Patch | undefined, kind: "model" | "seed" | "snapshot"): ConfigLayer[] {
    const entry = patch?.entry;
    if (!patch || !entry || (!entry.config && entry.tags === undefined && entry.meta === undefined))
      return [];
    const result = configSchemaFor(kind).safeParse(entry.config ?? {});
    if (!result.success) {
      const issue = result.error.issues[0];
      const key = issue?.path[0];
      const path = [...patch.path, "config", ...(issue?.path ?? [])];
      const message = issue?.message ?? "invalid config";
      const keyHint = issueHint(issue);
      if (keyHint) throw yamlKeyError(patch.file.path, patch.file.text, path, message, keyHint);
      throw yamlError(
        patch.file.path,
        patch.file.text,
        path,
        message,
        configHint(typeof key === "string" ? key : undefined),
      );
    }
    const layer = result.data;
    if (entry.tags === undefined && entry.meta === undefined) return [layer];
    const own = configSchemaFor(kind).parse({
      ...(entry.tags === undefined ? {} : { tags: entry.tags }),
      ...(entry.meta === undefined ? {} : { meta: entry.meta }),
    });
    return [own, layer];
  }

  /** The layers of a template's `{{config}}` calls, in order. */
  templateLayers(configs: readonly CallNode[], file: string, kind: ConfigKind): ConfigLayer[] {
    if (configs.length === 0) return [];
    return readConfigCalls(configs, file, this.state).map((call) => {
      // Thousands of models share a handful of distinct {{config}} calls: validate each distinct one once.
      const key = `${kind}:${stableStringify(call.values)}`;
      const cached = this.templateLayerCache.get(key);
      if (cached) return cached;
      const result = configSchemaFor(kind).safeParse(call.values);
      if (!result.success) {
        const issue = result.error.issues[0];
        const configKey = issue?.path[0];
        throw new ConfigError(`{{config}}: ${issue?.message ?? "invalid value"}.`, {
          location: { file, line: call.line, column: call.column },
          hint: issueHint(issue) ?? configHint(typeof configKey === "string" ? configKey : undefined),
        });
      }
      this.templateLayerCache.set(key, result.data);
      return result.data;
    });
  }

  private resolve<C extends AnyConfig>(
    kind: Kind,
    layers: readonly ConfigLayer[],
    finish: (merged: ConfigLayer) => C,
  ): Resolved<C> {
    let key: string = kind;
    for (const layer of layers) key += `,${this.layerId(layer)}`;
    let resolved = this.resolved.get(key);
    if (!resolved) {
      const config = finish(mergeLayers(layers));
      resolved = { config, hash: shortHash(stableStringify(config)) };
      this.resolved.set(key, resolved);
    }
    return resolved as Resolved<C>;
  }

  private layerId(layer: ConfigLayer): number {
    let id = this.layerIds.get(layer);
    if (id === undefined) {
      id = this.nextLayerId++;
      this.layerIds.set(layer, id);
    }
    return id;
  }
}
