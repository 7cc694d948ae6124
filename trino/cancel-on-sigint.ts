import type { TrinoConnection } from "./connection.js";

/**
 * Ctrl-C while queries run: abort the signal (callers stop scheduling new work and record partial
 * results) and cancel every running query on Trino, so nothing keeps burning the cluster. A second
 * Ctrl-C exits at once. Returns a function that removes the handler.
 */
export function cancelOnSigint(connection: TrinoConnection, controller: AbortController): () => void {
  let pressed = 0;
  const handler = () => {
    pressed += 1;
    if (pressed > 1) process.exit(130);
    process.stderr.write("\nCancelling running queries… (Ctrl-C again to exit now)\n");
    controller.abort();
    void connection.cancelAll();
  };
  process.on("SIGINT", handler);
  return () => process.off("SIGINT", handler);
}
