import type { CliIO } from "../commands/io.js";

/** A CliIO that keeps what a command writes, for tests to read back (no process stream is touched). */
export interface RecordingIO extends CliIO {
  /** Everything written to stdout so far, in order. */
  stdoutText(): string;
  stderrText(): string;
}

export function recordingIO(
  options: { env?: Readonly<Record<string, string | undefined>>; cwd?: string } = {},
): RecordingIO {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: (text) => {
      out.push(text);
    },
    stderr: (text) => {
      err.push(text);
    },
    env: options.env ?? process.env,
    cwd: options.cwd ?? process.cwd(),
    stdoutText: () => out.join(""),
    stderrText: () => err.join(""),
  };
}
