import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PORTS } from "../../stack/services.js";
import { main } from "../main.js";
import { recordingIO } from "./recording-io.js";

/**
 * Integration-test support for the runner: a throw-away Floe project whose profile points at the local
 * stack with its own schema, and the `floe` CLI run in-process with its output captured. One thread by
 * default: the local stack's REST catalog keeps its state in SQLite, and concurrent Iceberg commits
 * can make it fail with SQLITE_BUSY (and then stay locked), which would break every later test.
 */
/**
 * The Trino the runner's integration tests use: the local stack's, unless FLOE_IT_TRINO_PORT points them
 * at another one on 127.0.0.1 (a second Trino with its own catalog, when the shared one is unusable).
 */
export function testTrinoPort(): number {
  const port = Number(process.env.FLOE_IT_TRINO_PORT ?? PORTS.trino);
  return Number.isInteger(port) && port > 0 ? port : PORTS.trino;
}

export function writeRunnerProject(
  schema: string,
  files: Record<string, string>,
  options: { port?: number; threads?: number; output?: Readonly<Record<string, string>> } = {},
): string {
  // More keys of the dev output (auth, endpoints), as YAML values.
  const extra = Object.entries(options.output ?? {})
    .map(([key, value]) => `      ${key}: ${value}\n`)
    .join("");
  const dir = mkdtempSync(join(tmpdir(), "floe-run-"));
  const all: Record<string, string> = {
    "floe_project.yml": "name: shop\nprofile: floe\n",
    "profiles.yml": `floe:
  target: dev
  outputs:
    dev:
      type: trino
      host: 127.0.0.1
      port: ${options.port ?? testTrinoPort()}
      user: floe-test
      catalog: iceberg
      schema: ${schema}
      threads: ${options.threads ?? 1}
${extra}`,
    ...files,
  };
  for (const [path, content] of Object.entries(all)) write(dir, path, content);
  return dir;
}

export function write(dir: string, path: string, content: string): void {
  const full = join(dir, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
}

export interface FloeOutput {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `floe <args> --project-dir <dir>` in this process, with a recording IO, and returns what it printed. */
export async function floe(dir: string, ...args: string[]): Promise<FloeOutput> {
  const io = recordingIO();
  const exitCode = await main(["node", "floe", ...args, "--project-dir", dir], io);
  return { exitCode, stdout: io.stdoutText(), stderr: io.stderrText() };
}

/** The events a `--log-format json` run printed, one JSON object per line. */
// biome-ignore lint/suspicious/noExplicitAny: tests assert on the events' shape, field by field.
export function jsonLines(stdout: string): Record<string, any>[] {
  return stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
}
