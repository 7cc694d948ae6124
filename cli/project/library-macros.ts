import { FLOE_UTILS_PACKAGE, LIBRARY, librarySource } from "../templating/floe-utils/library.js";
import { sha256 } from "./hashing.js";
import type { SourceText } from "./project-files.js";

/**
 * floe_utils' partials as the macro files of a package every project has (`floe_utils/<name>`, never by
 * the bare name, so they cannot shadow a project's own macros). They are built from code, not read from
 * disk, so the bundled CLI needs no data files; their paths are labels for errors and the manifest.
 */
let cached: readonly SourceText[] | undefined;

export function libraryMacroFiles(): readonly SourceText[] {
  cached ??= Object.entries(LIBRARY).map(([name, macro]) => {
    const text = librarySource(name, macro);
    return {
      path: `${FLOE_UTILS_PACKAGE}/macros/${name}.sql`,
      base: `${FLOE_UTILS_PACKAGE}/macros`,
      text,
      hash: sha256(text),
      package: FLOE_UTILS_PACKAGE,
    };
  });
  return cached;
}
