/**
 * What a command may use of the process it runs in. `cli/main.ts` builds it from the real process (the one
 * module that touches `process.stdout`, `process.stderr` and the exit code); tests pass a recording one and
 * read back what a command printed, without patching globals.
 */
export interface CliIO {
  /** Standard output, written as given: callers end their own lines. */
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** What `{{env}}`, profiles.yml and the stack commands read. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The default project directory, and where printed paths are shown relative to. */
  readonly cwd: string;
  /** Whether stdout is a terminal: colour (`cli/log/colour.ts`) and prompts follow it; absent = not one. */
  readonly stdoutIsTTY?: boolean;
  /**
   * Asks the user a question on the terminal and resolves with the line typed; absent when stdin is not a
   * terminal, so a command that needs an answer refuses instead of hanging in CI.
   */
  readonly ask?: (question: string) => Promise<string>;
}

/**
 * What an action returns: 0 ok, 1 a model/test/run failed, 2 usage, configuration or environment, 3 an
 * internal error (a bug in Floe), 130 interrupted by Ctrl-C.
 */
export type ExitCode = number;
