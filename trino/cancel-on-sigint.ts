import type { TrinoConnection } from "./connection.js";

/**
 * Ctrl-C while queries run: abort the signal (callers stop scheduling new work and record partial
 * results) and cancel every running query on Trino, so nothing keeps burning the cluster; `notice` tells
 * the user (the CLI passes its stderr). A second Ctrl-C exits at once. Returns a function that removes
 * the handler.
 */
export function cancelOnSigint(
  connection: TrinoConnection,
  controller: AbortController,
  notice: (text: string) => void,
): () => void {
  let pressed = 0;
  const handler = () => {
    pressed += 1;
    if (pressed > 1) process.exit(130);
    notice("\nCancelling running queries… (Ctrl-C again to exit now)\n");
    controller.abort();
    void connection.cancelAll();
  };
  process.on("SIGINT", handler);
  return () => process.off("SIGINT", handler);
}
