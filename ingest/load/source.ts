import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { EnvironmentError, FloeError } from "../../core/errors.js";
import { isRetriable, type RetryPolicy, withRetry } from "../../core/retry.js";
import { isLoadable } from "./format.js";

/**
 * Where a load's files come from: a local file, a folder of files, or an http(s) URL. A URL is downloaded
 * whole into a temporary file before a row is read, so a connection dropped midway costs a retry of the
 * download, never a half-published file; its SHA-256 is computed on the way.
 */

export interface LocalFile {
  /** What the user named it by (a path or a URL): messages and the `source_file` header. */
  readonly name: string;
  readonly path: string;
}

export const isUrl = (source: string) => /^https?:\/\//i.test(source);

/** The files of a local source: the file itself, or a folder's loadable files in name order. */
export async function localFiles(source: string): Promise<LocalFile[]> {
  const path = resolve(source);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    throw new FloeError("LOAD_NOT_FOUND", `no such file or folder: ${source}`, {
      hint: "check the path (relative to the current folder), or pass an http(s) URL",
    });
  }
  if (info.isFile()) return [{ name: source, path }];
  const names = (await readdir(path)).filter(isLoadable).sort();
  const files: LocalFile[] = [];
  for (const name of names) {
    const full = join(path, name);
    if ((await stat(full)).isFile()) files.push({ name: join(source, name), path: full });
  }
  if (files.length === 0) {
    throw new FloeError(
      "LOAD_NOT_FOUND",
      `the folder ${source} holds no .ndjson, .jsonl, .json, .csv or .parquet file`,
      {
        hint: "point at a file, or at a folder of such files",
      },
    );
  }
  return files;
}

/** SHA-256 of a file's bytes, hex, and its size. */
export async function sha256File(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), bytes };
}

export interface FetchOptions {
  /** Until the response's headers arrive. */
  readonly connectTimeoutMs: number;
  /** The longest silence while the body streams. */
  readonly readTimeoutMs: number;
  readonly retry: RetryPolicy;
  readonly signal?: AbortSignal;
  readonly onRetry?: (attempt: number, error: unknown, waitMs: number) => void;
}

/** An HTTP status that is not 2xx; 408, 429 and 5xx are worth another attempt, other 4xx are not. */
export class HttpStatusError extends FloeError {
  override readonly name: string = "HttpStatusError";
  constructor(
    readonly url: string,
    readonly status: number,
  ) {
    const retriable = status >= 500 || status === 408 || status === 429;
    super("LOAD_HTTP_STATUS", `GET ${url} answered ${status}`, {
      hint: retriable ? "the server may recover: run the load again later" : "check the URL and its access",
      retriable,
    });
  }
}

/** A URL's body in a temporary file (removed by `cleanup`), with its SHA-256. */
export interface Downloaded extends LocalFile {
  readonly sha256: string;
  readonly bytes: number;
  cleanup(): Promise<void>;
}

export async function download(url: string, options: FetchOptions): Promise<Downloaded> {
  const dir = await mkdtemp(join(tmpdir(), "floe-load-"));
  const path = join(dir, basename(new URL(url).pathname) || "download");
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    const got = await withRetry(
      options.retry,
      () => downloadOnce(url, path, options),
      options.onRetry,
      (error) => options.signal?.aborted !== true && isRetriable(error),
    );
    return { name: url, path, ...got, cleanup };
  } catch (error) {
    await cleanup();
    if (error instanceof HttpStatusError) throw error;
    throw new EnvironmentError("LOAD_URL_UNREACHABLE", `cannot download ${url}: ${describe(error)}`, {
      hint: "check the URL and the network; the load recorded nothing, so running it again is safe",
      retriable: true,
      cause: error,
    });
  }
}

async function downloadOnce(url: string, path: string, options: FetchOptions) {
  const controller = new AbortController();
  const abort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", abort, { once: true });
  let timer = setTimeout(
    () => controller.abort(timeoutError(`no response within ${options.connectTimeoutMs} ms`)),
    options.connectTimeoutMs,
  );
  try {
    const response = await fetch(url, { signal: controller.signal, redirect: "follow" });
    if (!response.ok || !response.body) {
      await response.body?.cancel().catch(() => {});
      throw new HttpStatusError(url, response.status);
    }
    const expected = Number(response.headers.get("content-length") ?? Number.NaN);
    const hash = createHash("sha256");
    let bytes = 0;
    const rearm = () => {
      clearTimeout(timer);
      timer = setTimeout(
        () => controller.abort(timeoutError(`the body stalled for ${options.readTimeoutMs} ms`)),
        options.readTimeoutMs,
      );
    };
    rearm();
    const body = Readable.fromWeb(response.body as import("node:stream/web").ReadableStream<Uint8Array>);
    body.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      hash.update(chunk);
      rearm();
    });
    await pipeline(body, createWriteStream(path));
    // A server that closes early without chunked framing is caught by undici; this covers the rest.
    if (Number.isFinite(expected) && expected !== bytes) {
      throw Object.assign(new Error(`got ${bytes} of ${expected} bytes`), { code: "ECONNRESET" });
    }
    return { sha256: hash.digest("hex"), bytes };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", abort);
  }
}

function timeoutError(message: string): Error {
  return Object.assign(new Error(message), { name: "TimeoutError" });
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}
