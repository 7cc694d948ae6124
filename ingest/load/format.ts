import { UsageError } from "../../core/errors.js";

/**
 * The file formats `floe ingest load` reads, and how a file's format is known: `--format` when given,
 * else the file name's extension (a URL's path, query string aside). Pure.
 */

export const LOAD_FORMATS = ["ndjson", "csv", "parquet"] as const;
export type LoadFormat = (typeof LOAD_FORMATS)[number];

const EXTENSIONS: Record<string, LoadFormat> = {
  ".ndjson": "ndjson",
  ".jsonl": "ndjson",
  ".json": "ndjson",
  ".csv": "csv",
  ".parquet": "parquet",
  ".pq": "parquet",
};

/** The extensions recognised, for help text and messages. */
export const KNOWN_EXTENSIONS = Object.keys(EXTENSIONS);

/** The extension of a local name or a URL's path, lower-cased (`""` when it has none). */
export function extensionOf(name: string): string {
  let path = name;
  if (/^https?:\/\//i.test(name)) {
    try {
      path = new URL(name).pathname;
    } catch {
      path = name;
    }
  }
  const base = path.slice(path.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot <= 0 ? "" : base.slice(dot).toLowerCase();
}

/** Whether a folder entry is a file `load` would read (so a folder's other files are left alone). */
export function isLoadable(name: string): boolean {
  return extensionOf(name) in EXTENSIONS;
}

/** The format of `name`: `explicit` (from --format) wins; otherwise the extension decides. */
export function formatOf(name: string, explicit?: string): LoadFormat {
  if (explicit !== undefined) {
    const given = explicit.toLowerCase();
    if ((LOAD_FORMATS as readonly string[]).includes(given)) return given as LoadFormat;
    throw new UsageError(`unknown --format ${JSON.stringify(explicit)}`, {
      hint: `use one of ${LOAD_FORMATS.join(", ")}`,
    });
  }
  const extension = extensionOf(name);
  const format = EXTENSIONS[extension];
  if (format) return format;
  throw new UsageError(
    `cannot tell the format of ${name}${extension ? ` (extension ${extension})` : " (no extension)"}`,
    { hint: `name it ${KNOWN_EXTENSIONS.join(", ")} or pass --format ${LOAD_FORMATS.join("|")}` },
  );
}
