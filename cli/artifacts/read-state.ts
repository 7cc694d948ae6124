import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { UsageError } from "../../core/errors.js";
import type { Manifest } from "../manifest/manifest.js";
import { DBT_MANIFEST_SCHEMA_URL, fromDbtManifest, isFloeManifest } from "./dbt-manifest.js";

/** Parses an artifact file as JSON; a broken file is a usage error naming it and how to regenerate it. */
export function readJsonArtifact(path: string, regenerateHint: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(`${path} is not valid JSON: ${(error as Error).message}.`, { hint: regenerateHint });
  }
}

/** Reads `<dir>/manifest.json` for `state:` selectors and `--state`. */
export function readStateManifest(dir: string): Manifest {
  const path = join(dir, "manifest.json");
  if (!existsSync(path)) {
    throw new UsageError(`--state ${dir}: there is no manifest.json in it.`, {
      hint: "point --state at a target/ folder of an earlier floe compile/run (e.g. copied from production).",
    });
  }
  const parsed = readJsonArtifact(path, "regenerate it with floe compile.");
  if (!isFloeManifest(parsed)) {
    const version = (parsed as { metadata?: { dbt_schema_version?: unknown } }).metadata?.dbt_schema_version;
    throw new UsageError(
      `${path} was not written by this version of Floe (dbt_schema_version ${String(version)}, or nodes without meta.floe); this Floe reads ${DBT_MANIFEST_SCHEMA_URL} with Floe's part.`,
      {
        hint: "regenerate the state manifest with this version of floe (floe compile in that checkout).",
      },
    );
  }
  return fromDbtManifest(parsed);
}

const runResultsSchema = z.object({
  results: z.array(z.looseObject({ unique_id: z.string(), status: z.string() })),
});

/** unique_id → status from `<dir>/run_results.json`, or undefined when there is none. */
export function readRunResults(dir: string): Map<string, string> | undefined {
  const path = join(dir, "run_results.json");
  if (!existsSync(path)) return undefined;
  const parsed = readJsonArtifact(path, "rerun the command that writes it.");
  const result = runResultsSchema.safeParse(parsed);
  if (!result.success) {
    throw new UsageError(`${path} does not look like run results (results: [{unique_id, status}]).`, {
      hint: "rerun the command that writes it.",
    });
  }
  return new Map(result.data.results.map((r) => [r.unique_id, r.status]));
}
