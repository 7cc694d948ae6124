/**
 * The parse worker's file, resolved beside this module: `dist/cli/templating/` when run from tsc's output,
 * and the bundle's folder when bundled (scripts/bundle-cli.mjs emits the worker there as `parse-worker.js`,
 * next to the chunk this module lands in). Keeping the URL here, not in its caller, makes it independent
 * of where the caller sits.
 */
export function parseWorkerUrl(): URL {
  return new URL("./parse-worker.js", import.meta.url);
}
