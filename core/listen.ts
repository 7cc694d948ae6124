import type { Server } from "node:net";
import { EnvironmentError } from "./errors.js";

/**
 * Binds an HTTP server and returns the port it got (0 asks for a free one). A taken port or a bad host is
 * an EnvironmentError under `code` naming the address and the fix, so the command fails before it starts
 * anything else.
 */
export async function listenOn(server: Server, host: string, port: number, code: string): Promise<number> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
  } catch (error) {
    throw new EnvironmentError(code, `Cannot listen on ${host}:${port}: ${String(error)}`, {
      hint: "pass another --port (or stop what holds this one)",
      cause: error,
    });
  }
  const address = server.address();
  return typeof address === "object" && address ? address.port : port;
}
