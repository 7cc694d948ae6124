import { buildChildMap, rememberOrder } from "../graph/graph.js";
import { MANIFEST_SCHEMA_VERSION, type Manifest } from "../manifest/manifest.js";
import { createTemplateEnvironment } from "../templating/environment.js";
import { FLOE_UTILS_PACKAGE } from "../templating/floe-utils/library.js";
import { BuildContext } from "./build-context.js";
import { applyDocBlocks, collectDocBlocks, docNodes } from "./docs-blocks.js";
import { checkCycles } from "./graph-checks.js";
import { libraryMacroFiles } from "./library-macros.js";
import { addModel, addSeed, type PendingRefs, resolveDependencies } from "./model-nodes.js";
import { checkVersionFiles, modelVersions } from "./model-versions.js";
import { stem } from "./node-paths.js";
import type { BuildOptions, ParsedProject } from "./parsed-project.js";
import type { ProjectFiles } from "./project-files.js";
import { addSources, loadPropertyFiles, warnUnmatched } from "./property-files.js";
import { addSnapshotFile, addYmlSnapshots } from "./snapshot-nodes.js";
import { TestBuilder } from "./test-nodes.js";
import { addUnitTests } from "./unit-test-nodes.js";

export { bodyFingerprint, sha256, shortHash, stableStringify } from "./hashing.js";
export type { BuildOptions, NodeTemplate, ParsedProject } from "./parsed-project.js";
export { parseRelationshipTarget, type RelationshipTarget } from "./relationship-target.js";

/**
 * Project files → a validated manifest plus what is needed to render each node. Pure: no file system, no
 * network, no clock (the caller passes `generatedAt`). Errors name the file, line and fix.
 *
 * The steps, each in its own module: macros (`macro-registry.ts`), yml property files and sources
 * (`property-files.ts`), models and seeds (`model-nodes.ts`), tests (`test-nodes.ts`), the graph check
 * (`graph-checks.ts`); configs are resolved by `config-resolver.ts`, shared state lives in `build-context.ts`.
 */
export function buildProject(files: ProjectFiles, options: BuildOptions): ParsedProject {
  const ctx = new BuildContext(files, options);
  ctx.macros.load([...files.macros, ...libraryMacroFiles()], (file) => ctx.parse(file));
  const environment = createTemplateEnvironment(
    [...ctx.macros.entries()].map(([name, m]) => ({
      name,
      file: m.file.path,
      ast: m.ast,
      source: m.file.text,
      ...(m.file.package === FLOE_UTILS_PACKAGE ? { locateAtCaller: true } : {}),
    })),
  );
  const propertyFiles = loadPropertyFiles(ctx);
  addSources(ctx, propertyFiles);
  const pending: PendingRefs = new Map();
  const versions = modelVersions(propertyFiles);
  const versionFiles = new Set<string>();
  for (const file of files.models) {
    const version = versions.get(stem(file.path));
    if (version) versionFiles.add(stem(file.path));
    addModel(
      ctx,
      file,
      version ? version.modelPatch : propertyFiles.modelPatches.get(stem(file.path)),
      pending,
      version,
    );
  }
  checkVersionFiles(versions, versionFiles);
  for (const file of files.seeds) addSeed(ctx, file, propertyFiles.seedPatches.get(stem(file.path)));
  for (const file of files.snapshots ?? []) {
    addSnapshotFile(ctx, file, propertyFiles.snapshotPatches.get(stem(file.path)), pending);
  }
  addYmlSnapshots(ctx, propertyFiles.snapshotPatches, pending);
  for (const [name, patch] of propertyFiles.modelPatches) warnUnmatched(ctx, "models", name, patch);
  for (const [name, patch] of propertyFiles.seedPatches) warnUnmatched(ctx, "seeds", name, patch);
  for (const [name, patch] of propertyFiles.snapshotPatches) warnUnmatched(ctx, "snapshots", name, patch);
  const docBlocks = collectDocBlocks(files.docFiles ?? []);
  applyDocBlocks(ctx.nodes, ctx.sources, docBlocks);
  const tests = new TestBuilder(ctx);
  resolveDependencies(ctx, pending);
  tests.addYmlTests(propertyFiles);
  for (const file of files.singularTests) tests.addSingularTest(file);
  const unitTests = addUnitTests(ctx, propertyFiles);
  // The parent map shares each node's (read-only) depends_on.nodes array rather than copying 30,000 arrays.
  const parentMap: Record<string, readonly string[]> = {};
  for (const id of Object.keys(ctx.sources)) parentMap[id] = [];
  for (const id in ctx.nodes)
    parentMap[id] = (ctx.nodes[id] as { depends_on: { nodes: readonly string[] } }).depends_on.nodes;
  const childMap = buildChildMap(parentMap);
  const order = checkCycles(ctx.nodes, parentMap, childMap);
  const manifest: Manifest = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    metadata: {
      floe_version: options.floeVersion ?? "0.1.0",
      generated_at: options.generatedAt ?? new Date(0).toISOString(),
      project_name: ctx.projectName,
      target_name: options.target.name,
      adapter_type: "trino",
    },
    nodes: ctx.nodes,
    sources: ctx.sources,
    macros: Object.fromEntries([...ctx.macros.values()].map((m) => [m.node.unique_id, m.node])),
    unit_tests: unitTests,
    ...(docBlocks.size > 0 ? { docs: docNodes(docBlocks, ctx.projectName, files.docFiles ?? []) } : {}),
    parent_map: parentMap,
    child_map: childMap,
  };
  rememberOrder(manifest, order);
  return {
    root: files.root,
    manifest,
    target: options.target,
    targetPath: ctx.targetPath,
    vars: ctx.vars,
    env: options.env,
    environment,
    templates: ctx.templates,
    warnings: ctx.warnings,
    runHooks: { onRunStart: files.config["on-run-start"], onRunEnd: files.config["on-run-end"] },
  };
}
