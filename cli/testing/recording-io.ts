import type { CliIO } from "../commands/io.js";

/** A CliIO that keeps what a command writes, for tests to read back (no process stream is touched). */
export interface RecordingIO extends CliIO {
  /** Everything written to stdout so far, in order. */
  stdoutText(): string;
  stderrText(): string;
}

export function recordingIO(
  options: {
    env?: Readonly<Record<string, string | undefined>>;
    cwd?: string;
    /** Pretend stdout is a terminal. */
    tty?: boolean;
    /** Pretend stdin is a terminal where the user types these lines, one per question (questions go to stderr). */
    answers?: readonly string[];
  } = {},
): RecordingIO {
  const out: string[] = [];
  const err: string[] = [];
  const answers = options.answers ? [...options.answers] : undefined;
  return {
    ...(options.tty === undefined ? {} : { stdoutIsTTY: options.tty }),
    ...(answers
      ? {
          ask: async (question: string) => {
            err.push(question);
            return answers.shift() ?? "";
          },
        }
      : {}),
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
