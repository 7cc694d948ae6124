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
}

/** What an action returns: 0 ok, 1 a model/test/run failed, 2 usage, configuration or environment. */
export type ExitCode = number;
