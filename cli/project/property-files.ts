import { closestName } from "../../core/closest-name.js";
import type { ColumnConstraint, ColumnInfo, Relation } from "../manifest/manifest.js";
import type { BuildContext } from "./build-context.js";
import type { Patch } from "./config-resolver.js";
import { shortHash, stableStringify } from "./hashing.js";
import type { SourceText } from "./project-files.js";
import { validateStrictYaml } from "./strict-yaml.js";
import { parseYaml, yamlError } from "./yaml-file.js";
import {
  type ColumnEntry,
  type ConstraintEntry,
  type PropertyFile,
  propertyFileSchema,
} from "./yml-schema.js";

/**
 * The yml property files: validated, indexed into patches (the entry describing each model and seed), and
 * their `sources:` turned into source nodes.
 */
export interface PropertyFiles {
  readonly files: readonly { file: SourceText; content: PropertyFile }[];
  readonly modelPatches: ReadonlyMap<string, Patch>;
  readonly seedPatches: ReadonlyMap<string, Patch>;
  readonly snapshotPatches: ReadonlyMap<string, Patch>;
}

export function loadPropertyFiles(ctx: BuildContext): PropertyFiles {
  const files: { file: SourceText; content: PropertyFile }[] = [];
  const modelPatches = new Map<string, Patch>();
  const seedPatches = new Map<string, Patch>();
  const snapshotPatches = new Map<string, Patch>();
  const parsed = ctx.options.parsedYaml;
  for (const file of ctx.files.propertyFiles) {
    const raw = parsed?.has(file.hash) ? parsed.get(file.hash) : parseYaml(file.text, file.path);
    if (raw === null || raw === undefined) {
      ctx.warnings.push(`${file.path} is empty; it was skipped.`);
      continue;
    }
    const content = validateStrictYaml(propertyFileSchema, raw, file.path, file.text, (path) => {
      const top = path[0];
      return top === "models" || top === "seeds" || top === "sources" || top === "snapshots"
        ? `see dbt's property file format: ${String(top)}: [{name: ..., columns: [...]}].`
        : "a property file has version: 2 and models:, seeds:, snapshots: or sources: lists.";
    });
    for (const [kind, patches] of [
      ["models", modelPatches],
      ["seeds", seedPatches],
      ["snapshots", snapshotPatches],
    ] as const) {
      (content[kind] ?? []).forEach((entry, index) => {
        const existing = patches.get(entry.name);
        if (existing) {
          throw yamlError(
            file.path,
            file.text,
            [kind, index, "name"],
            `'${entry.name}' is described twice: in ${existing.file.path} and ${file.path}`,
            `keep one ${kind}: entry for '${entry.name}'.`,
          );
        }
        patches.set(entry.name, { entry, file, path: [kind, index] });
      });
    }
    files.push({ file, content });
  }
  return { files, modelPatches, seedPatches, snapshotPatches };
}

/** Warns about yml entries that describe no model or seed (a typo, or a deleted file). */
export function warnUnmatched(
  ctx: BuildContext,
  kind: "models" | "seeds" | "snapshots",
  name: string,
  patch: Patch,
): void {
  const id = ctx.idOf(name);
  const type = kind === "models" ? "model" : kind === "seeds" ? "seed" : "snapshot";
  if (id && ctx.nodes[id]?.resource_type === type) return;
  // A disabled model's entry describes a file that exists: it is switched off, not a typo.
  if (ctx.disabled.has(name)) return;
  const suggestion = closestName(name, ctx.names());
  ctx.warnings.push(
    `${patch.file.path}: ${kind}: entry '${name}' matches no ${type} file${suggestion ? ` (did you mean '${suggestion}'?)` : ""}.`,
  );
}

