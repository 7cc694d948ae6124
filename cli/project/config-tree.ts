import {
  CONFIG_KEYS,
  type ConfigKind,
  type ConfigLayer,
  configHint,
  configSchemaFor,
  MERGED_DICTS,
} from "../manifest/config.js";
import { issueHint } from "../manifest/strict-keys.js";
import { yamlKeyError } from "./strict-yaml.js";
import { yamlError } from "./yaml-file.js";

/**
 * Config from a `models:` / `seeds:` / `tests:` tree in floe_project.yml. `+key` entries are config; other
 * keys descend into folders (the first level may also be the project name, as in dbt). A plain key that
 * is a known config name with a non-mapping value (`materialized: view`) is config too, like in dbt.
 */
const PLAIN_CONFIG_KEYS: ReadonlySet<string> = new Set(
  Object.values(CONFIG_KEYS)
    .flat()
    .filter((key) => !MERGED_DICTS.has(key)),
);

export class ConfigTree {
  private readonly cache = new Map<string, ConfigLayer>();
  private readonly byNode = new WeakMap<object, ConfigLayer>();

  constructor(
    private readonly tree: Readonly<Record<string, unknown>>,
    private readonly treeKey: string,
    private readonly kind: ConfigKind,
    private readonly projectName: string,
    private readonly file: string,
    private readonly text: string,
  ) {}

  /**
   * The layers along `parts` (folders, then the node name), least specific first. `ownProject` false: the
   * node is an installed package's, whose path starts with its package name, so the tree's own project
   * key is not entered.
   */
  layers(parts: readonly string[], ownProject = true): ConfigLayer[] {
    // Called once per node (30,000 in a large project): walk by object identity and build the YAML path
    // (for error messages) only the first time a tree node is seen.
    const layers: ConfigLayer[] = [];
    let node = this.tree as Record<string, unknown>;
    let viaProject = false;
    layers.push(this.layerOf(node, parts, 0, viaProject));
    const own = ownProject ? node[this.projectName] : undefined;
    if (isMapping(own)) {
      node = own;
      viaProject = true;
      layers.push(this.layerOf(node, parts, 0, viaProject));
    }
    for (let depth = 0; depth < parts.length; depth++) {
      const child = node[parts[depth] as string];
      if (!isMapping(child)) break;
      node = child;
      layers.push(this.layerOf(node, parts, depth + 1, viaProject));
    }
    return layers;
  }

  private layerOf(
    node: Record<string, unknown>,
    parts: readonly string[],
    depth: number,
    viaProject: boolean,
  ): ConfigLayer {
    const cached = this.byNode.get(node);
    if (cached) return cached;
    const path = [this.treeKey, ...(viaProject ? [this.projectName] : []), ...parts.slice(0, depth)];
    const layer = this.layerAt(node, path);
    this.byNode.set(node, layer);
    return layer;
  }

  private layerAt(node: unknown, path: readonly string[]): ConfigLayer {
    const key = path.join("\u0000");
    const cached = this.cache.get(key);
    if (cached) return cached;
    const raw: Record<string, unknown> = {};
    const origin: Record<string, string> = {};
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      if (k.startsWith("+")) {
        raw[k.slice(1)] = v;
        origin[k.slice(1)] = k;
      } else if (PLAIN_CONFIG_KEYS.has(k) && !isMapping(v)) {
        raw[k] = v;
        origin[k] = k;
      }
    }
    const result = configSchemaFor(this.kind).safeParse(raw);
    if (!result.success) {
      const issue = result.error.issues[0];
      const configKey = String(issue?.path[0] ?? "");
      const at = [...path, origin[configKey] ?? configKey, ...(issue?.path.slice(1) ?? [])];
      const message = issue?.message ?? "invalid config";
      const keyHint = issueHint(issue);
      if (keyHint) throw yamlKeyError(this.file, this.text, at, message, keyHint);
      throw yamlError(this.file, this.text, at, message, configHint(configKey));
    }
    this.cache.set(key, result.data);
    return result.data;
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
