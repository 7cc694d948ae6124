import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";
import { EnvironmentError } from "../../core/errors.js";

/**
 * `floe docs serve`: the target folder over HTTP with node:http (no dependency). Read-only, GET/HEAD
 * only, and never outside the folder. dbt's default port is 8080, which Trino owns on the local stack,
 * so Floe defaults to 8580.
 */
export const DEFAULT_DOCS_PORT = 8580;

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".sql": "text/plain; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

/** The file a request path names inside `root`, or undefined when it would leave it. Pure. */
export function resolveRequestPath(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split("?")[0]!.split("#")[0]!);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0")) return undefined;
  const relativePath = normalize(decoded).replace(/^([/\\])+/, "");
  const full = resolve(root, relativePath === "" || relativePath === "." ? "index.html" : relativePath);
  const base = resolve(root);
  return full === base || full.startsWith(base + sep) ? full : undefined;
}

export function serveDocs(root: string, port: number, host: string): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { Allow: "GET, HEAD" }).end();
      return;
    }
    let path = resolveRequestPath(root, request.url ?? "/");
    if (path && existsSync(path) && statSync(path).isDirectory()) path = join(path, "index.html");
    if (!path || !existsSync(path) || !statSync(path).isFile()) {
      response.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("Not found\n");
      return;
    }
    response.writeHead(200, {
      "Content-Type": TYPES[extname(path).toLowerCase()] ?? "application/octet-stream",
      "Content-Length": statSync(path).size,
      "Cache-Control": "no-cache",
    });
    if (request.method === "HEAD") response.end();
    else createReadStream(path).pipe(response);
  });
  return new Promise((resolvePromise, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE"
          ? new EnvironmentError("PORT_IN_USE", `port ${port} on ${host} is in use.`, {
              hint: "pass another port, e.g. floe docs serve --port 8581.",
            })
          : error,
      );
    });
    server.listen(port, host, () => resolvePromise(server));
  });
}
