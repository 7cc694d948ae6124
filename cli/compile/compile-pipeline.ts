import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { writeFileAtomic } from "../../core/write-file-atomic.js";
import { loadProjectFiles } from "../project/load-project.js";
import type { ProjectFiles, SourceText } from "../project/project-files.js";
import { parseYaml } from "../project/yaml-file.js";
import type { Program } from "../templating/ast.js";
import { parseSimpleTemplate } from "../templating/fast-parse.js";
import { compactAstReplacer, parseTemplate } from "../templating/parse-template.js";
import { parseWorkerUrl } from "../templating/parse-worker-url.js";
import { type LoadProjectOptions, type ParsedProject, parseProject } from "./compile.js";

/**
 * `loadProject` for the CLI: the same result, faster. Templates in the simple subset (text, `{{name "arg"}}`
 * calls, inline partials) are parsed by the fast parser, which is quicker than reading any cache. The rest
 * need Handlebars' own parser: their ASTs, and the parsed YAML property files, are cached under
 * `target/.floe-cache/` by content hash, so an unchanged file is never parsed twice; a large cold parse is
 * split with one worker thread (the machines have 2 cores). The cache is only an accelerator: a missing or
 * corrupt cache file means a full parse, never a wrong result.
 */
// 3: YAML values are bounded when parsed (yaml-file.ts); an entry written before that is never reused.
// 4: templates holding Jinja (`{%`, `{#`) are errors (jinja-habits.ts); an entry parsed before that is never reused.
const CACHE_VERSION = 4;
const WORKER_THRESHOLD = 400;

interface ParseCache {
  readonly version: number;
  /** Only templates outside the fast parser's subset. */
  readonly templates: Record<string, Program>;
  readonly yaml: Record<string, unknown>;
}

export interface PipelineStats {
  /** Left to the build, which reads them with the fast parser (or, if a syntax check misjudged one, Handlebars). */
  readonly templatesFast: number;
  /** Parsed by Handlebars (a cache miss). */
  readonly templatesParsed: number;
  readonly templatesCached: number;
  readonly yamlParsed: number;
  readonly yamlCached: number;
}

export async function loadProjectFast(
  options: LoadProjectOptions & {
    readonly useCache?: boolean;
    /** The project's files, when the caller has read them already (result-cache.ts). */
    readonly files?: ProjectFiles;
  },
): Promise<{ project: ParsedProject; stats: PipelineStats }> {
  const files = options.files ?? loadProjectFiles(options.projectDir ?? process.cwd(), options.targetPath);
  // Only templates outside the fast parser's subset are parsed here (cache, worker); the build parses the
  // rest itself and does not keep their ASTs (see BuildContext.template).
  const complex: SourceText[] = [];
  const seen = new Set<string>();
  for (const file of templateFiles(files)) {
    if (seen.has(file.hash)) continue;
    seen.add(file.hash);
    if (mayNeedHandlebars(file.text) && !parseSimpleTemplate(file.text)) complex.push(file);
  }
  const templatesFast = seen.size - complex.length;
  const useCache = options.useCache !== false;
  const needsCache = complex.length > 0 || files.propertyFiles.length > 0;
  const cachePath = join(files.root, files.config["target-path"], ".floe-cache", "parse-cache.json");
  const cache = useCache && needsCache ? readCache(cachePath) : undefined;
  const complexTemplates = new Map<string, Program>();
  const misses: SourceText[] = [];
  for (const file of complex) {
    const hit = cache?.templates[file.hash];
    if (hit) complexTemplates.set(file.hash, hit);
    else misses.push(file);
  }
  const templatesCached = complexTemplates.size;
  await parseTemplates(misses, complexTemplates);
  const yaml = new Map<string, unknown>();
  let yamlParsed = 0;
  for (const file of files.propertyFiles) {
    if (cache && Object.hasOwn(cache.yaml, file.hash)) {
      yaml.set(file.hash, cache.yaml[file.hash]);
    } else {
      yaml.set(file.hash, parseYaml(file.text, file.path));
      yamlParsed++;
    }
  }
  const project = parseProject(files, { ...options, parsedTemplates: complexTemplates, parsedYaml: yaml });
  if (useCache && needsCache && (misses.length > 0 || yamlParsed > 0 || !cache)) {
    // The AST replacer drops keys like `loc`; user YAML must be serialised without it.
    const templatesJson = JSON.stringify(Object.fromEntries(complexTemplates), compactAstReplacer);
    const yamlJson = JSON.stringify(Object.fromEntries(yaml));
    writeFileAtomic(
      cachePath,
      `{"version":${CACHE_VERSION},"templates":${templatesJson},"yaml":${yamlJson}}`,
    );
  }
  return {
    project,
    stats: {
      templatesFast,
      templatesParsed: misses.length,
      templatesCached,
      yamlParsed,
      yamlCached: files.propertyFiles.length - yamlParsed,
    },
  };
}

/**
 * False only for text the fast parser surely reads: no block, comment, triple-stash, whitespace-control or
 * else syntax. (Text it may still read is tried by the fast parser; a wrong guess only costs time.)
 */
function mayNeedHandlebars(text: string): boolean {
  return /\{\{\s*(?:[#/^!{~&]|else\b)|\\\{\{/.test(text);
}

function templateFiles(files: ProjectFiles): SourceText[] {
  return [...files.macros, ...files.models, ...files.singularTests, ...files.genericTests];
}

function readCache(path: string): ParseCache | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const cache = JSON.parse(readFileSync(path, "utf8")) as ParseCache;
    return cache.version === CACHE_VERSION && cache.templates && cache.yaml ? cache : undefined;
  } catch {
    return undefined;
  }
}

/** Parses `files` into `into`, half of a large batch on a worker thread. Errors surface from the main thread. */
async function parseTemplates(files: readonly SourceText[], into: Map<string, Program>): Promise<void> {
  const workerUrl = parseWorkerUrl();
  const canUseWorker = files.length >= WORKER_THRESHOLD && import.meta.url.endsWith(".js");
  const split = canUseWorker ? Math.floor(files.length / 2) : 0;
  const offloaded = files.slice(0, split);
  const pending = canUseWorker
    ? new Promise<{ hash: string; json: string }[]>((resolve, reject) => {
        const worker = new Worker(workerUrl, {
          workerData: { files: offloaded.map((f) => ({ hash: f.hash, path: f.path, text: f.text })) },
        });
        worker.once("message", resolve);
        worker.once("error", reject);
      })
    : Promise.resolve([]);
  for (const file of files.slice(split)) into.set(file.hash, parseTemplate(file.text, file.path));
  for (const { hash, json } of await pending) into.set(hash, JSON.parse(json) as Program);
  // Whatever the worker could not parse is parsed here, which throws the located syntax error.
  for (const file of offloaded)
    if (!into.has(file.hash)) into.set(file.hash, parseTemplate(file.text, file.path));
}