export function addSources(ctx: BuildContext, propertyFiles: PropertyFiles): void {
  for (const { file, content } of propertyFiles.files) {
    const projectName = ctx.packageOf(file);
    (content.sources ?? []).forEach((source, sourceIndex) => {
      source.tables.forEach((table, tableIndex) => {
        const id = `source.${projectName}.${source.name}.${table.name}`;
        const existing = ctx.sources[id];
        if (existing) {
          throw yamlError(
            file.path,
            file.text,
            ["sources", sourceIndex, "tables", tableIndex, "name"],
            `source table '${source.name}.${table.name}' is declared twice (also in ${existing.original_file_path})`,
            "keep one declaration of each source table.",
          );
        }
        const relation: Relation = {
          catalog: source.catalog ?? source.database ?? ctx.options.target.catalog,
          schema: source.schema ?? source.name,
          identifier: table.identifier ?? table.name,
        };
        // Table over source, and `config:` over the key beside it (dbt 1.10 reads both).
        const tags = [
          ...new Set([
            ...listOf(source.tags),
            ...listOf(source.config?.tags),
            ...listOf(table.tags),
            ...listOf(table.config?.tags),
          ]),
        ];
        const meta = { ...source.meta, ...source.config?.meta, ...table.meta, ...table.config?.meta };
        const loadedAt =
          table.config?.loaded_at_field ??
          table.loaded_at_field ??
          source.config?.loaded_at_field ??
          source.loaded_at_field;
        const eventTime = table.config?.event_time ?? source.config?.event_time;
        const freshness = [
          table.config?.freshness,
          table.freshness,
          source.config?.freshness,
          source.freshness,
        ].find((f) => f !== undefined);
        ctx.sources[id] = {
          unique_id: id,
          resource_type: "source",
          name: `${source.name}.${table.name}`,
          source_name: source.name,
          table_name: table.name,
          package_name: projectName,
          original_file_path: file.path,
          path: file.path,
          fqn: [projectName, ...ctx.foldersOf(file), source.name, table.name],
          description: table.description ?? "",
          relation,
          ...(loadedAt === undefined ? {} : { loaded_at_field: loadedAt }),
          ...(freshness === undefined || freshness === null ? {} : { freshness }),
          columns: columnsOf(table.columns),
          tags,
          config: {
            enabled: true,
            tags,
            meta,
            ...(eventTime === undefined ? {} : { event_time: eventTime }),
          },
          fingerprint: {
            body: shortHash(stableStringify({ relation, loadedAt, freshness })),
            config: shortHash("{}"),
            macros: shortHash(""),
            yml: shortHash(stableStringify(table)),
          },
        };
      });
    });
  }
}

export function columnsOf(columns: readonly ColumnEntry[] | undefined): Record<string, ColumnInfo> {
  const out: Record<string, ColumnInfo> = {};
  for (const column of columns ?? []) {
    const config = column.config;
    out[column.name] = {
      name: column.name,
      description: column.description ?? "",
      ...(column.data_type === undefined ? {} : { data_type: column.data_type }),
      ...(column.constraints === undefined
        ? {}
        : { constraints: column.constraints.map((c) => constraintOf(c)) }),
      meta: config?.meta === undefined ? (column.meta ?? {}) : { ...column.meta, ...config.meta },
      tags:
        config?.tags === undefined
          ? (column.tags ?? [])
          : [...new Set([...(column.tags ?? []), ...listOf(config.tags)])],
    };
  }
  return out;
}

/** A yml constraint as the manifest keeps it (type, and a name or expression when given). */
export function constraintOf(entry: ConstraintEntry): ColumnConstraint {
  return {
    type: entry.type,
    ...(entry.name === undefined ? {} : { name: entry.name }),
    ...(entry.expression === undefined ? {} : { expression: entry.expression }),
    ...(entry.columns === undefined ? {} : { columns: entry.columns }),
  };
}

/** `tags: a` or `tags: [a, b]`. */
function listOf(value: string | readonly string[] | undefined): readonly string[] {
  return value === undefined ? [] : typeof value === "string" ? [value] : value;
}
